package dev.switchyard.transformer.decoder;

import java.util.Arrays;

import dev.switchyard.transformer.decode.Choice;
import dev.switchyard.wire.BadInputException;

/**
 * Generation with a decoder-only checkpoint (docs §10): each row alone, its prompt prefilled in one pass
 * over a fresh {@link DecoderCache}, then one step per new id. Greedy is argmax, lowest id on ties, as
 * transformers' {@code generate(do_sample=False)}; with a temperature T &gt; 0 the id is argmax(logit + T·g)
 * with §8's SplitMix64 Gumbel noise of (seed, row, position in the output, id). A row ends after its first
 * EOS id or after N new ids. Rows share nothing, so a row's ids are the same bits alone or in any batch.
 * Not thread-safe (the decoder owns its scratch).
 */
public final class CheckpointGenerator
{
    private final CheckpointDecoder decoder;
    private final int[] eos;

    /**
     * @param eos the ids that end a row (see {@link EosTokens}), possibly none
     */
    public CheckpointGenerator(final CheckpointDecoder decoder, final int[] eos)
    {
        this.decoder = decoder;
        this.eos = eos.clone();
    }

    /** The EOS ids this generator stops at. */
    public int[] eos()
    {
        return eos.clone();
    }

    /**
     * @param prompts [rows, length]: each row's prompt, its ids before the first −1 (at least one)
     * @return [rows, length + N]: each row's prompt, its new ids, then −1 after its first EOS and after N new ids
     * @throws BadInputException naming the row without a prompt or the id outside the vocabulary
     */
    public int[] generate(final int[] prompts, final int rows, final int length, final GenerateOptions options)
    {
        if (rows < 1 || length < 1 || prompts.length != rows * length)
        {
            throw new BadInputException("prompts: " + prompts.length + " values for shape [" + rows + ", " + length +
                "]; at least one row and one position are needed");
        }
        final int width = length + options.maxNewTokens();
        final int[] out = new int[rows * width];
        Arrays.fill(out, -1);
        for (int r = 0; r < rows; r++)
        {
            final int n = promptLength(prompts, r, length);
            System.arraycopy(prompts, r * length, out, r * width, n);
            generateRow(out, r, width, n, options);
        }
        return out;
    }

    /** Ids of row r before its first −1, each checked against the vocabulary. */
    private int promptLength(final int[] prompts, final int r, final int length)
    {
        int n = 0;
        while (n < length && prompts[r * length + n] != -1)
        {
            final int id = prompts[r * length + n];
            if (id < 0 || id >= decoder.vocab())
            {
                throw new BadInputException("prompts: id " + id + " at row " + r + ", position " + n +
                    " is outside the vocabulary 0.." + (decoder.vocab() - 1) + " (−1 ends a prompt)");
            }
            n++;
        }
        if (n == 0)
        {
            throw new BadInputException("prompts: row " + r + " has no prompt (its first id is −1)");
        }
        return n;
    }

    /** Fills row r of out [rows, width] after its prompt of n ids. */
    private void generateRow(final int[] out, final int r, final int width, final int n,
        final GenerateOptions options)
    {
        final int v = decoder.vocab();
        final int steps = options.maxNewTokens();
        // The last new id is chosen but never fed back, so the cache needs n + N − 1 positions.
        final DecoderCache cache = decoder.sequence(n + steps - 1);
        final float[] prefill = new float[n * v];
        decoder.append(cache, out, r * width, n, prefill);
        float[] logits = prefill;
        int offset = (n - 1) * v;
        final float[] step = new float[v];
        for (int k = 0; k < steps; k++)
        {
            final int position = n + k;
            final int id = options.temperature() > 0
                ? Choice.sample(logits, offset, v, options.temperature(), options.seed(), r, position)
                : Choice.argmax(logits, offset, v);
            out[r * width + position] = id;
            if (isEos(id) || k == steps - 1)
            {
                return;
            }
            decoder.append(cache, out, r * width + position, 1, step);
            logits = step;
            offset = 0;
        }
    }

    private boolean isEos(final int id)
    {
        for (final int e : eos)
        {
            if (e == id)
            {
                return true;
            }
        }
        return false;
    }
}
