package dev.switchyard.cli;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import dev.switchyard.compute.kernel.AutoBackend;
import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.kernel.onednn.OneDnnBackend;
import dev.switchyard.compute.kernel.vector.VectorBackend;
import dev.switchyard.compute.network.ExpertNetwork;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.directory.ExpertWeights;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code switchyard bench kernel}: times one expert kernel, y[m, n] = x[m, k]·Wᵀ (W [n, k]), or with
 * {@code --ffn} the whole expert FFN on m rows (d_model = k, d_ff = n). A timed run repeats the call until
 * it lasts at least 20 ms; the figure is 2·m·k·n per product over the median run time, printed last as
 * {@code gflops=<number>}. Compare it with {@code bench/scripts/openblas_matmul.py M K N} run back to back.
 */
@Command(
    name = "kernel",
    mixinStandardHelpOptions = true,
    description = "Time an expert kernel (one product, or the full FFN with --ffn); prints gflops=<number> last.")
public final class BenchKernelCommand implements Callable<Integer>
{
    private static final double MIN_RUN_SECONDS = 0.02;

    @Spec
    private CommandSpec spec;

    @Option(names = "--m", required = true, description = "Rows of the activation block.")
    private int m;

    @Option(names = "--k", required = true, description = "Input width (d_model with --ffn).")
    private int k;

    @Option(names = "--n", required = true, description = "Output width (d_ff with --ffn).")
    private int n;

    @Option(names = "--threads", defaultValue = "1",
        description = "Threads per call, the caller included " +
            "(default: ${DEFAULT-VALUE}, to compare with one BLAS thread).")
    private int threads;

    @Option(names = "--backend", defaultValue = "vector",
        description = "vector, native, auto or scalar (default: ${DEFAULT-VALUE}).")
    private String backendName;

    @Option(names = "--weights", defaultValue = "f32",
        description = "Weight storage, f32 or bf16 (default: ${DEFAULT-VALUE}).")
    private String weightsName;

    @Option(names = "--ffn", description = "Time the full expert FFN: act(x·Wiᵀ + bi)·Woᵀ + bo.")
    private boolean ffn;

    @Option(names = "--activation", defaultValue = "relu",
        description = "Activation of --ffn: relu, gelu, silu or swiglu (default: ${DEFAULT-VALUE}).")
    private String activationName;

