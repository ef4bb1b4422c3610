package dev.switchyard.gateway.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

import dev.switchyard.routing.plan.DropCause;
import dev.switchyard.routing.plan.RoutingPlan;

/**
 * What the gateway's routing decided, per (layer, expert) and per layer, accumulated from every
 * group's {@link RoutingPlan} by the data-plane thread (one writer, a few array adds per expert and
 * group, nothing allocated) and read by whoever scrapes.
 * <p>
 * Per expert: assignments kept (rows sent), assignments dropped by {@link DropCause}, and the
 * tokens whose first / second choice it was (the seed's density₁ and density₂ are these over the
 * layer's tokens). Per layer: groups, tokens, the sum of the balancing losses, and the last group's
 * loss, fill and densities (the seed's per-batch monitoring values).
 */
public final class RoutingCounters
{
    private static final int CAUSES = DropCause.all().length;

    private final int layers;
    private final int experts;
    // [L, E]
    private final AtomicLongArray routed;
    private final AtomicLongArray firstChoices;
    private final AtomicLongArray secondChoices;
    private final AtomicLongArray lastDensity1Bits;
    private final AtomicLongArray lastDensity2Bits;
    // [causes, L, E]
    private final AtomicLongArray dropped;
    // [L]
    private final AtomicLongArray groups;
    private final AtomicLongArray tokens;
    private final AtomicLongArray auxLossSumBits;
    private final AtomicLongArray lastAuxLossBits;
    private final AtomicLongArray lastFillBits;

    public RoutingCounters(final int layers, final int experts)
    {
        this.layers = layers;
        this.experts = experts;
        final int cells = layers * experts;
        routed = new AtomicLongArray(cells);
        firstChoices = new AtomicLongArray(cells);
        secondChoices = new AtomicLongArray(cells);
        lastDensity1Bits = new AtomicLongArray(cells);
        lastDensity2Bits = new AtomicLongArray(cells);
        dropped = new AtomicLongArray(CAUSES * cells);
        groups = new AtomicLongArray(layers);
        tokens = new AtomicLongArray(layers);
        auxLossSumBits = new AtomicLongArray(layers);
        lastAuxLossBits = new AtomicLongArray(layers);
        lastFillBits = new AtomicLongArray(layers);
    }

    /**
     * Counts one routed group of {@code layer}; from the one thread that routes.
     *
     * @param groupSize the configured G: a short group fills less than 1
     */
    public void record(final int layer, final RoutingPlan plan, final int groupSize)
    {
        final int n = plan.tokens();
        final int base = layer * experts;
        for (int e = 0; e < experts; e++)
        {
            final int cell = base + e;
            routed.addAndGet(cell, plan.slotCount(e));
            // density [E] is a count over the group's tokens divided by G: the count is exact.
            firstChoices.addAndGet(cell, Math.round(plan.density1(e) * n));
            secondChoices.addAndGet(cell, Math.round(plan.density2(e) * n));
            lastDensity1Bits.set(cell, Double.doubleToRawLongBits(plan.density1(e)));
            lastDensity2Bits.set(cell, Double.doubleToRawLongBits(plan.density2(e)));
            for (int c = 0; c < CAUSES; c++)
            {
                final int count = plan.dropped(DropCause.all()[c], e);
                if (count != 0)
                {
                    dropped.addAndGet(c * layers * experts + cell, count);
                }
            }
        }
        groups.incrementAndGet(layer);
        tokens.addAndGet(layer, n);
        // One writer: a read, an add and a write cannot lose an update.
        auxLossSumBits.set(layer, Double.doubleToRawLongBits(
            Double.longBitsToDouble(auxLossSumBits.get(layer)) + plan.auxLoss()));
        lastAuxLossBits.set(layer, Double.doubleToRawLongBits(plan.auxLoss()));
        lastFillBits.set(layer, Double.doubleToRawLongBits((double)n / groupSize));
    }

    /**
     * Counts assignments to {@code expert} dropped after their group was sent (its node vanished
     * and the group's requests chose a degraded answer); they were counted as routed when sent.
     */
    public void droppedLate(final int layer, final int expert, final int assignments)
    {
        dropped.addAndGet(DropCause.UNAVAILABLE.ordinal() * layers * experts + layer * experts + expert, assignments);
    }

    public int layers()
    {
        return layers;
    }

    public int experts()
    {
        return experts;
    }

    /** Assignments of {@code (layer, expert)} kept and sent: the rows of its blocks. */
    public long routed(final int layer, final int expert)
    {
        return routed.get(layer * experts + expert);
    }

    public long dropped(final DropCause cause, final int layer, final int expert)
    {
        return dropped.get(cause.ordinal() * layers * experts + layer * experts + expert);
    }

    /** Tokens whose first choice, kept by importance, was {@code expert} (before capacity). */
    public long firstChoices(final int layer, final int expert)
    {
        return firstChoices.get(layer * experts + expert);
    }

    /** Tokens whose second choice, kept by importance and policy, was {@code expert} (before capacity). */
    public long secondChoices(final int layer, final int expert)
    {
        return secondChoices.get(layer * experts + expert);
    }

    /** density₁ of the layer's last group: its first choices of {@code expert} over its tokens. */
    public double lastDensity1(final int layer, final int expert)
    {
        return Double.longBitsToDouble(lastDensity1Bits.get(layer * experts + expert));
    }

    /** density₂ of the layer's last group. */
    public double lastDensity2(final int layer, final int expert)
    {
        return Double.longBitsToDouble(lastDensity2Bits.get(layer * experts + expert));
    }

    public long groups(final int layer)
    {
        return groups.get(layer);
    }

    public long tokens(final int layer)
    {
        return tokens.get(layer);
    }

    public double auxLossSum(final int layer)
    {
        return Double.longBitsToDouble(auxLossSumBits.get(layer));
    }

    public double lastAuxLoss(final int layer)
    {
        return Double.longBitsToDouble(lastAuxLossBits.get(layer));
    }

    /** Tokens of the layer's last group over the group size. */
    public double lastGroupFill(final int layer)
    {
        return Double.longBitsToDouble(lastFillBits.get(layer));
    }
}
