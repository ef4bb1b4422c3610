package dev.switchyard.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;

import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.MoeFamily;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.io.ModelConfigJson;
import dev.switchyard.transformer.decode.DecodeOptions;
import dev.switchyard.transformer.decode.DecodeResult;
import dev.switchyard.transformer.decode.Generator;
import dev.switchyard.transformer.decoder.CheckpointGenerator;
import dev.switchyard.transformer.decoder.EosTokens;
import dev.switchyard.transformer.decoder.GenerateOptions;
import dev.switchyard.transformer.io.TensorFiles;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchyard generate}: decodes with a transformer model, its MoE layers through the system, or with a
 * decoder-only checkpoint folder in this process.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Decode with a transformer model: greedy, temperature sampling or beam search.")
final class GenerateCommand implements Callable<Integer>
{
    @Option(names = "--model", required = true, paramLabel = "DIR",
        description = "Model directory (with a transformer), or a decoder-only Hugging Face checkpoint folder.")
    Path model;

    @Option(names = "--input", paramLabel = "IDS.npy",
        description = "int32 [B, L_in], 0-padded: the forced prefix (decoder) or the source (encdec); for a " +
            "checkpoint folder the prompts, right-padded with -1.")
    Path input;

    @Option(names = "--output", paramLabel = "OUT.npy",
        description = "Decoded ids, int32 [B, max_length] (a checkpoint folder: [B, L_in + N]).")
    Path output;

    @Option(names = "--prompt", paramLabel = "TEXT",
        description = "A checkpoint folder: generate from this text (its tokenizer.json) and print the new text, " +
            "instead of --input.")
    String prompt;

    @Option(names = "--max-new-tokens", paramLabel = "N",
        description = "New ids per row at most (checkpoint folders).")
    Integer maxNewTokens;

    @Option(names = "--scores", paramLabel = "S.npy",
        description = "Per row log-probability or beam score, float32 [B].")
    Path scores;

    @Option(names = "--beam-size", paramLabel = "N",
        description = "Beam search with N beams (default: ${DEFAULT-VALUE}, greedy).")
    int beamSize = 1;

    @Option(names = "--alpha", paramLabel = "A",
        description = "Beam search length penalty (default: ${DEFAULT-VALUE}).")
    double alpha = 0.6;

    @Option(names = "--temperature", paramLabel = "T",
        description = "Sampling temperature (default: ${DEFAULT-VALUE}, greedy).")
    double temperature;

    @Option(names = "--seed", paramLabel = "S",
        description = "Seed of the sampling uniforms (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-length", paramLabel = "L",
        description = "Decode at most L positions, 1 to the model's max_length (default: the model's max_length).")
    Integer maxLength;

    @Option(names = "--stream", description = "Print each id as it is decided: ROW POSITION ID.")
    boolean stream;

    @Option(names = "--shared", description = "MoE requests share groups with other traffic (not exact).")
    boolean shared;

    @ArgGroup(exclusive = true)
    InferCommand.Where where = new InferCommand.Where();

