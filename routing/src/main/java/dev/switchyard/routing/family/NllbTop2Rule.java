package dev.switchyard.routing.family;

import java.util.Arrays;

import dev.switchyard.routing.gating.Softmax;

/**
 * {@code NllbMoeTop2Router.route_tokens} in eval mode, the call being one group (the whole request):
 * <ol>
 * <li>probabilities = softmax(logits) in float32 ({@link Softmax}, exp by {@code ExactExp}); first choice
 *     = argmax of the probabilities; second = argmax of the logits with the first masked (ties to the
 *     lowest index).</li>
 * <li>With normalize_router_prob_before_dropping both gates are p / max(p₁ + p₂, ε) now (ε = float32
 *     epsilon).</li>
 * <li>Positions: tokens in priority order, by descending first probability with
 *     batch_prioritized_routing (equal ones in token order), else in token order. A first choice takes
 *     the next slot of its expert; a second choice comes after every first choice of that expert. A slot
 *     ≥ capacity is dropped.</li>
 * <li>Without normalizing before dropping, the kept gates are renormalized now, a dropped one counting
 *     0: p / max(kept p₁ + kept p₂, ε).</li>
 * </ol>
 * Entries per token: first choice, then second. A dropped assignment, and a kept one whose gate is 0
 * (the reference runs only tokens with a nonzero gate), is expert −1, gate 0.0.
 */
public final class NllbTop2Rule implements RoutingRule
{
    /** torch.finfo(float32).eps, the reference's lower bound of the normalizing sum. */
    private static final float EPSILON = Math.ulp(1f);

    private final NllbParams params;
    private final PriorityOrder priority = new PriorityOrder();
    /** [E] slots taken by first and by second choices, and all first choices, of each expert. */
    private final int[] firstSlots;
    private final int[] secondSlots;
    private final int[] firstTotal;
    /** [E] one token's probabilities. */
    private final float[] probs;
    /** [T] per token: both choices, their probabilities, whether each is kept; grown to the largest group. */
    private int[] first = new int[0];
    private int[] second = new int[0];
    private float[] p1 = new float[0];
    private float[] p2 = new float[0];
    private boolean[] kept1 = new boolean[0];
    private boolean[] kept2 = new boolean[0];

    public NllbTop2Rule(final NllbParams params)
    {
        this.params = params;
        this.firstSlots = new int[params.experts()];
        this.secondSlots = new int[params.experts()];
        this.firstTotal = new int[params.experts()];
        this.probs = new float[params.experts()];
    }

    @Override
    public int k()
    {
        return 2;
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
        fit(tokens);
        choose(logits, tokens, experts);
        place(tokens, params.capacity(tokens));
        for (int t = 0; t < tokens; t++)
        {
            final float sum;
            if (params.normalizeBeforeDropping())
            {
                sum = Math.max(p1[t] + p2[t], EPSILON);
            }
            else
            {
                sum = Math.max((kept1[t] ? p1[t] : 0f) + (kept2[t] ? p2[t] : 0f), EPSILON);
            }
            write(expert, gate, 2 * t, first[t], kept1[t], p1[t] / sum);
            write(expert, gate, 2 * t + 1, second[t], kept2[t], p2[t] / sum);
        }
    }

    private static void write(final int[] expert, final float[] gate, final int at, final int choice,
                              final boolean kept, final float g)
    {
        final boolean used = kept && g != 0f;
        expert[at] = used ? choice : -1;
        gate[at] = used ? g : 0f;
    }

    /** Both choices of every token and their probabilities. */
    private void choose(final float[] logits, final int tokens, final int experts)
    {
        for (int t = 0; t < tokens; t++)
        {
            final int row = t * experts;
            System.arraycopy(logits, row, probs, 0, experts);
            Softmax.inPlace(probs, 0, experts);
            final int a = TopK.argmax(probs, 0, experts);
            int b = -1;
            for (int e = 0; e < experts; e++)
            {
                if (e != a && (b < 0 || logits[row + e] > logits[row + b]))
                {
                    b = e;
                }
            }
            first[t] = a;
            second[t] = b;
            p1[t] = probs[a];
            p2[t] = probs[b];
        }
    }

    /** Slots in priority order; second choices start after all first choices of their expert. */
    private void place(final int tokens, final int capacity)
    {
        Arrays.fill(firstSlots, 0);
        Arrays.fill(secondSlots, 0);
        Arrays.fill(firstTotal, 0);
        for (int t = 0; t < tokens; t++)
        {
            firstTotal[first[t]]++;
        }
        final int[] order = params.batchPrioritizedRouting() ? priority.sort(p1, tokens) : null;
        for (int i = 0; i < tokens; i++)
        {
            final int t = order == null ? i : order[i];
            kept1[t] = firstSlots[first[t]]++ < capacity;
            kept2[t] = firstTotal[second[t]] + secondSlots[second[t]]++ < capacity;
        }
    }

    private void fit(final int tokens)
    {
        if (first.length < tokens)
        {
            first = new int[tokens];
            second = new int[tokens];
            p1 = new float[tokens];
            p2 = new float[tokens];
            kept1 = new boolean[tokens];
            kept2 = new boolean[tokens];
        }
    }
}
