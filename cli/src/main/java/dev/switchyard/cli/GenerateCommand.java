package dev.switchyard.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;

import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.io.ModelConfigJson;
import dev.switchyard.transformer.decode.DecodeOptions;
import dev.switchyard.transformer.decode.DecodeResult;
import dev.switchyard.transformer.decode.Generator;
import dev.switchyard.transformer.io.TensorFiles;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code switchyard generate}: decodes with a transformer model, its MoE layers through the system. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Decode with a transformer model: greedy, temperature sampling or beam search.")
final class GenerateCommand implements Callable<Integer>
{
    @Option(names = "--model", required = true, paramLabel = "DIR",
        description = "Model directory (with a transformer).")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "IDS.npy",
        description = "int32 [B, L_in], 0-padded: the forced prefix (decoder) or the source (encdec).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "OUT.npy",
        description = "Decoded ids, int32 [B, max_length].")
    Path output;

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

    @Override
    public Integer call()
    {
        if (maxLength != null && maxLength < 1)
        {
            throw new BadInputException("--max-length must be at least 1 (got " + maxLength + "; leave it out for " +
                "the model's max_length)");
        }
        CliArgs.positive("--beam-size", beamSize);
        where.check(false);
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