    @Mixin
    ComputeOptions compute;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        where.check(false);
        final boolean checkpoint = MoeFamily.isCheckpoint(CliArgs.existingDirectory("--model", model));
        if (prompt != null && !checkpoint)
        {
            throw new BadInputException("--prompt applies to checkpoint folders with a tokenizer.json; model " + model +
                " takes --input ids");
        }
        if (prompt != null ? input != null : input == null || output == null)
        {
            throw new BadInputException(prompt != null ? "give either --prompt or --input, not both"
                : "--input IDS.npy and --output OUT.npy are required (or --prompt TEXT with a checkpoint folder)");
        }
        if (checkpoint)
        {
            return generateCheckpoint();
        }
        if (maxNewTokens != null)
        {
            throw new BadInputException("--max-new-tokens applies to checkpoint folders; model " + model +
                " decodes up to --max-length");
        }
        if (maxLength != null && maxLength < 1)
        {
            throw new BadInputException("--max-length must be at least 1 (got " + maxLength + "; leave it out for " +
                "the model's max_length)");
        }
        CliArgs.positive("--beam-size", beamSize);
        final TensorFiles.Ids ids = TensorFiles.readIds("--input", CliArgs.existingFile("--input", input));
        checkMemory(ids);
        try (TransformerSession session = new TransformerSession(model, where.local, where.connect, shared, compute);
             Generator generator = new Generator(session.model(), session.backend(), session.moe()))
        {
            final TransformerConfig t = session.model().transformer();
            if (maxLength != null && maxLength > t.maxLength())
            {
                throw new BadInputException("--max-length " + maxLength + " is beyond the model's max_length " +
                    t.maxLength());
            }
            final DecodeOptions options =
                new DecodeOptions(maxLength == null ? 0 : maxLength, temperature, seed, beamSize, alpha);
            final long start = System.nanoTime();
            final DecodeResult r = stream ? streamed(generator, ids, options) :
                join(generator.generate(ids.data(), ids.rows(), ids.cols(), options, (row, p, id) -> { }));
            final double millis = (System.nanoTime() - start) / 1e6;
            TensorFiles.writeInts(output, r.ids(), r.rows(), r.width());
            if (scores != null)
            {
                TensorFiles.writeFloats(scores, r.scores(), r.rows());
            }
            long tokens = 0;
            for (int b = 0; b < r.rows(); b++)
            {
                tokens += decodedLength(r, b);
            }
            final PrintStream out = stream ? System.err : System.out;
            out.printf("generate: %s, %s, %s, %.1f ms (%.0f tokens/s) %s%n", Counts.of(r.rows(), "row"),
                beamSize > 1 ? "beam " + beamSize : temperature > 0 ? "temperature " + temperature : "greedy",
                Counts.of(tokens, "token"), millis, tokens / (millis / 1e3), session.where());
            return 0;
        }
    }

    /** A decoder-only checkpoint folder: the whole language model in this process (docs §10). */
    private int generateCheckpoint()
    {
        final List<String> seedOnly = new ArrayList<>();
        for (final String flag : new String[] {"--scores", "--beam-size", "--alpha", "--max-length", "--stream",
            "--shared"})
        {
            if (spec.commandLine().getParseResult().hasMatchedOption(flag))
            {
                seedOnly.add(flag);
            }
        }
        if (!seedOnly.isEmpty())
        {
            throw new BadInputException(String.join(", ", seedOnly) + " apply to the seed's transformer models, " +
                "not to a checkpoint folder (" + model + "): give --max-new-tokens [--temperature --seed]");
        }
        if (maxNewTokens == null)
        {
            throw new BadInputException("--max-new-tokens is required: model " + model + " is a checkpoint folder");
        }
        final GenerateOptions options = new GenerateOptions(maxNewTokens, temperature, seed);
        if (output != null)
        {
            CliArgs.writableFile("--output", output);
        }
        if (prompt != null)
        {
            try (Checkpoint checkpoint = Checkpoint.open(model);
                 DecoderSession session = DecoderSession.open(checkpoint, where.local, where.connect, compute))
            {
                PromptGeneration.run(model, prompt, options, session, output, System.out, System.err);
            }
            return 0;
        }
        final TensorFiles.Ids ids = TensorFiles.readIds("--input", CliArgs.existingFile("--input", input));
        try (Checkpoint checkpoint = Checkpoint.open(model);
             DecoderSession session = DecoderSession.open(checkpoint, where.local, where.connect, compute))
        {
            final CheckpointGenerator generator = new CheckpointGenerator(session.decoder(),
                EosTokens.read(checkpoint.dir()));
            final long start = System.nanoTime();
            final int[] out;
            try
            {
                out = generator.generate(ids.data(), ids.rows(), ids.cols(), options);
            }
            catch (final BadInputException ex)
            {
                throw new BadInputException("--input " + input + ": " + ex.getMessage(), ex);
            }
            final double millis = (System.nanoTime() - start) / 1e6;
            final int width = ids.cols() + maxNewTokens;
            TensorFiles.writeInts(output, out, ids.rows(), width);
            final long tokens = newIds(ids, out, width);
            System.out.printf("generate: %s, %s, %s, %s checkpoint, " + session.where() +
                ", %.1f ms (%.0f tokens/s)%n",
                Counts.of(ids.rows(), "row"), temperature > 0 ? "temperature " + temperature : "greedy",
                Counts.of(tokens, "new token"), checkpoint.family().modelType(), millis, tokens / (millis / 1e3));
            return 0;
        }
    }

    /** Ids after each row's prompt that are not −1. */
    private static long newIds(final TensorFiles.Ids prompts, final int[] out, final int width)
    {
        long n = 0;
        for (int r = 0; r < prompts.rows(); r++)
        {
            int p = 0;
            while (p < prompts.cols() && prompts.data()[r * prompts.cols() + p] != -1)
            {
                p++;
            }
            while (p < width && out[r * width + p] != -1)
            {
                n++;
                p++;
            }
        }
        return n;
    }

    /** Refuses, before any model is loaded, a decode the heap cannot hold. */
    private void checkMemory(final TensorFiles.Ids ids)
    {
        final ModelConfig config =
            ModelConfigJson.read(CliArgs.existingDirectory("--model", model).resolve(ModelDirectory.CONFIG_FILE));
        if (config.transformer() == null)
        {
            // The session says what is wrong with a model without a transformer.
            return;
        }
        final int width = maxLength == null ? config.transformer().maxLength() :
            Math.min(maxLength, config.transformer().maxLength());
        TransformerMemory.checkDecode(config, "generate --beam-size " + beamSize + " --max-length " + width,
            ids.rows(), beamSize, width, ids.cols());
    }

    /** Positions up to the first EOS, or up to the last nonzero id of a row that never ended. */
    private static int decodedLength(final DecodeResult r, final int row)
    {
        int last = 0;
        for (int p = 0; p < r.width(); p++)
        {
            final int id = r.ids()[row * r.width() + p];
            if (id == TransformerConfig.EOS)
            {
                return p + 1;
            }
            last = id != 0 ? p + 1 : last;
        }
        return last;
    }

    private static DecodeResult streamed(final Generator generator, final TensorFiles.Ids ids,
        final DecodeOptions options)
    {
        final CountDownLatch printed = new CountDownLatch(1);
        final Generator.Generation g = generator.stream(ids.data(), ids.rows(), ids.cols(), options,
            new Flow.Subscriber<Generator.Token>()
            {
                @Override
                public void onSubscribe(final Flow.Subscription subscription)
                {
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(final Generator.Token token)
                {
                    System.out.println(token.row() + " " + token.position() + " " + token.id());
                }

                @Override
                public void onError(final Throwable throwable)
                {
                    printed.countDown();
                }

                @Override
                public void onComplete()
                {
                    System.out.flush();
                    printed.countDown();
                }
            });
        final DecodeResult result = join(g);
        try
        {
            // Every id is printed before the summary and before the generator stops its threads.
            printed.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    private static DecodeResult join(final Generator.Generation g)
    {
        try
        {
            return g.result().get();
        }
        catch (final InterruptedException ex)
        {
            g.cancel();
            Thread.currentThread().interrupt();
            throw new BadInputException("generate interrupted");
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof RuntimeException re)
            {
                throw re;
            }
            throw new CompletionException(ex.getCause());
        }
    }
}
