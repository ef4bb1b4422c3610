package dev.switchyard.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.model.io.RoutingReport;
import dev.switchyard.model.io.RoutingReportReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI as a user meets it: real model directories and token files, exit codes, one-line errors. */
class CliTest
{
    @TempDir
    static Path dir;

    static Path model;
    static Path tokens;

    record Run(int status, String out, String err)
    {
    }

    static Run cli(final String... args)
    {
        final PrintStream oldOut = System.out;
        final PrintStream oldErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            final int status = Main.run(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static void assertUserError(final Run run, final String expectedPart)
    {
        assertEquals(Main.EXIT_USER_ERROR, run.status(), run.err());
        final String err = run.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
        assertTrue(err.contains(expectedPart), "'" + err + "' names " + expectedPart);
    }

    @BeforeAll
    static void createModelAndTokens()
    {
        model = dir.resolve("model");
        final Run init = cli("model", "init", "--out", model.toString(), "--d-model", "24", "--d-ff", "40",
            "--experts", "4", "--seed", "3", "--group-size", "16", "--capacity-factor", "1.0");
        assertEquals(0, init.status(), init.err());
        final int t = 50;
        final float[] x = new float[t * 24];
        final SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)r.nextGaussian();
        }
        tokens = dir.resolve("x.npy");
        Npy.write(tokens, NpyArray.matrix(t, 24, x));
    }

