package dev.switchyard.routing.family;

import dev.switchyard.routing.gating.Softmax;

/**
 * The Mixtral / Qwen-MoE / OLMoE router ({@code *TopKRouter.forward}): probabilities = softmax(logits) in
 * float32 ({@link Softmax}, exp by {@code ExactExp}); the top k in descending order, ties to the lowest
 * index; with normalize each is divided by the sum of the k, summed best first.
 */
public final class SoftmaxTopKRule implements RoutingRule
{
    private final SoftmaxTopKParams params;
    /** [E] one token's probabilities. */
    private final float[] probs;
    private final boolean[] taken;
    /** [k] the chosen experts of one token. */
    private final int[] chosen;

    public SoftmaxTopKRule(final SoftmaxTopKParams params)
    {
        this.params = params;
        this.probs = new float[params.experts()];
        this.taken = new boolean[params.experts()];
        this.chosen = new int[params.topK()];
    }

    @Override
    public int k()
    {
        return params.topK();
    }

    @Override
    public int experts()
    {
        return params.experts();
    }

    @Override
    public boolean dropless()
    {
        return true;
    }

    @Override
    public void route(final float[] logits, final int tokens, final int experts, final int[] expert, final float[] gate)
    {
        RouteArgs.check(this, logits, tokens, experts, expert, gate);
        final int k = params.topK();
        for (int t = 0; t < tokens; t++)
        {
            System.arraycopy(logits, t * experts, probs, 0, experts);
            Softmax.inPlace(probs, 0, experts);
            TopK.select(probs, 0, experts, k, chosen, taken);
            float sum = 0f;
            for (int j = 0; j < k; j++)
            {
                sum += probs[chosen[j]];
            }
            for (int j = 0; j < k; j++)
            {
                final float p = probs[chosen[j]];
                expert[t * k + j] = chosen[j];
                gate[t * k + j] = params.normalize() ? p / sum : p;
            }
        }
    }
}
