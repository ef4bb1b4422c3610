package dev.switchyard.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.switchyard.node.system.EmbeddedSystem;
import dev.switchyard.transformer.io.TensorFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.switchyard.cli.CliTest.assertUserError;
import static dev.switchyard.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code model init --transformer}, {@code score} and {@code generate} as a user meets them: the files written
 * through the embedded system equal the {@code --local} ones byte for byte, and bad input is one line.
 */
class TransformerCliTest
{
    @TempDir
    static Path dir;

    static Path decoder;
    static Path prefix;

    @BeforeAll
    static void createModel()
    {
        decoder = dir.resolve("decoder");
        final CliTest.Run init = cli("model", "init", "--out", decoder.toString(), "--d-model", "32", "--d-ff", "48",
            "--experts", "4", "--group-size", "4", "--transformer", "decoder", "--vocab", "40", "--max-length", "12",
            "--heads", "2", "--kv-dim", "8", "--decoder-layers", "att,moe,local_att,drd,moe", "--local-window", "4",
            "--seed", "5");
        assertEquals(0, init.status(), init.err());
        assertTrue(init.out().contains("2 MoE layers"), init.out());
        prefix = dir.resolve("prefix.npy");
        TensorFiles.writeInts(prefix, new int[] {7, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 5, 6}, 4, 4);
    }

    @Test
    void generateThroughTheEmbeddedSystemWritesWhatLocalWrites() throws Exception
    {
        for (final String[] mode : new String[][] {{}, {"--temperature", "0.8", "--seed", "3"}})
        {
            final Path local = dir.resolve("local" + mode.length + ".npy");
            final Path system = dir.resolve("system" + mode.length + ".npy");
            final Path localScores = dir.resolve("local-scores" + mode.length + ".npy");
            final Path systemScores = dir.resolve("system-scores" + mode.length + ".npy");
            final CliTest.Run a = cli(concat(new String[] {"generate", "--model", decoder.toString(), "--input",
                prefix.toString(), "--output", local.toString(), "--scores", localScores.toString(), "--local"}, mode));
            assertEquals(0, a.status(), a.err());
            final CliTest.Run b = cli(concat(new String[] {"generate", "--model", decoder.toString(), "--input",
                prefix.toString(), "--output", system.toString(), "--scores", systemScores.toString()}, mode));
            assertEquals(0, b.status(), b.err());
            assertTrue(b.out().contains("through the embedded system"), b.out());
            assertArrayEquals(Files.readAllBytes(local), Files.readAllBytes(system));
            assertArrayEquals(Files.readAllBytes(localScores), Files.readAllBytes(systemScores));
            final TensorFiles.Ids ids = TensorFiles.readIds("out", local);
            assertEquals(4, ids.rows());
            assertEquals(12, ids.cols());
            assertEquals(7, ids.data()[0]);
            assertEquals(9, ids.data()[2]);
            assertEquals(3, ids.data()[36]);
        }
    }

    @Test
    void scoreThroughTheEmbeddedSystemWritesWhatLocalWrites() throws Exception
    {
        final Path targets = dir.resolve("targets.npy");
        TensorFiles.writeInts(targets, new int[] {5, 6, 7, 1, 0, 0, 2, 3, 4, 5, 6, 7}, 2, 6);
        final Path local = dir.resolve("logits-local.npy");
        final Path system = dir.resolve("logits-system.npy");
        assertEquals(0, cli("score", "--model", decoder.toString(), "--targets", targets.toString(), "--logits",
            local.toString(), "--local").status());
        final CliTest.Run b = cli("score", "--model", decoder.toString(), "--targets", targets.toString(), "--logits",
            system.toString());
        assertEquals(0, b.status(), b.err());
        assertArrayEquals(Files.readAllBytes(local), Files.readAllBytes(system));
        assertEquals(128 + 2 * 6 * 40 * 4, Files.size(local));
    }

    @Test
    void generateThroughARunningGatewayWritesWhatLocalWrites() throws Exception
    {
        final Path local = dir.resolve("connect-local.npy");
        final Path remote = dir.resolve("connect-remote.npy");
        assertEquals(0, cli("generate", "--model", decoder.toString(), "--input", prefix.toString(), "--output",
            local.toString(), "--local", "--max-length", "6").status());
        try (EmbeddedSystem system = EmbeddedSystem.start(decoder))
        {
            final CliTest.Run run = cli("generate", "--model", decoder.toString(), "--input", prefix.toString(),
                "--output", remote.toString(), "--connect", system.gatewayAddress(), "--max-length", "6");
            assertEquals(0, run.status(), run.err());
            assertTrue(run.out().contains("through gateway " + system.gatewayAddress()), run.out());
        }
        assertArrayEquals(Files.readAllBytes(local), Files.readAllBytes(remote));
    }

