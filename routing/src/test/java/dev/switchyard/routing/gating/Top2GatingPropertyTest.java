package dev.switchyard.routing.gating;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.routing.plan.Combine;
import dev.switchyard.routing.plan.Dispatch;
import dev.switchyard.routing.plan.DropCause;
import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.routing.plan.TokenGroups;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The sparse gating, dispatch and combine against the dense einsum reference of the seed, on random
 * cases that cover capacity drops of first and second choices, exact ties, every policy, both
 * normalize variants, importance 0 / 0.5 / 1 (and outside [0, 1]), groups that do not divide the token
 * count, and min_capacity above and below the formula. Routing and outputs must agree bit for bit.
 */
class Top2GatingPropertyTest
{
    private static final int CASES = 1500;

    @Test
    void sparsePathEqualsDenseReferenceOnRandomCases()
    {
        final SplittableRandom random = new SplittableRandom(20261129L);
        final Coverage coverage = new Coverage();
        for (int i = 0; i < CASES; i++)
        {
            final long caseSeed = random.nextLong();
            try
            {
                runCase(new SplittableRandom(caseSeed), coverage);
            }
            catch (final AssertionError e)
            {
                fail("case " + i + " (seed " + caseSeed + "): " + e.getMessage(), e);
            }
        }
        coverage.assertEverythingSeen();
    }