    @Option(names = "--warmup", defaultValue = "10", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--runs", defaultValue = "15", description = "Timed runs, at least 10 (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random weights and inputs.")
    private long seed;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new BenchKernelCommand()).execute(args));
    }

    @Override
    public Integer call()
    {
        validate();
        final PrintStream err = System.err;
        final WeightFormat format;
        final Activation activation;
        try
        {
            format = WeightFormat.fromConfigName(weightsName);
            activation = Activation.fromConfigName(activationName);
        }
        catch (final BadInputException | IllegalArgumentException e)
        {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (ComputePool pool = ComputePool.ofThreads(threads))
        {
            final ComputeBackend backend = backend(pool);
            final Kernel kernel = ffn ? ffnKernel(backend, activation, format) : productKernel(backend, format);
            err.printf(Locale.ROOT, "%s: m=%d k=%d n=%d, %s backend (%s), %s weights, %d thread(s)%n",
                ffn ? "ffn " + activation.configName() : "product", m, k, n, backend.name(),
                describe(backend, format), format.configName(),
                threads);
            final double flops = kernel.flops();
            final double seconds = time(kernel, err);
            if (format == WeightFormat.BF16)
            {
                reportBf16Error(backend, activation, kernel, err);
            }
            reportAllocation(kernel, err);
            System.out.printf(Locale.ROOT, "gflops=%.2f%n", flops / seconds / 1e9);
        }
        return 0;
    }

    private void validate()
    {
        if (m < 1 || k < 1 || n < 1)
        {
            throw new ParameterException(spec.commandLine(), "--m, --k and --n must be at least 1");
        }
        if ((long)m * Math.max(k, n) > Integer.MAX_VALUE / 2 || (long)k * n > Integer.MAX_VALUE / 2)
        {
            throw new ParameterException(spec.commandLine(), "--m, --k, --n: the arrays would be too large");
        }
        if (threads < 1)
        {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1");
        }
        // Activations, weights and outputs, with room for a packed copy of the weights and the reference.
        MemoryBudget.require("bench kernel --m " + m + " --k " + k + " --n " + n, "m × k + k × n + m × n floats",
            Float.BYTES * 2.0 * ((double)m * k + (double)k * n + (double)m * n),
            Math.max((double)m * k, (double)k * n));
        if (runs < 10)
        {
            throw new ParameterException(spec.commandLine(), "--runs must be at least 10 (the figure is a median)");
        }
        if (warmup < 0)
        {
            throw new ParameterException(spec.commandLine(), "--warmup must be at least 0");
        }
    }

    private ComputeBackend backend(final ComputePool pool)
    {
        try
        {
            return ComputeBackends.byName(backendName, pool);
        }
        catch (final BadInputException e)
        {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * Warms up (each warm-up run calls until 20 ms have passed, which also lets the JIT compile the
     * kernels), takes the calls per timed run from the last warm-up run, then returns the median seconds
     * of one call over the timed runs.
     */
    private double time(final Kernel kernel, final PrintStream err)
    {
        int reps = 1;
        for (int i = 0; i < Math.max(1, warmup); i++)
        {
            final long start = System.nanoTime();
            int calls = 0;
            do
            {
                kernel.call();
                calls++;
            }
            while (System.nanoTime() - start < MIN_RUN_SECONDS * 1e9);
            reps = calls;
        }
        final double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            final long start = System.nanoTime();
            for (int r = 0; r < reps; r++)
            {
                kernel.call();
            }
            seconds[i] = (System.nanoTime() - start) / 1e9 / reps;
            err.printf(Locale.ROOT, "run %d: %.1f GFLOP/s (%d calls)%n", i, kernel.flops() / seconds[i] / 1e9, reps);
        }
        Arrays.sort(seconds);
        return runs % 2 == 1 ? seconds[runs / 2] : 0.5 * (seconds[runs / 2 - 1] + seconds[runs / 2]);
    }

    /** bf16 against float32 weights on the same data: max |y_bf16 − y_f32| / max |y_f32|. */
    private void reportBf16Error(
        final ComputeBackend backend, final Activation activation, final Kernel kernel, final PrintStream err)
    {
        final Kernel reference = ffn ? ffnKernel(backend, activation, WeightFormat.F32) :
            productKernel(backend, WeightFormat.F32);
        kernel.call();
        reference.call();
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < kernel.output().length; i++)
        {
            maxDiff = Math.max(maxDiff, Math.abs(kernel.output()[i] - reference.output()[i]));
            maxRef = Math.max(maxRef, Math.abs(reference.output()[i]));
        }
        err.printf(Locale.ROOT, "bf16 vs f32 weights: max relative error %.3e (max |diff| %.3e, max |y| %.3e)%n",
            maxDiff / maxRef, maxDiff, maxRef);
    }

    private static void reportAllocation(final Kernel kernel, final PrintStream err)
    {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads &&
            threads.isThreadAllocatedMemorySupported())
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10; i++)
            {
                kernel.call();
            }
            final long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            err.printf(Locale.ROOT, "heap allocated by the calling thread: %.1f bytes per call%n", bytes / 10.0);
        }
    }

    private Kernel productKernel(final ComputeBackend backend, final WeightFormat format)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final F32Tensor w = tensor("w", random, 1.0 / Math.sqrt(k), n, k);
        final PackedLinear packed = backend.pack(w, null, format);
        final float[] x = values(random, 1.0, (long)m * k);
        final float[] y = new float[m * n];
        return new Kernel(2.0 * m * k * n, y, () -> backend.linear(packed, Epilogue.NONE, x, 0, m, y, 0));
    }

    private Kernel ffnKernel(final ComputeBackend backend, final Activation activation, final WeightFormat format)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final double wiScale = 1.0 / Math.sqrt(k);
        final ExpertWeights weights = new ExpertWeights(
            tensor("experts.0.wi.weight", random, wiScale, n, k),
            tensor("experts.0.wi.bias", random, 0.1, n),
            tensor("experts.0.wo.weight", random, 1.0 / Math.sqrt(n), k, n),
            tensor("experts.0.wo.bias", random, 0.1, k),
            activation.gated() ? tensor("experts.0.wg.weight", random, wiScale, n, k) : null);
        final ExpertNetwork network = ExpertNetwork.load(weights, activation, backend, format);
        final float[] x = values(random, 1.0, (long)m * k);
        final float[] y = new float[m * k];
        final double products = activation.gated() ? 3 : 2;
        return new Kernel(2.0 * products * m * k * n, y, () -> network.forward(x, 0, m, y, 0));
    }

    /** Uniform in [−scale·√3, scale·√3): standard deviation {@code scale}. */
    private static F32Tensor tensor(final String name, final SplittableRandom random, final double scale,
        final long... shape)
    {
        long count = 1;
        for (final long d : shape)
        {
            count *= d;
        }
        final MemorySegment data = Arena.ofAuto().allocate(count * Float.BYTES, 64);
        final float[] values = values(random, scale, count);
        MemorySegment.copy(values, 0, data, F32Tensor.LE_FLOAT, 0, values.length);
        return new F32Tensor(name, shape, data);
    }

    private static float[] values(final SplittableRandom random, final double scale, final long count)
    {
        final float[] values = new float[Math.toIntExact(count)];
        final double half = scale * Math.sqrt(3.0);
        for (int i = 0; i < values.length; i++)
        {
            values[i] = (float)random.nextDouble(-half, half);
        }
        return values;
    }

    /** One timed call and what it computes. */
    private record Kernel(double flops, float[] output, Runnable body)
    {
        void call()
        {
            body.run();
        }
    }

    private static String describe(final ComputeBackend backend, final WeightFormat format)
    {
        return switch (backend)
        {
            case VectorBackend v -> VectorBackend.geometry();
            case OneDnnBackend o -> o.describe(format);
            case AutoBackend a -> a.backendFor(format).name() + ", " + describe(a.backendFor(format), format);
            default -> "plain loops";
        };
    }
}
