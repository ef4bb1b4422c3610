package dev.switchyard.bench.kernel;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.network.ExpertNetwork;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.directory.ExpertWeights;
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
 * A whole expert FFN on a block of rows: act(x·Wiᵀ + bi)·Woᵀ + bo (SwiGLU: three products). Compare
 * with the two {@link LinearBenchmark} products of the same shapes: the FFN should cost their sum.
 * GFLOP/s = 4·rows·d_model·d_ff (6· for SwiGLU) / (µs per op · 1000).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FfnBenchmark
{
    @Param({"1", "16", "256"})
    public int rows;

    @Param({"1024"})
    public int dModel;

    @Param({"4096"})
    public int dFf;

    @Param({"relu", "swiglu"})
    public String activation;

    @Param({"F32", "BF16"})
    public String weights;

    @Param({"1"})
    public int threads;

    private ComputePool pool;
    private ExpertNetwork network;
    private float[] x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final Activation act = Activation.fromConfigName(activation);
        pool = ComputePool.ofThreads(threads);
        final ExpertWeights w = new ExpertWeights(
            BenchTensors.tensor("experts.0.wi.weight", random, 1.0 / Math.sqrt(dModel), dFf, dModel),
            BenchTensors.tensor("experts.0.wi.bias", random, 0.1, dFf),
            BenchTensors.tensor("experts.0.wo.weight", random, 1.0 / Math.sqrt(dFf), dModel, dFf),
            BenchTensors.tensor("experts.0.wo.bias", random, 0.1, dModel),
            act.gated() ? BenchTensors.tensor("experts.0.wg.weight", random, 1.0 / Math.sqrt(dModel), dFf, dModel) :
            null);
        network = ExpertNetwork.load(w, act, ComputeBackends.vector(pool), WeightFormat.valueOf(weights));
        x = BenchTensors.values(random, 1.0, rows * dModel);
        y = new float[rows * dModel];
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pool.close();
    }

    @Benchmark
    public float[] forward()
    {
        network.forward(x, 0, rows, y, 0);
        return y;
    }
}
