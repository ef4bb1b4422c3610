package dev.switchyard.routing.plan;

/** Dispatch: gathers the rows of one expert's slots into one contiguous block. */
public final class Dispatch
{
    private Dispatch()
    {
    }

    /**
     * block[s] ← x[slotToken(e, s)] for every filled slot s of expert e.
     *
     * @param x      [G, d] the group's token rows, from xOffset
     * @param block  [slotCount(e), d] from 0
     */
    public static void gather(
        final RoutingPlan plan, final int expert, final float[] x, final int xOffset, final int d, final float[] block)
    {
        final int slots = plan.slotCount(expert);
        for (int s = 0; s < slots; s++)
        {
            System.arraycopy(x, xOffset + plan.slotToken(expert, s) * d, block, s * d, d);
        }
    }
}
