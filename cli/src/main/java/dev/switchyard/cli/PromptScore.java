package dev.switchyard.cli;

import java.nio.file.Path;

import dev.switchyard.transformer.decode.Choice;
import dev.switchyard.transformer.io.TensorFiles;
import dev.switchyard.transformer.text.TextTokenizer;
import dev.switchyard.wire.BadInputException;

/** {@code score --prompt TEXT} on a checkpoint folder: the text as one row of ids, and its log-likelihood. */
final class PromptScore
{
    private PromptScore()
    {
    }

    /** The text encoded with the folder's tokenizer.json (its special tokens added), as ids [1, L]. */
    static TensorFiles.Ids ids(final Path model, final String text)
    {
        try (TextTokenizer tokenizer = TextTokenizer.open(model))
        {
            final int[] ids = tokenizer.encode(text);
            if (ids.length == 0)
            {
                throw new BadInputException("--prompt: the text has no tokens");
            }
            return new TensorFiles.Ids(1, ids.length, ids);
        }
    }

    /**
     * ", log-likelihood S over N predicted tokens (perplexity P)": S = Σ log_softmax(logits[p])[id[p + 1]] in
     * float64 over the row's positions.
     *
     * @param logits [1, L, V]
     */
    static String likelihood(final TensorFiles.Ids ids, final float[] logits, final int vocab)
    {
        final int n = ids.cols() - 1;
        if (n < 1)
        {
            return ", one token: nothing predicted";
        }
        double sum = 0;
        for (int p = 0; p < n; p++)
        {
            sum += Choice.logProb(logits, p * vocab, vocab, ids.data()[p + 1]);
        }
        return String.format(", log-likelihood %.4f over %d predicted tokens (perplexity %.3f)", sum, n,
            Math.exp(-sum / n));
    }
}
