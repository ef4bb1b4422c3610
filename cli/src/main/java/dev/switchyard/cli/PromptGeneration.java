package dev.switchyard.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

import dev.switchyard.transformer.decoder.CheckpointGenerator;
import dev.switchyard.transformer.decoder.EosTokens;
import dev.switchyard.transformer.decoder.GenerateOptions;
import dev.switchyard.transformer.io.TensorFiles;
import dev.switchyard.transformer.text.TextStream;
import dev.switchyard.transformer.text.TextTokenizer;
import dev.switchyard.wire.BadInputException;

/**
 * {@code generate --prompt TEXT} on a checkpoint folder: the text encoded with the folder's tokenizer.json,
 * one row generated as {@code --input} would, and the continuation's text printed (an ending EOS left out).
 */
final class PromptGeneration
{
    private PromptGeneration()
    {
    }

    /**
     * @param output where the ids [1, L + N] go (−1 after EOS and after N new ids), or null
     * @param out    the continuation's text, then a newline
     * @param err    the one-line summary
     */
    static void run(final Path model, final String prompt, final GenerateOptions options, final DecoderSession session,
        final Path output, final PrintStream out, final PrintStream err)
    {
        try (TextTokenizer tokenizer = TextTokenizer.open(model))
        {
            final int[] ids = tokenizer.encode(prompt);
            if (ids.length == 0)
            {
                throw new BadInputException("--prompt: the text has no tokens");
            }
            final CheckpointGenerator generator = new CheckpointGenerator(session.decoder(), EosTokens.read(model));
            final long start = System.nanoTime();
            final int[] row = generator.generate(ids, 1, ids.length, options);
            final double millis = (System.nanoTime() - start) / 1e6;
            int end = ids.length;
            while (end < row.length && row[end] != -1)
            {
                end++;
            }
            final int[] fresh = Arrays.copyOfRange(row, ids.length, end);
            final int last = fresh.length > 0 ? fresh[fresh.length - 1] : -1;
            final boolean eos = Arrays.stream(generator.eos()).anyMatch(e -> e == last);
            final TextStream text = new TextStream(tokenizer, ids);
            for (int i = 0; i < fresh.length - (eos ? 1 : 0); i++)
            {
                text.add(fresh[i]);
            }
            if (output != null)
            {
                TensorFiles.writeInts(output, row, 1, row.length);
            }
            out.println(text.text());
            out.flush();
            err.printf("generate: %s prompt, %s, %s%s, %s checkpoint, %s, %.1f ms (%.0f tokens/s)%n",
                Counts.of(ids.length, "token"), options.temperature() > 0 ? "temperature " + options.temperature()
                    : "greedy", Counts.of(fresh.length, "new token"), eos ? " (ended by EOS)" : "",
                session.decoder().config().family().modelType(), session.where(), millis,
                fresh.length / (millis / 1e3));
        }
    }
}
