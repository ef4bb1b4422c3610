package dev.switchyard.tools.loadgen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.node.record.RecordingSystems;
import dev.switchyard.tools.replay.ScheduledRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadGeneratorTest
{
    static final int D = RecordingSystems.D;
    static final int E = 4;

    static float[] router(final Path dir)
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, RecordingSystems.config(), 1, 42);
        try (ModelDirectory model = ModelDirectory.open(modelDir))
        {
            return model.router(0).toArray();
        }
    }

    static List<ScheduledRequest> stream(final long seed, final float[] router, final String arrivals)
    {
        final LoadGenerator generator = new LoadGenerator(new Arrivals(arrivals, 200, 2.0), 2_000_000_000L, 1, 40,
            D, false, seed, router, E, 1.5);
        final List<ScheduledRequest> out = new ArrayList<>();
        generator.forEach(out::add);
        return out;
    }

    @Test
    void theSameSeedGivesTheSameRequestStream(@TempDir final Path dir)
    {
        final float[] router = router(dir);
        for (final String arrivals : List.of("constant", "poisson", "gamma"))
        {
            final List<ScheduledRequest> a = stream(7, router, arrivals);
            final List<ScheduledRequest> b = stream(7, router, arrivals);
            assertTrue(a.size() > 100, arrivals + ": " + a.size());
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++)
            {
                assertEquals(a.get(i).offsetNs(), b.get(i).offsetNs());
                assertEquals(a.get(i).rows(), b.get(i).rows());
                assertArrayEquals(a.get(i).tokens(), b.get(i).tokens());
            }
            final List<ScheduledRequest> other = stream(8, router, arrivals);
            assertFalse(java.util.Arrays.equals(a.getFirst().tokens(), other.getFirst().tokens()));
        }
    }

    @Test
    void skewMakesTheRouterPreferOneExpert(@TempDir final Path dir)
    {
        final float[] router = router(dir);
        final int[] first = new int[E];
        long tokens = 0;
        for (final ScheduledRequest r : stream(3, router, "poisson"))
        {
            for (int t = 0; t < r.rows(); t++)
            {
                int best = 0;
                double bestLogit = Double.NEGATIVE_INFINITY;
                for (int e = 0; e < E; e++)
                {
                    double logit = 0;
                    for (int j = 0; j < D; j++)
                    {
                        logit += r.tokens()[t * D + j] * router[e * D + j];
                    }
                    if (logit > bestLogit)
                    {
                        bestLogit = logit;
                        best = e;
                    }
                }
                first[best]++;
                tokens++;
            }
        }
        final int hottest = java.util.Arrays.stream(first).max().orElseThrow();
        // Zipf 1.5 over 4 experts gives the hottest about 58% of the tokens; uniform would be 25%.
        assertTrue(hottest > 0.45 * tokens, java.util.Arrays.toString(first));
    }

    @Test
    void gammaArrivalsKeepTheMeanRateAndAreBurstier()
    {
        final LoadGenerator poisson = new LoadGenerator(new Arrivals("poisson", 1000, 1), 20_000_000_000L, 1, 1, D,
            false, 1, null, E, 0);
        final LoadGenerator gamma = new LoadGenerator(new Arrivals("gamma", 1000, 3), 20_000_000_000L, 1, 1, D,
            false, 1, null, E, 0);
        final double[] p = gapStats(poisson);
        final double[] g = gapStats(gamma);
        assertEquals(1e6, p[0], 0.05e6);
        assertEquals(1e6, g[0], 0.1e6);
        assertEquals(1.0, p[1], 0.1);
        assertTrue(g[1] > 2.5, "gamma burstiness 3 gives a coefficient of variation near 3: " + g[1]);
    }

    /** Mean gap (ns) and coefficient of variation. */
    private static double[] gapStats(final LoadGenerator generator)
    {
        final List<Long> offsets = new ArrayList<>();
        generator.forEach(r -> offsets.add(r.offsetNs()));
        double sum = 0;
        double sumSq = 0;
        for (int i = 1; i < offsets.size(); i++)
        {
            final double gap = offsets.get(i) - offsets.get(i - 1);
            sum += gap;
            sumSq += gap * gap;
        }
        final int n = offsets.size() - 1;
        final double mean = sum / n;
        return new double[] {mean, Math.sqrt(sumSq / n - mean * mean) / mean};
    }
}
