package dev.switchyard.routing.family;

import java.util.Arrays;

import dev.switchyard.routing.gating.Softmax;

/**
 * {@code SwitchTransformersTop1Router.forward}, the call being one sequence: probabilities =
 * softmax(logits) in float32 ({@link Softmax}, exp by {@code ExactExp}); the expert is the argmax (ties
 * to the lowest index); in token order, the tokens past expert_capacity of their expert are dropped
 * (cumsum ≤ capacity keeps); a kept token's gate is its largest probability.
 */
public final class SwitchTop1Rule implements RoutingRule
{
    private final SwitchParams params;
    /** [E] one token's probabilities. */
    private final float[] probs;
    /** [E] tokens routed to each expert so far in the group. */
    private final int[] routed;

    public SwitchTop1Rule(final SwitchParams params)
    {
        this.params = params;
        this.probs = new float[params.experts()];
        this.routed = new int[params.experts()];
    }

    @Override
    public int k()
    {
        return 1;
    }

    @Override
    public int experts()
    {
        return params.experts();
    }

    @Override
    public boolean dropless()
    {
        return false;
    }

    @Override
    public void route(final float[] logits, final int tokens, final int experts, final int[] expert, final float[] gate)
    {
        RouteArgs.check(this, logits, tokens, experts, expert, gate);
        Arrays.fill(routed, 0);
        for (int t = 0; t < tokens; t++)
        {
            System.arraycopy(logits, t * experts, probs, 0, experts);
            Softmax.inPlace(probs, 0, experts);
            final int best = TopK.argmax(probs, 0, experts);
            routed[best]++;
            final boolean kept = routed[best] <= params.expertCapacity();
            expert[t] = kept ? best : -1;
            gate[t] = kept ? probs[best] : 0f;
        }
    }
}
