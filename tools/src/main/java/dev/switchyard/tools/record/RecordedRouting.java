package dev.switchyard.tools.record;

/**
 * The per-token part of a recorded routing report (docs/contracts.md §2): what a replay compares. Capacity
 * and balancing loss are per group, and a replay's groups may be cut differently, so they are not kept.
 *
 * @param expert   [rows, 2] first and second expert, -1 when dropped or absent
 * @param position [rows, 2] slot in that expert's block, -1 when dropped or absent
 * @param gate     [rows, 2] final combine weights, 0 when dropped or absent
 */
public record RecordedRouting(int[] expert, int[] position, float[] gate)
{
    public int rows()
    {
        return expert.length / 2;
    }
}
