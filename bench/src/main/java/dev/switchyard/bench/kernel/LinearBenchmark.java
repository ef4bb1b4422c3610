package dev.switchyard.bench.kernel;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One expert product y[m, n] = x[m, k]·Wᵀ, the kernel of {@code switchyard bench kernel}.
 * GFLOP/s = 2·m·k·n / (µs per op · 1000). Run, e.g.:
 * <pre>
 * java -cp 'bench/target/classes:bench/target/lib/*' org.openjdk.jmh.Main LinearBenchmark -p m=16,64 -p weights=BF16
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class LinearBenchmark
{
    @Param({"1", "16", "64", "256"})
    public int m;

    /** k×n: the expert's first product shape and its second. */
    @Param({"1024x4096", "4096x1024"})
    public String kn;

    @Param({"F32", "BF16"})
    public String weights;

    @Param({"vector"})
    public String backend;

    @Param({"1"})
    public int threads;

    private ComputePool pool;
    private ComputeBackend compute;
    private PackedLinear packed;
    private float[] x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp()
    {
        final int k = Integer.parseInt(kn.substring(0, kn.indexOf('x')));
        final int n = Integer.parseInt(kn.substring(kn.indexOf('x') + 1));
        final SplittableRandom random = new SplittableRandom(42);
        pool = ComputePool.ofThreads(threads);
        compute = ComputeBackends.byName(backend, pool);
        packed = compute.pack(BenchTensors.tensor("w", random, 1.0 / Math.sqrt(k), n, k), null,
            WeightFormat.valueOf(weights));
        x = BenchTensors.values(random, 1.0, m * k);
        y = new float[m * n];
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pool.close();
    }

    @Benchmark
    public float[] product()
    {
        compute.linear(packed, Epilogue.NONE, x, 0, m, y, 0);
        return y;
    }
}
