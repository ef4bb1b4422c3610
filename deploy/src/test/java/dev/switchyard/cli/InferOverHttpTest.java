package dev.switchyard.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.model.io.Npy;
import dev.switchyard.node.http.HttpApiTestAccess;
import dev.switchyard.node.system.SwitchyardNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static dev.switchyard.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code infer --connect http://HOST:PORT} writes the same files as {@code infer --local}. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InferOverHttpTest
{
    @TempDir
    Path dir;

    @Test
    void outputAndRoutingReportEqualTheLocalOnes() throws Exception
    {
        final Path model = dir.resolve("model");
        assertEquals(0, cli("model", "init", "--out", model.toString(), "--d-model", "24", "--d-ff", "40",
            "--experts", "4", "--seed", "3", "--group-size", "16", "--capacity-factor", "1.0").status());
        final int t = 70;
        final float[] x = new float[t * 24];
        final float[] importance = new float[t];
        final SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)r.nextGaussian();
        }
        for (int i = 0; i < t; i++)
        {
            importance[i] = i % 7 == 0 ? 0.5f : 1f;
        }
        final Path tokens = dir.resolve("x.npy");
        final Path imp = dir.resolve("i.npy");
        Npy.write(tokens, t, 24, x);
        Npy.write(imp, dev.switchyard.model.io.NpyArray.vector(importance));

        try (SwitchyardNode node = SwitchyardNode.start(ConfigFactory.parseString(
            "switchyard.model = \"" + model.toString().replace("\\", "/") + "\"\n" +
            "switchyard.cluster.port = 0\n" +
            "switchyard.gateway.bind = \"127.0.0.1:0\"\n" +
            "switchyard.http.port = " + HttpApiTestAccess.freePort() + "\n" +
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n")))
        {
            node.awaitReady(Duration.ofSeconds(60));
            final String url = "http://127.0.0.1:" + node.httpPort();
            for (final boolean withImportance : new boolean[] {false, true})
            {
                final String suffix = withImportance ? "-imp" : "";
                final String[] extra = withImportance ? new String[] {"--importance", imp.toString()} : new String[0];
                final CliTest.Run local = cli(concat(new String[] {"infer", "--model", model.toString(), "--input",
                    tokens.toString(), "--output", dir.resolve("local" + suffix + ".npy").toString(), "--routing",
                    dir.resolve("local" + suffix + ".json").toString(), "--local"}, extra));
                assertEquals(0, local.status(), local.err());
                final CliTest.Run remote = cli(concat(new String[] {"infer", "--model", model.toString(), "--input",
                    tokens.toString(), "--output", dir.resolve("http" + suffix + ".npy").toString(), "--routing",
                    dir.resolve("http" + suffix + ".json").toString(), "--connect", url}, extra));
                assertEquals(0, remote.status(), remote.err());
                assertArrayEquals(Files.readAllBytes(dir.resolve("local" + suffix + ".npy")),
                    Files.readAllBytes(dir.resolve("http" + suffix + ".npy")));
                assertArrayEquals(Files.readAllBytes(dir.resolve("local" + suffix + ".json")),
                    Files.readAllBytes(dir.resolve("http" + suffix + ".json")));
            }
            final CliTest.Run plain = cli("infer", "--model", model.toString(), "--input", tokens.toString(),
                "--output", dir.resolve("plain.npy").toString(), "--connect", url);
            assertEquals(0, plain.status(), plain.err());
            assertArrayEquals(Files.readAllBytes(dir.resolve("local.npy")), Files.readAllBytes(dir.resolve("plain.npy")));
        }
        CliTest.assertUserError(cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            dir.resolve("none.npy").toString(), "--connect", "http://127.0.0.1:" + HttpApiTestAccess.freePort()),
            "cannot reach gateway");
    }

    private static String[] concat(final String[] a, final String[] b)
    {
        final String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
