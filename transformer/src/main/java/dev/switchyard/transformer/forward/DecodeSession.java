package dev.switchyard.transformer.forward;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.transformer.model.TransformerModel;

/**
 * Incremental decoding (docs/contracts.md §8 item 8): each step runs one position of some sequences through the
 * decoder, reading and extending their key/value caches, and returns the logits that choose the next ids.
 * The scratch is sized once for the most sequences a step can hold, so steps do not allocate.
 */
public final class DecodeSession
{
    private final TransformerModel model;
    private final ComputeBackend backend;
    private final StackRunner decoder;
    private final StackState state;
    private final Tokens tokens = new Tokens();
    private final float[] x;       // [slots, d]
    private final float[] logits;  // [slots, V]

    DecodeSession(final TransformerModel model, final ComputeBackend backend, final StackRunner decoder,
        final StackState state)
    {
        this.model = model;
        this.backend = backend;
        this.decoder = decoder;
        this.state = state;
        final int slots = state.slots();
        tokens.reset(slots);
        this.x = new float[slots * model.dModel()];
        this.logits = new float[slots * model.transformer().vocabSize()];
    }

    /**
     * Position {@code p} of {@code count} sequences.
     *
     * @param slots   [count] cache slot of each sequence
     * @param rows    [count] input row of each (its encoder memory)
     * @param inputs  [count] the id each was given at p − 1 (0 at p = 0)
     * @return logits [count, V], valid until the next step
     */
    public float[] step(final int[] slots, final int[] rows, final int[] inputs, final int count, final int p)
    {
        final int d = model.dModel();
        tokens.reset(count);
        for (int i = 0; i < count; i++)
        {
            tokens.add(slots[i], rows[i], p, 0, inputs[i]);
            model.embed(false, inputs[i], p, x, i * d);
        }
        decoder.run(x, tokens, state);
        backend.linear(model.softmax(), Epilogue.NONE, x, 0, count, logits, 0);
        return logits;
    }

    /**
     * Positions 0..length-1 of {@code count} sequences in one pass (a forced prompt): each MoE layer still
     * groups the tokens per position, as the steps would, so the logits are those of {@code length} steps.
     *
     * @param inputs [count, length] the id each sequence is given at each position (0 at position 0)
     * @return logits [count, length, V]
     */
    public float[] prefill(final int[] slots, final int[] rows, final int[] inputs, final int count, final int length)
    {
        final int d = model.dModel();
        final int n = count * length;
        final float[] xs = new float[n * d]; // [count·length, d]
        tokens.reset(n);
        for (int i = 0; i < count; i++)
        {
            for (int p = 0; p < length; p++)
            {
                final int t = i * length + p;
                tokens.add(slots[i], rows[i], p, 0, inputs[t]);
                tokens.moeGroup(t, p);
                model.embed(false, inputs[t], p, xs, t * d);
            }
        }
        decoder.run(xs, tokens, state);
        final float[] out = new float[n * model.transformer().vocabSize()];
        backend.linear(model.softmax(), Epilogue.NONE, xs, 0, n, out, 0);
        return out;
    }

    /** Beam search: slot i continues from slot {@code from[i]}'s first {@code length} positions. */
    public void select(final int[] from, final int count, final int length)
    {
        state.select(from, count, length);
    }

    public int capacity()
    {
        return state.capacity();
    }
}
