package dev.switchyard.transformer.decode;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.transformer.attention.Memory;
import dev.switchyard.transformer.forward.Transformer;
import dev.switchyard.wire.BadInputException;

/**
 * Decodes a batch of input rows (docs/contracts.md §8 items 8-9): checks the input, runs the encoder once for an
 * encdec model, then greedy/sampling or beam search with a key/value cache.
 */
public final class Decoding
{
    private Decoding()
    {
    }

    /**
     * @param input     [rows, length] int ids, 0-padded: the forced prefix (decoder) or the source (encdec)
     * @param listener  sees each id as it is decided (beam search: each row's result at the end)
     * @param cancelled polled before every step; when true the decode stops with a CancellationException
     * @throws BadInputException naming what is wrong with the input or the options
     */
    public static DecodeResult decode(
        final Transformer transformer, final int[] input, final int rows, final int length,
        final DecodeOptions options, final StepListener listener, final BooleanSupplier cancelled)
    {
        final TransformerConfig t = transformer.model().transformer();
        final int width = check(t, input, rows, length, options);
        final Memory[] cross = t.encdec() ? transformer.encode(input, rows, length, null) : null;
        if (options.beamSize() > 1)
        {
            int decodeLength = width;
            if (t.encdec())
            {
                int longest = 0;
                for (int b = 0; b < rows; b++)
                {
                    int nonzero = 0;
                    for (int p = 0; p < length; p++)
                    {
                        nonzero += input[b * length + p] != 0 ? 1 : 0;
                    }
                    longest = Math.max(longest, nonzero);
                }
                decodeLength = t.decodeLength(longest, width);
            }
            return new BeamSearch(transformer, cross, rows, width, options.beamSize(), options.alpha(), decodeLength)
                .run(listener, cancelled);
        }
        return greedy(transformer, cross, t.encdec() ? null : input, rows, length, width, options, listener, cancelled);
    }

    /** The output width; every problem of the input or options is one error naming it. */
    static int check(final TransformerConfig t, final int[] input, final int rows, final int length,
        final DecodeOptions options)
    {
        if (rows < 1 || length < 1)
        {
            throw new BadInputException("the input needs at least one row and one column (got [" + rows + ", " +
                length + "])");
        }
        if (length > t.maxLength())
        {
            throw new BadInputException("the input has " + length + " positions, longer than the model's max_length " +
                t.maxLength());
        }
        final int vocab = t.encdec() ? t.inputsVocabSize() : t.vocabSize();
        for (int i = 0; i < rows * length; i++)
        {
            if (input[i] < 0 || input[i] >= vocab)
            {
                throw new BadInputException("input id " + input[i] + " at row " + i / length + ", position " +
                    i % length + " is outside the " + (t.encdec() ? "source" : "target") + " vocabulary 0.." +
                    (vocab - 1));
            }
        }
        if (options.maxLength() < 0 || options.maxLength() > t.maxLength())
        {
            throw new BadInputException("max length " + options.maxLength() +
                " must be from 1 to the model's max_length " +
                t.maxLength());
        }
        if (!(options.temperature() >= 0) || !Double.isFinite(options.temperature()))
        {
            throw new BadInputException("temperature must be >= 0 and finite (got " + options.temperature() + ")");
        }
        if (options.beamSize() < 1)
        {
            throw new BadInputException("beam size must be at least 1 (got " + options.beamSize() + ")");
        }
        if (options.beamSize() > 1)
        {
            if (options.temperature() > 0)
            {
                throw new BadInputException("beam search does not sample: give a temperature or a beam size, not both");
            }
            if (!Double.isFinite(options.alpha()))
            {
                throw new BadInputException("alpha must be finite (got " + options.alpha() + ")");
            }
            if (!t.encdec())
            {
                for (final int id : input)
                {
                    if (id != 0)
                    {
                        throw new BadInputException("beam search of a decoder-only model takes no forced prefix: " +
                            "the input must be all 0");
                    }
                }
            }
        }
        return options.maxLength() == 0 ? t.maxLength() : options.maxLength();
    }

    /**
     * Positions at the start that every row forces, up to and including a forced EOS: they can run in one
     * pass, since every row takes part in each of those steps.
     */
    public static int prefillLength(final int[] prefix, final int rows, final int length)
    {
        int k = length;
        for (int b = 0; b < rows; b++)
        {
            int p = 0;
            while (p < k && prefix[b * length + p] != 0)
            {
                if (prefix[b * length + p] == TransformerConfig.EOS)
                {
                    p++;
                    break;
                }
                p++;
            }
            k = Math.min(k, p);
        }
        return k;
    }

    private static DecodeResult greedy(
        final Transformer transformer, final Memory[] cross, final int[] prefix, final int rows, final int length,
        final int width, final DecodeOptions options, final StepListener listener, final BooleanSupplier cancelled)
    {
        final int vocab = transformer.model().transformer().vocabSize();
        final var session = transformer.session(rows, width, cross);
        final int[] ids = new int[rows * width];
        final double[] logProb = new double[rows];
        final int[] active = new int[rows];
        final int[] previous = new int[rows];
        int count = rows;
        for (int b = 0; b < rows; b++)
        {
            active[b] = b;
        }
        final int prefilled = prefix == null ? 0 : Math.min(width, prefillLength(prefix, rows, length));
        float[] prompt = null;
        if (prefilled > 1)
        {
            final int[] inputs = new int[rows * prefilled];
            for (int b = 0; b < rows; b++)
            {
                for (int p = 1; p < prefilled; p++)
                {
                    inputs[b * prefilled + p] = prefix[b * length + p - 1];
                }
            }
            prompt = session.prefill(active, active, inputs, rows, prefilled);
        }
        for (int p = 0; p < width && count > 0; p++)
        {
            if (cancelled.getAsBoolean())
            {
                throw new CancellationException("decoding cancelled at position " + p);
            }
            final boolean fromPrompt = prompt != null && p < prefilled;
            final float[] logits = fromPrompt ? prompt : session.step(active, active, previous, count, p);
            int kept = 0;
            for (int i = 0; i < count; i++)
            {
                final int b = active[i];
                // Every row is active through the prompt, so row b's logits at p are at (b, p) of the prefill.
                final int off = fromPrompt ? (b * prefilled + p) * vocab : i * vocab;
                final int forced = prefix != null && p < length ? prefix[b * length + p] : 0;
                final int id = forced != 0 ? forced :
                    options.temperature() > 0 ?
                        Choice.sample(logits, off, vocab, options.temperature(), options.seed(), b, p) :
                        Choice.argmax(logits, off, vocab);
                ids[b * width + p] = id;
                logProb[b] += Choice.logProb(logits, off, vocab, id);
                listener.onToken(b, p, id);
                if (id != TransformerConfig.EOS)
                {
                    active[kept] = b;
                    previous[kept] = id;
                    kept++;
                }
            }
            count = kept;
        }
        final float[] scores = new float[rows];
        for (int b = 0; b < rows; b++)
        {
            scores[b] = (float)logProb[b];
        }
        return new DecodeResult(rows, width, ids, scores);
    }
}
