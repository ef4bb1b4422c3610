package dev.switchyard.transformer.forward;

/**
 * The tokens of one pass through a stack and where each sits: the cache slot it writes, the row whose
 * encoder memory it reads, its position, its segment (0 without segments) and its input id. A full forward
 * holds [B, L] tokens row by row; a decode step one token per active sequence.
 */
public final class Tokens
{
    private int count;
    private int[] slot = new int[0];
    private int[] row = new int[0];
    private int[] pos = new int[0];
    private int[] segment = new int[0];
    private int[] id = new int[0];
    private int[] group = new int[0];
    private boolean grouped;

    /** Empties the pass, keeping room for {@code capacity} tokens. */
    public Tokens reset(final int capacity)
    {
        if (slot.length < capacity)
        {
            slot = new int[capacity];
            row = new int[capacity];
            pos = new int[capacity];
            segment = new int[capacity];
            id = new int[capacity];
            group = new int[capacity];
        }
        count = 0;
        grouped = false;
        return this;
    }

    public void add(final int slotOf, final int rowOf, final int position, final int segmentOf, final int idOf)
    {
        slot[count] = slotOf;
        row[count] = rowOf;
        pos[count] = position;
        segment[count] = segmentOf;
        id[count] = idOf;
        group[count] = 0;
        count++;
    }

    /**
     * Puts token t in MoE group key {@code key}: the MoE layers then run one request per key, in ascending
     * key order, each over that key's tokens in pass order (a recompute groups tokens per position, as the
     * decode steps did). Without keys the whole pass is one request.
     */
    public void moeGroup(final int t, final int key)
    {
        group[t] = key;
        grouped = true;
    }

    public boolean grouped()
    {
        return grouped;
    }

    public int moeGroup(final int t)
    {
        return group[t];
    }

    public int count()
    {
        return count;
    }

    public int slot(final int t)
    {
        return slot[t];
    }

    public int row(final int t)
    {
        return row[t];
    }

    public int pos(final int t)
    {
        return pos[t];
    }

    public int segment(final int t)
    {
        return segment[t];
    }

    public int id(final int t)
    {
        return id[t];
    }
}
