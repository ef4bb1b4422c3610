package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.SplittableRandom;

import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.model.io.RoutingReport;
import dev.switchyard.model.io.RoutingReportReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.switchyard.cli.CliTest.assertUserError;
import static dev.switchyard.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code infer --local --unavailable-experts}: the degraded answer of docs/contracts.md §3. Against the same
 * tokens with every expert: assignments to the named experts are dropped, every other one keeps its
 * expert, position and gate (before_capacity), the balancing loss is unchanged, and the outputs of
 * tokens that lost nothing are bit-identical.
 */
class InferUnavailableExpertsTest
{
    private static final int D = 12;
    private static final int T = 90;

    @TempDir
    Path dir;

    @Test
    void namedExpertsGetCapacityZeroAndNothingElseChanges()
    {
        final Path model = dir.resolve("model");
        assertEquals(0, cli("model", "init", "--out", model.toString(), "--d-model", String.valueOf(D), "--d-ff", "20",
            "--experts", "6", "--seed", "5", "--group-size", "30", "--capacity-factor", "2.0").status());
        final float[] x = new float[T * D];
        final SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)r.nextGaussian();
        }
        final Path tokens = dir.resolve("x.npy");
        Npy.write(tokens, NpyArray.matrix(T, D, x));

        final CliTest.Run all = cli("infer", "--model", model.toString(), "--input", tokens.toString(),
            "--output", dir.resolve("y.npy").toString(), "--routing", dir.resolve("r.json").toString(), "--local");
        assertEquals(0, all.status(), all.err());
        final CliTest.Run degraded = cli("infer", "--model", model.toString(), "--input", tokens.toString(),
            "--output", dir.resolve("y-degraded.npy").toString(), "--routing", dir.resolve("r-degraded.json").toString(),
            "--local", "--unavailable-experts", "1,4");
        assertEquals(0, degraded.status(), degraded.err());
        assertTrue(degraded.out().strip().endsWith("without experts 1,4"), degraded.out());

        final RoutingReport full = RoutingReportReader.read(dir.resolve("r.json"));
        final RoutingReport cut = RoutingReportReader.read(dir.resolve("r-degraded.json"));
        assertArrayEquals(full.capacity(), cut.capacity());
        assertArrayEquals(full.auxLoss(), cut.auxLoss());
        final float[] y = Npy.read(dir.resolve("y.npy")).data();
        final float[] yCut = Npy.read(dir.resolve("y-degraded.npy")).data();
        int lost = 0;
        int untouched = 0;
        for (int t = 0; t < T; t++)
        {
            final boolean lost1 = full.expert1()[t] == 1 || full.expert1()[t] == 4;
            final boolean lost2 = full.expert2()[t] == 1 || full.expert2()[t] == 4;
            assertSlot(full.expert1()[t], full.position1()[t], full.gate1()[t], lost1,
                cut.expert1()[t], cut.position1()[t], cut.gate1()[t], "token " + t + " first");
            assertSlot(full.expert2()[t], full.position2()[t], full.gate2()[t], lost2,
                cut.expert2()[t], cut.position2()[t], cut.gate2()[t], "token " + t + " second");
            if (lost1 || lost2)
            {
                lost++;
            }
            else
            {
                untouched++;
                for (int c = 0; c < D; c++)
                {
                    assertEquals(Float.floatToRawIntBits(y[t * D + c]), Float.floatToRawIntBits(yCut[t * D + c]),
                        "token " + t + " column " + c);
                }
            }
            if (cut.expert1()[t] < 0 && cut.expert2()[t] < 0)
            {
                for (int c = 0; c < D; c++)
                {
                    assertEquals(0f, yCut[t * D + c], "token " + t + " has no expert left: zeros");
                }
            }
        }
        assertTrue(lost > 10 && untouched > 10, "lost " + lost + ", untouched " + untouched);
    }

    private static void assertSlot(
        final int expert, final int position, final float gate, final boolean lost,
        final int cutExpert, final int cutPosition, final float cutGate, final String what)
    {
        if (lost)
        {
            assertEquals(-1, cutExpert, what);
            assertEquals(-1, cutPosition, what);
            assertEquals(0f, cutGate, what);
        }
        else
        {
            assertEquals(expert, cutExpert, what);
            assertEquals(position, cutPosition, what);
            assertEquals(gate, cutGate, what);
        }
    }

    @Test
    void badExpertListsAreOneClearError()
    {
        final Path model = dir.resolve("m");
        assertEquals(0, cli("model", "init", "--out", model.toString(), "--d-model", "8", "--d-ff", "8",
            "--experts", "4").status());
        final Path tokens = dir.resolve("t.npy");
        Npy.write(tokens, NpyArray.matrix(3, 8, new float[24]));
        final String[] base = {"infer", "--model", model.toString(), "--input", tokens.toString(),
            "--output", dir.resolve("o.npy").toString()};
        assertUserError(cli(concat(base, "--local", "--unavailable-experts", "2,7")), "expert 7 does not exist");
        assertUserError(cli(concat(base, "--local", "--unavailable-experts", "two")), "'two' is not an expert number");
        assertUserError(cli(concat(base, "--unavailable-experts", "1")), "--unavailable-experts needs --local");
    }

    private static String[] concat(final String[] a, final String... b)
    {
        final String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
