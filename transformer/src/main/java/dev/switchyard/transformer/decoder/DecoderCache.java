package dev.switchyard.transformer.decoder;

import dev.switchyard.wire.BadInputException;

/**
 * The key/value cache of one sequence: per layer, the keys (after the q/k norm and RoPE) and the values of
 * every position computed so far, [capacity, KV·hd] each. Every position is kept, also under a sliding
 * window: the attention reads only the window's keys, as the full forward does. Made by
 * {@link CheckpointDecoder#sequence(int)}, filled by {@link CheckpointDecoder#append}.
 */
public final class DecoderCache
{
    private final Layer[] layers;
    private final int capacity;
    private int length;

    DecoderCache(final int layerCount, final int width, final int capacity)
    {
        if (capacity < 1)
        {
            throw new BadInputException("a sequence needs room for at least one position (capacity " + capacity +
                ")");
        }
        this.capacity = capacity;
        this.layers = new Layer[layerCount];
        for (int i = 0; i < layerCount; i++)
        {
            layers[i] = new Layer(new float[capacity * width], new float[capacity * width], capacity);
        }
    }

    /** Positions computed so far: the next position appended is this one. */
    public int length()
    {
        return length;
    }

    /** The most positions this sequence can hold. */
    public int capacity()
    {
        return capacity;
    }

    Layer layer(final int i)
    {
        return layers[i];
    }

    /** Reserves positions [length, length + n) for the call about to compute them; returns the first. */
    int reserve(final int n)
    {
        if (n < 1 || length + n > capacity)
        {
            throw new BadInputException("cannot append " + n + " positions to a sequence of " + length +
                " with room for " + capacity);
        }
        final int start = length;
        length += n;
        return start;
    }

    /**
     * One layer's keys and values.
     *
     * @param keys     [capacity, KV·hd]
     * @param values   [capacity, KV·hd]
     * @param capacity positions the arrays hold
     */
    record Layer(float[] keys, float[] values, int capacity)
    {
    }
}
