package dev.switchyard.bench.gating;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.switchyard.compute.router.RouterProjection;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.routing.gating.Softmax;
import dev.switchyard.routing.gating.Top2Gating;
import dev.switchyard.routing.plan.RoutingPlan;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What gating costs per group next to the router's own matrix product (G × d · d × E).
 * {@code routerMatmul} is logits = x·Wᵣᵀ; {@code softmax} turns them into gates; {@code top2Gating} is
 * the rest of the seed (top-2, importance, loss, policy, positions, slot table). Run with {@code -prof gc}
 * to see that a routed group allocates nothing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-modules", "jdk.incubator.vector", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class GatingBenchmark
{
    @Param("1024")
    public int groupSize;

    @Param("64")
    public int experts;

    @Param("1024")
    public int dModel;

    @Param({"all", "random"})
    public String policy;

    private RouterProjection router;
    private Top2Gating gating;
    private RoutingPlan plan;
    private float[] x;
    private float[] logits;
    private float[] gates;
    private float[] scratch;
    private long ordinal;

    @Setup(Level.Trial)
    public void setUp()
    {
        final SplittableRandom r = new SplittableRandom(7);
        final float[] w = new float[experts * dModel];
        for (int i = 0; i < w.length; i++)
        {
            w[i] = (float)(r.nextGaussian() / Math.sqrt(dModel));
        }
        router = new RouterProjection(
            new F32Tensor("router.weight", new long[] {experts, dModel}, MemorySegment.ofArray(w)));
        x = new float[groupSize * dModel];
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)r.nextGaussian();
        }
        logits = new float[groupSize * experts];
        gates = new float[groupSize * experts];
        scratch = new float[groupSize * experts];
        router.gates(x, 0, groupSize, gates);
        router.logits(x, 0, groupSize, logits);
        final RoutingConfig cfg = RoutingConfig.defaults()
            .withGroupSize(groupSize)
            .withSecondPolicy(SecondPolicy.fromConfigName(policy));
        gating = new Top2Gating(cfg, experts, groupSize);
        plan = new RoutingPlan(groupSize, experts);
    }

    @Benchmark
    public float[] routerMatmul()
    {
        router.logits(x, 0, groupSize, scratch);
        return scratch;
    }

    @Benchmark
    public float[] softmax()
    {
        System.arraycopy(logits, 0, scratch, 0, scratch.length);
        for (int t = 0; t < groupSize; t++)
        {
            Softmax.inPlace(scratch, t * experts, experts);
        }
        return scratch;
    }

    @Benchmark
    public RoutingPlan top2Gating()
    {
        gating.route(gates, groupSize, null, 0, ordinal++, plan);
        return plan;
    }
}
