package dev.switchyard.transformer.attention;

import java.util.Arrays;

/**
 * Keys and values of one attention layer for a set of sequences (slots): k, v [slots, H, cap, K], with each
 * memory position's id and segment [slots, cap]. A decode step writes one position per slot; a full forward
 * writes them all before any query reads them.
 */
public final class KvStore
{
    private final int slots;
    private final int heads;
    private final int cap;
    private final int kv;
    private final float[] k;     // [slots, H, cap, K]
    private final float[] v;     // [slots, H, cap, K]

    public KvStore(final int slots, final int heads, final int cap, final int kv)
    {
        this.slots = slots;
        this.heads = heads;
        this.cap = cap;
        this.kv = kv;
        final long n = (long)slots * heads * cap * kv;
        if (n > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("a key/value cache of " + n + " floats is beyond one array");
        }
        this.k = new float[(int)n];
        this.v = new float[(int)n];
    }

    public int capacity()
    {
        return cap;
    }

    public int slots()
    {
        return slots;
    }

    /** Offset of (slot, head, position 0) in {@link #keys()} and {@link #values()}. */
    public int base(final int slot, final int head)
    {
        return (slot * heads + head) * cap * kv;
    }

    public float[] keys()
    {
        return k;
    }

    public float[] values()
    {
        return v;
    }

    /**
     * Stores one token's keys and values.
     *
     * @param keys   [H·K] at kOff (head h at h·K)
     * @param values [H·K] at vOff
     */
    public void put(final int slot, final int pos, final float[] keys, final int kOff, final float[] values,
        final int vOff)
    {
        for (int h = 0; h < heads; h++)
        {
            final int at = base(slot, h) + pos * kv;
            System.arraycopy(keys, kOff + h * kv, k, at, kv);
            System.arraycopy(values, vOff + h * kv, v, at, kv);
        }
    }

    /**
     * Rebuilds the slots from a selection: slot i takes what slot {@code from[i]} held at positions
     * 0..length-1 (beam search keeps the survivors' caches).
     */
    public void select(final int[] from, final int count, final int length, final float[] scratchK,
        final float[] scratchV)
    {
        final int slotFloats = heads * cap * kv;
        for (int i = 0; i < count; i++)
        {
            for (int h = 0; h < heads; h++)
            {
                System.arraycopy(k, base(from[i], h), scratchK, i * slotFloats + h * cap * kv, length * kv);
                System.arraycopy(v, base(from[i], h), scratchV, i * slotFloats + h * cap * kv, length * kv);
            }
        }
        for (int i = 0; i < count; i++)
        {
            for (int h = 0; h < heads; h++)
            {
                System.arraycopy(scratchK, i * slotFloats + h * cap * kv, k, base(i, h), length * kv);
                System.arraycopy(scratchV, i * slotFloats + h * cap * kv, v, base(i, h), length * kv);
            }
        }
    }

    /** Floats of one slot: the size of a {@link #select} scratch per slot. */
    public int slotFloats()
    {
        return heads * cap * kv;
    }

    public void clear()
    {
        Arrays.fill(k, 0f);
        Arrays.fill(v, 0f);
    }
}