    private static void runCase(final SplittableRandom r, final Coverage coverage)
    {
        final int experts = 2 + r.nextInt(8);
        final int groupSize = 1 + r.nextInt(40);
        final int tokens = 1 + r.nextInt(100);
        final int d = 1 + r.nextInt(5);
        final double[] factors = {0.25, 0.5, 1.0, 1.25, 2.0, 3.0};
        final double[] thresholds = {0.0, 0.05, 0.2, 0.45, 1.0};
        final RoutingConfig cfg = new RoutingConfig(
            groupSize,
            factors[r.nextInt(factors.length)],
            r.nextInt(7),
            SecondPolicy.values()[r.nextInt(4)],
            thresholds[r.nextInt(thresholds.length)],
            Normalize.values()[r.nextInt(2)],
            r.nextBoolean(),
            r.nextLong());
        coverage.policies.merge(cfg.secondPolicy(), 1, Integer::sum);
        coverage.normalize.merge(cfg.normalize(), 1, Integer::sum);

        final float[] x = new float[tokens * d];
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)r.nextGaussian();
        }
        final float[] gates = randomGates(r, tokens, experts, coverage);
        final float[] importance = randomImportance(r, tokens, coverage);
        final TestExperts net = new TestExperts(r, experts, d);

        // A third of the cases answer degraded: some experts unreachable (capacity 0). Drawn last, so
        // that the other draws of a case are those it had before degraded cases existed.
        final boolean[] unavailable = randomUnavailable(new SplittableRandom(r.nextLong() ^ 0x5DEECE66DL), experts);
        if (unavailable != null)
        {
            coverage.degraded++;
        }
        final TokenGroups groups = new TokenGroups(tokens, groupSize);
        if (tokens % groupSize != 0)
        {
            coverage.shortLastGroup++;
        }
        final Top2Gating gating = new Top2Gating(cfg, experts, groupSize);
        final RoutingPlan plan = new RoutingPlan(groupSize, experts);
        final float[] block = new float[plan.maxBlockRows() * d];
        final float[] blockOut = new float[plan.maxBlockRows() * d];
        final float[] uniforms = new float[groupSize];
        for (int gi = 0; gi < groups.count(); gi++)
        {
            final int start = groups.start(gi);
            final int g = groups.size(gi);
            final float[] groupGates = new float[g * experts];
            System.arraycopy(gates, start * experts, groupGates, 0, g * experts);
            float[] groupImportance = null;
            if (importance != null)
            {
                groupImportance = new float[g];
                System.arraycopy(importance, start, groupImportance, 0, g);
            }
            final long ordinal = 1000L + gi;
            GroupUniforms.fill(cfg.randomSeed(), ordinal, g, uniforms);

            gating.route(groupGates, g, importance, start, ordinal, unavailable, plan);
            final DenseTop2Reference.Result ref =
                DenseTop2Reference.gate(groupGates, g, experts, groupImportance, uniforms, cfg, unavailable);
            if (unavailable != null)
            {
                for (int t = 0; t < g; t++)
                {
                    assertTrue(plan.expert1(t) < 0 || !unavailable[plan.expert1(t)], "first choice to an unavailable expert");
                    assertTrue(plan.expert2(t) < 0 || !unavailable[plan.expert2(t)], "second choice to an unavailable expert");
                }
            }

            final int formula = (int)Math.floor(g * cfg.capacityFactor() / experts);
            if (cfg.minCapacity() > Math.min(g, formula))
            {
                coverage.minCapacityAbove++;
            }
            else
            {
                coverage.minCapacityBelow++;
            }
            assertEquals(ref.capacity(), plan.capacity(), "capacity");
            for (int t = 0; t < g; t++)
            {
                final String where = "group " + gi + " token " + t;
                assertEquals(ref.expert1()[t], plan.expert1(t), where + " expert1");
                assertEquals(ref.position1()[t], plan.position1(t), where + " position1");
                assertEquals(ref.expert2()[t], plan.expert2(t), where + " expert2");
                assertEquals(ref.position2()[t], plan.position2(t), where + " position2");
                assertBitEqual(ref.gate1()[t], plan.gate1(t), where + " gate1");
                assertBitEqual(ref.gate2()[t], plan.gate2(t), where + " gate2");
            }
            assertEquals(ref.loss(), plan.auxLoss(), 1e-5 * Math.max(1.0, Math.abs(ref.loss())), "aux loss");
            for (int e = 0; e < experts; e++)
            {
                assertEquals(ref.density1()[e], plan.density1(e), 1e-6f, "density1[" + e + "]");
                assertEquals(ref.density2()[e], plan.density2(e), 1e-6f, "density2[" + e + "]");
            }
            assertCombineTensorMatches(ref, plan, g, experts);
            assertDropsAccountForEveryAssignment(ref, plan, g, experts, unavailable);
            coverage.droppedFirst += plan.droppedFirstByCapacity();
            coverage.droppedSecond += plan.droppedSecondByCapacity();

            // Outputs: dispatch → experts → combine against moe_v0's einsums, bit for bit.
            final float[] groupX = new float[g * d];
            System.arraycopy(x, start * d, groupX, 0, g * d);
            final float[] expected = DenseTop2Reference.layer(ref, groupX, g, experts, d, net);
            final float[] y = new float[(start + g) * d + 3];
            Combine.clear(y, start * d, g, d);
            for (int e = experts - 1; e >= 0; e--)
            {
                Dispatch.gather(plan, e, x, start * d, d, block);
                for (int s = 0; s < plan.slotCount(e); s++)
                {
                    net.apply(e, block, s * d, blockOut, s * d);
                }
                Combine.accumulate(plan, e, blockOut, d, y, start * d);
            }
            for (int i = 0; i < g * d; i++)
            {
                assertBitEqual(expected[i], y[start * d + i], "group " + gi + " output " + i);
            }
        }
    }

    /** Null for two cases in three; otherwise 1 .. E-1 experts marked unavailable. */
    private static boolean[] randomUnavailable(final SplittableRandom r, final int experts)
    {
        if (r.nextInt(3) != 0)
        {
            return null;
        }
        final boolean[] unavailable = new boolean[experts];
        final int count = 1 + r.nextInt(experts - 1);
        for (int i = 0; i < count; i++)
        {
            unavailable[r.nextInt(experts)] = true;
        }
        return unavailable;
    }

    /**
     * Per expert, the kept assignments are the reference's; over the group, kept and dropped add up
     * to two per token, and the causes add up to the group's totals.
     */
    private static void assertDropsAccountForEveryAssignment(
        final DenseTop2Reference.Result ref, final RoutingPlan plan, final int g, final int experts,
        final boolean[] unavailable)
    {
        int all = 0;
        int capacityOrUnavailable = 0;
        int policy = 0;
        int importance = 0;
        for (int e = 0; e < experts; e++)
        {
            int kept = 0;
            for (int t = 0; t < g; t++)
            {
                kept += (ref.expert1()[t] == e ? 1 : 0) + (ref.expert2()[t] == e ? 1 : 0);
            }
            assertEquals(kept, plan.slotCount(e), "kept assignments of expert " + e);
            all += plan.slotCount(e);
            for (final DropCause cause : DropCause.all())
            {
                all += plan.dropped(cause, e);
            }
            final boolean down = unavailable != null && unavailable[e];
            if (down)
            {
                assertEquals(0, plan.dropped(DropCause.FIRST_CAPACITY, e) + plan.dropped(DropCause.SECOND_CAPACITY, e),
                    "capacity drops of unavailable expert " + e);
            }
            else
            {
                assertEquals(0, plan.dropped(DropCause.UNAVAILABLE, e), "unavailable drops of expert " + e);
            }
            capacityOrUnavailable += plan.dropped(DropCause.FIRST_CAPACITY, e) +
                plan.dropped(DropCause.SECOND_CAPACITY, e) + plan.dropped(DropCause.UNAVAILABLE, e);
            policy += plan.dropped(DropCause.SECOND_POLICY, e);
            importance += plan.dropped(DropCause.IMPORTANCE, e);
        }
        assertEquals(2 * g, all, "kept and dropped assignments");
        assertEquals(plan.droppedFirstByCapacity() + plan.droppedSecondByCapacity(), capacityOrUnavailable, "capacity drops");
        assertEquals(plan.secondRemovedByPolicy(), policy, "policy drops");
        assertEquals(plan.maskedByImportance(), importance, "importance drops");
    }

    private static void assertCombineTensorMatches(
        final DenseTop2Reference.Result ref, final RoutingPlan plan, final int g, final int experts)
    {
        final int c = ref.capacity();
        final float[] sparse = new float[g * experts * c];
        for (int e = 0; e < experts; e++)
        {
            assertTrue(plan.slotCount(e) <= c, "expert " + e + " over capacity");
            for (int s = 0; s < plan.slotCount(e); s++)
            {
                sparse[(plan.slotToken(e, s) * experts + e) * c + s] += plan.slotGate(e, s);
            }
        }
        for (int i = 0; i < sparse.length; i++)
        {
            assertBitEqual(ref.combine()[i], sparse[i], "combine tensor element " + i);
        }
    }

    private static float[] randomGates(final SplittableRandom r, final int tokens, final int experts, final Coverage cov)
    {
        final float[] logits = new float[tokens * experts];
        final int mode = r.nextInt(4);
        for (int t = 0; t < tokens; t++)
        {
            for (int e = 0; e < experts; e++)
            {
                logits[t * experts + e] = switch (mode)
                {
                    // Few distinct values: exact ties at the top and in second place.
                    case 0 -> r.nextInt(3) * 0.5f;
                    // A skewed router: one expert takes most first choices, so capacity drops.
                    case 1 -> (float)r.nextGaussian() + (e == 0 ? 3f : 0f);
                    // Extreme logits: gates underflow to exact zeros.
                    case 2 -> r.nextInt(5) == 0 ? 150f : (float)r.nextGaussian();
                    default -> (float)r.nextGaussian() * 2f;
                };
            }
            Softmax.inPlace(logits, t * experts, experts);
            if (hasTopTie(logits, t * experts, experts))
            {
                cov.ties++;
            }
        }
        return logits;
    }

    private static boolean hasTopTie(final float[] g, final int off, final int n)
    {
        float max = Float.NEGATIVE_INFINITY;
        int count = 0;
        for (int e = 0; e < n; e++)
        {
            if (g[off + e] > max)
            {
                max = g[off + e];
                count = 1;
            }
            else if (g[off + e] == max)
            {
                count++;
            }
        }
        return count > 1;
    }

    private static float[] randomImportance(final SplittableRandom r, final int tokens, final Coverage cov)
    {
        if (r.nextInt(4) == 0)
        {
            return null;
        }
        final float[] values = {0f, 0.5f, 1f, 1f, 1f, 2f, -1f};
        final float[] imp = new float[tokens];
        for (int t = 0; t < tokens; t++)
        {
            imp[t] = values[r.nextInt(values.length)];
            if (imp[t] == 0.5f)
            {
                cov.halfImportance++;
            }
            else if (imp[t] == 0f)
            {
                cov.zeroImportance++;
            }
        }
        return imp;
    }

    private static void assertBitEqual(final float expected, final float actual, final String what)
    {
        if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual))
        {
            fail(what + ": expected " + expected + " but was " + actual);
        }
    }

    /** A small deterministic ReLU network per expert, computed row by row. */
    private static final class TestExperts implements DenseTop2Reference.ExpertFunction
    {
        private final float[][] w;
        private final float[][] b;
        private final int d;

        TestExperts(final SplittableRandom r, final int experts, final int d)
        {
            this.d = d;
            w = new float[experts][d * d];
            b = new float[experts][d];
            for (int e = 0; e < experts; e++)
            {
                for (int i = 0; i < d * d; i++)
                {
                    w[e][i] = (float)r.nextGaussian();
                }
                for (int i = 0; i < d; i++)
                {
                    b[e][i] = (float)r.nextGaussian() * 0.1f;
                }
            }
        }

        @Override
        public void apply(final int expert, final float[] in, final int inOff, final float[] out, final int outOff)
        {
            for (int j = 0; j < d; j++)
            {
                float s = b[expert][j];
                for (int k = 0; k < d; k++)
                {
                    s += in[inOff + k] * w[expert][j * d + k];
                }
                out[outOff + j] = Math.max(0f, s);
            }
        }
    }

    private static final class Coverage
    {
        final Map<SecondPolicy, Integer> policies = new EnumMap<>(SecondPolicy.class);
        final Map<Normalize, Integer> normalize = new EnumMap<>(Normalize.class);
        int ties;
        int droppedFirst;
        int droppedSecond;
        int halfImportance;
        int zeroImportance;
        int shortLastGroup;
        int minCapacityAbove;
        int minCapacityBelow;
        int degraded;

        void assertEverythingSeen()
        {
            assertEquals(4, policies.size(), "policies covered " + policies);
            assertEquals(2, normalize.size(), "normalize variants covered " + normalize);
            assertTrue(ties > 100, "ties " + ties);
            assertTrue(droppedFirst > 100, "first choices dropped " + droppedFirst);
            assertTrue(droppedSecond > 100, "second choices dropped " + droppedSecond);
            assertTrue(halfImportance > 100 && zeroImportance > 100, "importance 0.5 / 0 tokens");
            assertTrue(shortLastGroup > 100, "short last groups " + shortLastGroup);
            assertTrue(minCapacityAbove > 100 && minCapacityBelow > 100, "min_capacity above/below formula");
            assertTrue(degraded > 100, "cases with unavailable experts " + degraded);
        }
    }
}
