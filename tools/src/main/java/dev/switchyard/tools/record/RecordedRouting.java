package dev.switchyard.tools.record;

/**
 * The per-token part of a recorded routing report (docs/contracts.md §2): what a replay compares. Capacity
 * and balancing loss are per group, and a replay's groups may be cut differently, so they are not kept.
 *
 * @param expert   [rows, entries] experts in the gating's order, -1 when dropped or absent
 * @param position [rows, entries] slot in that expert's block, -1 when dropped or absent
 * @param gate     [rows, entries] final combine weights, 0 when dropped or absent
 * @param entries  entries per token: 2 for the seed's top-2, a checkpoint family's k
 */
public record RecordedRouting(int[] expert, int[] position, float[] gate, int entries)
{
    /** The seed's report: two entries per token. */
    public RecordedRouting(final int[] expert, final int[] position, final float[] gate)
    {
        this(expert, position, gate, 2);
    }

    /** An empty report of {@code rows} tokens, {@code entries} each. */
    static RecordedRouting of(final int rows, final int entries)
    {
        final int n = entries * rows;
        return new RecordedRouting(new int[n], new int[n], new float[n], entries);
    }

    public int rows()
    {
        return expert.length / entries;
    }
}
