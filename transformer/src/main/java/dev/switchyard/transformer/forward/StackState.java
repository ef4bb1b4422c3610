package dev.switchyard.transformer.forward;

import java.util.List;

import dev.switchyard.model.config.LayerType;
import dev.switchyard.transformer.attention.KvStore;
import dev.switchyard.transformer.attention.Memory;
import dev.switchyard.transformer.model.TransformerModel;

/**
 * What a stack keeps between passes for a set of sequences: each self-attention layer's keys and values,
 * the ids and segments of the positions written so far, and (decoder of an encdec model) each
 * {@code enc_att} layer's encoder memory, computed once per request.
 */
public final class StackState
{
    private final int slots;
    private final int cap;
    private final int[] ids;        // [slots, cap]
    private final int[] segments;   // [slots, cap] or null
    private final Memory[] self;    // per layer, null where not self-attention
    private final Memory[] cross;   // per layer, null where not enc_att
    private float[] scratchK;       // beam search reordering, [slots, H, cap, K]
    private float[] scratchV;
    private int[] scratchIds;

    /**
     * @param slots     sequences
     * @param cap       positions per sequence
     * @param segmented whether passes carry segment ids
     * @param cross     the encoder memory of each layer (null entries elsewhere), or null for none
     */
    public StackState(
        final TransformerModel model, final TransformerModel.Stack stack, final int slots, final int cap,
        final boolean segmented, final Memory[] cross)
    {
        final int heads = model.transformer().heads();
        final int kv = model.transformer().kvDim();
        this.slots = slots;
        this.cap = cap;
        this.ids = new int[slots * cap];
        this.segments = segmented ? new int[slots * cap] : null;
        final List<TransformerModel.Layer> layers = stack.layers();
        this.self = new Memory[layers.size()];
        for (int l = 0; l < self.length; l++)
        {
            final LayerType type = layers.get(l).type();
            if (type == LayerType.ATT || type == LayerType.LOCAL_ATT)
            {
                self[l] = new Memory(new KvStore(slots, heads, cap, kv), ids, segments, cap);
            }
        }
        this.cross = cross == null ? new Memory[layers.size()] : cross;
    }

    public int capacity()
    {
        return cap;
    }

    public int slots()
    {
        return slots;
    }

    void record(final int slot, final int pos, final int id, final int segment)
    {
        ids[slot * cap + pos] = id;
        if (segments != null)
        {
            segments[slot * cap + pos] = segment;
        }
    }

    Memory self(final int layer)
    {
        return self[layer];
    }

    Memory cross(final int layer)
    {
        return cross[layer];
    }

    /**
     * Keeps the survivors of a beam step: slot i takes what slot {@code from[i]} held at positions
     * 0..length-1, in every self-attention layer.
     */
    public void select(final int[] from, final int count, final int length)
    {
        for (final Memory m : self)
        {
            if (m == null)
            {
                continue;
            }
            if (scratchK == null || scratchK.length < count * m.store().slotFloats())
            {
                // Once per search: every later step reuses it.
                scratchK = new float[count * m.store().slotFloats()];
                scratchV = new float[count * m.store().slotFloats()];
                scratchIds = new int[count * cap];
            }
            m.store().select(from, count, length, scratchK, scratchV);
        }
        if (scratchIds == null || scratchIds.length < count * cap)
        {
            scratchIds = new int[count * cap];
        }
        for (int i = 0; i < count; i++)
        {
            System.arraycopy(ids, from[i] * cap, scratchIds, i * cap, cap);
        }
        System.arraycopy(scratchIds, 0, ids, 0, count * cap);
    }
}