    @Test
    void inferLocalWritesOutputReportAndSummary()
    {
        final Path y = dir.resolve("y.npy");
        final Path report = dir.resolve("r.json");
        final Run run = cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            y.toString(), "--routing", report.toString(), "--local");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("infer: 50 tokens, 4 groups;"), run.out());
        final NpyArray out = Npy.read(y);
        assertArrayEquals(new long[] {50, 24}, out.shape());
        final RoutingReport r = RoutingReportReader.read(report);
        assertEquals(4, r.capacity().length);
        assertEquals(4, r.capacity()[0]);
        assertEquals(50, r.expert1().length);
        // Same run with the scalar backend: same routing, outputs within float rounding.
        final Path y2 = dir.resolve("y2.npy");
        assertEquals(0, cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            y2.toString(), "--local", "--backend", "scalar", "--threads", "1").status());
        final float[] a = out.data();
        final float[] b = Npy.read(y2).data();
        for (int i = 0; i < a.length; i++)
        {
            assertEquals(a[i], b[i], 1e-4f * (1 + Math.abs(a[i])), "element " + i);
        }
    }

    @Test
    void inferThroughTheEmbeddedSystemWritesWhatLocalWrites() throws Exception
    {
        final Path imp = dir.resolve("imp-sys.npy");
        final float[] values = new float[50];
        for (int t = 0; t < values.length; t++)
        {
            values[t] = t % 5 == 0 ? 0.5f : t % 7 == 0 ? 0f : 1f;
        }
        Npy.write(imp, NpyArray.vector(values));
        final Path yLocal = dir.resolve("y-local.npy");
        final Path rLocal = dir.resolve("r-local.json");
        final Path ySystem = dir.resolve("y-system.npy");
        final Path rSystem = dir.resolve("r-system.json");
        final Run local = cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            yLocal.toString(), "--routing", rLocal.toString(), "--importance", imp.toString(), "--local");
        assertEquals(0, local.status(), local.err());
        final Run system = cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            ySystem.toString(), "--routing", rSystem.toString(), "--importance", imp.toString());
        assertEquals(0, system.status(), system.err());
        assertArrayEquals(Files.readAllBytes(yLocal), Files.readAllBytes(ySystem), "outputs bit for bit");
        assertEquals(RoutingReportReader.read(rLocal), RoutingReportReader.read(rSystem));
        // Same summary, apart from the time and where it ran.
        final String cut = local.out().substring(0, local.out().indexOf("mean aux loss"));
        assertTrue(system.out().startsWith(cut), system.out() + " vs " + local.out());
        assertTrue(system.out().contains("through the embedded system"), system.out());
    }

    @Test
    void importanceZeroLeavesTokensWithoutExpert()
    {
        final Path imp = dir.resolve("imp.npy");
        final float[] values = new float[50];
        java.util.Arrays.fill(values, 1f);
        values[7] = 0f;
        Npy.write(imp, NpyArray.vector(values));
        final Path y = dir.resolve("yi.npy");
        final Run run = cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            y.toString(), "--importance", imp.toString(), "--local");
        assertEquals(0, run.status(), run.err());
        final float[] out = Npy.read(y).data();
        for (int j = 0; j < 24; j++)
        {
            assertEquals(0f, out[7 * 24 + j]);
        }
    }

    @Test
    void missingInputIsOneLine()
    {
        assertUserError(cli("infer", "--model", model.toString(), "--input", dir.resolve("nope.npy").toString(),
            "--output", dir.resolve("o.npy").toString(), "--local"), "nope.npy: no such file");
    }

    @Test
    void missingModelIsOneLine()
    {
        assertUserError(cli("infer", "--model", dir.resolve("none").toString(), "--input", tokens.toString(),
            "--output", dir.resolve("o.npy").toString(), "--local"), "no such directory");
    }

    @Test
    void dModelMismatchIsOneLine()
    {
        final Path bad = dir.resolve("narrow.npy");
        Npy.write(bad, NpyArray.matrix(3, 8, new float[24]));
        assertUserError(cli("infer", "--model", model.toString(), "--input", bad.toString(), "--output",
            dir.resolve("o.npy").toString(), "--local"), "width 8 but the model's d_model is 24");
    }

    @Test
    void wrongRankIsOneLine()
    {
        final Path bad = dir.resolve("flat.npy");
        Npy.write(bad, NpyArray.vector(new float[24]));
        assertUserError(cli("infer", "--model", model.toString(), "--input", bad.toString(), "--output",
            dir.resolve("o.npy").toString(), "--local"), "expected shape [tokens, 24]");
    }

    @Test
    void nanInputNamesTheFirstBadToken()
    {
        final float[] x = new float[5 * 24];
        x[3 * 24 + 2] = Float.NaN;
        x[4 * 24] = Float.POSITIVE_INFINITY;
        final Path bad = dir.resolve("nan.npy");
        Npy.write(bad, NpyArray.matrix(5, 24, x));
        assertUserError(cli("infer", "--model", model.toString(), "--input", bad.toString(), "--output",
            dir.resolve("o.npy").toString(), "--local"), "token 3 has NaN at column 2");
    }

    @Test
    void importanceShapeMismatchIsOneLine()
    {
        final Path imp = dir.resolve("imp3.npy");
        Npy.write(imp, NpyArray.vector(new float[3]));
        assertUserError(cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            dir.resolve("o.npy").toString(), "--importance", imp.toString(), "--local"), "expected shape [50]");
    }

    @Test
    void badFlagsAreOneLine()
    {
        assertUserError(cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            dir.resolve("o.npy").toString(), "--local", "--bogus"), "--bogus");
        assertUserError(cli("infer", "--model", model.toString()), "Missing required options");
        assertUserError(cli("model", "init", "--out", dir.resolve("m2").toString(), "--d-model", "8", "--d-ff", "8",
            "--experts", "4", "--second-policy", "sometimes"), "--second-policy");
        assertUserError(cli("model", "init", "--out", dir.resolve("m3").toString(), "--d-model", "8", "--d-ff", "8",
            "--experts", "1"), "num_experts");
        assertUserError(cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            dir.resolve("o.npy").toString(), "--local", "--layer", "3"), "--layer 3");
        assertUserError(cli("model", "init", "--out", model.toString(), "--d-model", "8", "--d-ff", "8",
            "--experts", "4"), "already holds a model");
    }

    @Test
    void corruptModelIsOneLine() throws Exception
    {
        final Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(model.resolve("config.json"), broken.resolve("config.json"));
        Files.write(broken.resolve("model.safetensors"), new byte[] {1, 2, 3});
        final Run run = cli("infer", "--model", broken.toString(), "--input", tokens.toString(), "--output",
            dir.resolve("o.npy").toString(), "--local");
        assertEquals(Main.EXIT_USER_ERROR, run.status(), run.err());
        assertTrue(run.err().contains("model.safetensors"), run.err());
    }

    @Test
    void serveRefusesAMisspeltConfigurationKeyBeforeStarting() throws Exception
    {
        final Path conf = dir.resolve("typo.conf");
        Files.writeString(conf, "switchyard.gateway.max-queud-requests = 10\n");
        assertUserError(cli("serve", "--config", conf.toString(), "--model", model.toString()),
            "unknown key switchyard.gateway.max-queud-requests (did you mean switchyard.gateway.max-queued-requests?)");
    }
}