    @Test
    void streamPrintsEveryIdAsItIsDecided()
    {
        final Path out = dir.resolve("streamed.npy");
        final CliTest.Run run = cli("generate", "--model", decoder.toString(), "--input", prefix.toString(), "--output",
            out.toString(), "--local", "--stream", "--max-length", "5");
        assertEquals(0, run.status(), run.err());
        final TensorFiles.Ids ids = TensorFiles.readIds("out", out);
        int lines = 0;
        for (final String line : run.out().strip().split("\n"))
        {
            final String[] f = line.split(" ");
            assertEquals(ids.data()[Integer.parseInt(f[0]) * 5 + Integer.parseInt(f[1])], Integer.parseInt(f[2]), line);
            lines++;
        }
        int expected = 0;
        for (int b = 0; b < 4; b++)
        {
            int p = 0;
            while (p < 5 && ids.data()[b * 5 + p] != 1)
            {
                p++;
            }
            expected += Math.min(p + 1, 5);
        }
        assertEquals(expected, lines);
    }

    @Test
    void badInputIsOneLine() throws Exception
    {
        final Path out = dir.resolve("bad-out.npy");
        final Path outside = dir.resolve("outside.npy");
        TensorFiles.writeInts(outside, new int[] {3, 40}, 1, 2);
        assertUserError(cli("generate", "--model", decoder.toString(), "--input", outside.toString(), "--output",
            out.toString(), "--local"), "id 40 at row 0, position 1 is outside the target vocabulary 0..39");
        final Path negative = dir.resolve("negative.npy");
        TensorFiles.writeInts(negative, new int[] {3, -2}, 1, 2);
        assertUserError(cli("generate", "--model", decoder.toString(), "--input", negative.toString(), "--output",
            out.toString(), "--local"), "id -2 at row 0, position 1");
        final Path tooLong = dir.resolve("long.npy");
        TensorFiles.writeInts(tooLong, new int[13], 1, 13);
        assertUserError(cli("generate", "--model", decoder.toString(), "--input", tooLong.toString(), "--output",
            out.toString(), "--local"), "longer than the model's max_length 12");
        assertUserError(cli("generate", "--model", decoder.toString(), "--input", prefix.toString(), "--output",
            out.toString(), "--local", "--beam-size", "2"), "no forced prefix");
        assertUserError(cli("generate", "--model", decoder.toString(), "--input", prefix.toString(), "--output",
            out.toString(), "--local", "--max-length", "13"), "--max-length 13");
        final Path floats = dir.resolve("floats.npy");
        TensorFiles.writeFloats(floats, new float[] {1f, 2f}, 1, 2);
        assertUserError(cli("generate", "--model", decoder.toString(), "--input", floats.toString(), "--output",
            out.toString(), "--local"), "ids must be int32");

        final Path moeOnly = dir.resolve("moe-only");
        assertEquals(0, cli("model", "init", "--out", moeOnly.toString(), "--d-model", "8", "--d-ff", "8",
            "--experts", "2").status());
        assertUserError(cli("generate", "--model", moeOnly.toString(), "--input", prefix.toString(), "--output",
            out.toString(), "--local"), "has no transformer object");
        assertUserError(cli("model", "init", "--out", dir.resolve("x").toString(), "--d-model", "8", "--d-ff", "8",
            "--experts", "2", "--transformer", "decoder", "--decoder-layers", "att,enc_att"),
            "transformer.decoder_layers[1] is enc_att, which needs type encdec");
        assertUserError(cli("model", "init", "--out", dir.resolve("y").toString(), "--d-model", "8", "--d-ff", "8",
            "--experts", "2", "--transformer", "decoder", "--decoder-layers", "att,ffn"), "--decoder-layers must be one of");
    }

    private static String[] concat(final String[] a, final String[] b)
    {
        final String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void decodeLengthHparamsAreNumbers() throws Exception
    {
        final Path encdec = dir.resolve("encdec-float-hparams");
        final CliTest.Run init = cli("model", "init", "--out", encdec.toString(), "--d-model", "16", "--d-ff", "32",
            "--experts", "4", "--group-size", "4", "--transformer", "encdec", "--vocab", "40", "--max-length", "12",
            "--heads", "2", "--kv-dim", "8", "--encoder-layers", "att,moe", "--decoder-layers", "att,enc_att,moe",
            "--decode-length-multiplier", "2.5", "--decode-length-constant", "2.5");
        assertEquals(0, init.status(), init.err());
        final String config = Files.readString(encdec.resolve("config.json"));
        assertTrue(config.contains("\"decode_length_constant\": 2.5"), config);
        // A beam search over it reads the config back: floor(2 × 2.5 + 2.5) = 7 positions at most.
        final Path source = dir.resolve("source.npy");
        TensorFiles.writeInts(source, new int[] {5, 6, 0}, 1, 3);
        final Path out = dir.resolve("float-hparams-out.npy");
        final CliTest.Run run = cli("generate", "--model", encdec.toString(), "--input", source.toString(),
            "--output", out.toString(), "--local", "--beam-size", "2");
        assertEquals(0, run.status(), run.err());
        final TensorFiles.Ids ids = TensorFiles.readIds("out", out);
        for (int p = 7; p < ids.cols(); p++)
        {
            assertEquals(0, ids.data()[p], "position " + p + " is beyond the decode length");
        }
    }
}
