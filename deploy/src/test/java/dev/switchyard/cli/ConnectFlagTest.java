package dev.switchyard.cli;

import dev.switchyard.transformer.io.TensorFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.switchyard.cli.CliTest.assertUserError;
import static dev.switchyard.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A --connect value that cannot name what the command talks to is one line saying what the flag takes. */
class ConnectFlagTest
{
    @TempDir
    static Path dir;
    static Path decoder;
    static Path prefix;

    @BeforeAll
    static void createModel()
    {
        decoder = dir.resolve("decoder");
        assertEquals(0, cli("model", "init", "--out", decoder.toString(), "--d-model", "16", "--d-ff", "32",
            "--experts", "4", "--group-size", "4", "--transformer", "decoder", "--vocab", "40", "--max-length", "12",
            "--heads", "2", "--kv-dim", "8", "--decoder-layers", "att,moe").status());
        prefix = dir.resolve("prefix.npy");
        TensorFiles.writeInts(prefix, new int[3], 1, 3);
    }

    private static CliTest.Run generate(final String connect)
    {
        return cli("generate", "--model", decoder.toString(), "--input", prefix.toString(), "--output",
            dir.resolve("out.npy").toString(), "--connect", connect);
    }

    @Test
    void generateAndScoreSayTheFlagTakesHostPortWithoutAScheme()
    {
        assertUserError(generate("http://127.0.0.1:7400"),
            "--connect takes HOST:PORT of the gateway's client address (serve --bind), without a scheme " +
                "(got 'http://127.0.0.1:7400'; the HTTP API serves infer only)");
        assertUserError(cli("score", "--model", decoder.toString(), "--targets", prefix.toString(), "--logits",
            dir.resolve("l.npy").toString(), "--connect", "http://127.0.0.1:7400"), "without a scheme");
    }

    @Test
    void aMissingPortBadPortOrUnknownHostIsOneLine()
    {
        assertUserError(generate("127.0.0.1"), "--connect takes HOST:PORT");
        assertUserError(generate("127.0.0.1:"), "--connect takes HOST:PORT");
        assertUserError(generate("127.0.0.1:http"), "port 'http' is not a number");
        assertUserError(generate("127.0.0.1:70000"), "port 70000 is not from 1 to 65535");
        assertUserError(generate("no-such-host.invalid:7400"), "unknown host 'no-such-host.invalid'");
    }

    @Test
    void inferTakesHostPortOrAnHttpRoot()
    {
        final Path model = dir.resolve("moe");
        assertEquals(0, cli("model", "init", "--out", model.toString(), "--d-model", "8", "--d-ff", "16",
            "--experts", "4", "--group-size", "4").status());
        final String[] base = {"infer", "--model", model.toString(), "--input", prefix.toString(), "--output",
            dir.resolve("y.npy").toString(), "--connect"};
        assertUserError(cli(concat(base, "https://127.0.0.1:9400")),
            "--connect takes HOST:PORT (the gateway's client address) or http://HOST:PORT (its HTTP API)");
        assertUserError(cli(concat(base, "http://127.0.0.1")), "--connect takes http://HOST:PORT, with a port");
        assertUserError(cli(concat(base, "localhost")), "--connect takes HOST:PORT");
        // Several gateways: each one checked, the wrong one named.
        assertUserError(cli(concat(base, "127.0.0.1:7400,localhost")), "--connect takes HOST:PORT of the gateway's " +
            "client address (serve --bind) (got 'localhost')");
    }

    @Test
    void clusterStatusSaysTheSame()
    {
        assertUserError(cli("cluster", "status", "--connect", "pekko://switchyard@127.0.0.1:2551"),
            "--connect takes HOST:PORT of a node's cluster (Pekko remoting) address, without a scheme");
    }

    private static String[] concat(final String[] a, final String b)
    {
        final String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }
}
