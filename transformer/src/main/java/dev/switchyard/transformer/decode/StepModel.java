package dev.switchyard.transformer.decode;

import dev.switchyard.transformer.forward.DecodeSession;

/** What a decoding loop needs of a model: one position's logits per sequence, and cache reordering. */
public interface StepModel
{
    /**
     * @param slots  [count] cache slot of each sequence
     * @param rows   [count] input row of each
     * @param inputs [count] the id each took at p − 1 (0 at p = 0)
     * @return logits [count, V], valid until the next call
     */
    float[] step(int[] slots, int[] rows, int[] inputs, int count, int p);

    /** Slot i continues from slot {@code from[i]}'s first {@code length} positions. */
    void select(int[] from, int count, int length);

    static StepModel of(final DecodeSession session)
    {
        return new StepModel()
        {
            @Override
            public float[] step(final int[] slots, final int[] rows, final int[] inputs, final int count, final int p)
            {
                return session.step(slots, rows, inputs, count, p);
            }

            @Override
            public void select(final int[] from, final int count, final int length)
            {
                session.select(from, count, length);
            }
        };
    }
}
