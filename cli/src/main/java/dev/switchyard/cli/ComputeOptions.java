package dev.switchyard.cli;

import java.util.Locale;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.WeightFormat;
import picocli.CommandLine.Option;

/** How experts compute in this process: backend, threads, weight storage. */
final class ComputeOptions
{
    @Option(names = "--threads", paramLabel = "T",
        description = "Compute threads for the experts (default: the machine's cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--backend", paramLabel = "B",
        description = "vector | native | auto | scalar (default: ${DEFAULT-VALUE}); see README \"Expert compute\".")
    String backend = "vector";

    @Option(names = "--weights", paramLabel = "W",
        description = "f32 | bf16 weight storage (default: f32; a checkpoint's bf16 weights stay bf16).")
    String weights;

    ComputePool pool()
    {
        CliArgs.positive("--threads", threads);
        return threads == 1 ? ComputePool.callerOnly() : ComputePool.ofThreads(threads);
    }

    ComputeBackend backend(final ComputePool pool)
    {
        return ComputeBackends.byName(ComputeBackends.requireName("--backend", backend), pool);
    }

    /**
     * The same choices for the experts of a system this process starts (HOCON): one set of bits whether a
     * layer runs in process or through that system.
     */
    String systemSettings()
    {
        return "switchyard.experts.compute-threads = " + Math.max(1, threads) + "\n" +
            "switchyard.experts.compute-backend = " + backend;
    }

    WeightFormat weightFormat()
    {
        return weights == null ? WeightFormat.F32 : checkpointWeightFormat();
    }

    /** The format asked for, or null: a checkpoint's experts then keep its stored type (bf16 stays bf16). */
    WeightFormat checkpointWeightFormat()
    {
        return weights == null ? null : CliArgs.parse("--weights", weights, w -> switch (w.toLowerCase(Locale.ROOT))
        {
            case "f32" -> WeightFormat.F32;
            case "bf16" -> WeightFormat.BF16;
            default -> throw new IllegalArgumentException("must be f32 or bf16 (got '" + w + "')");
        });
    }
}
