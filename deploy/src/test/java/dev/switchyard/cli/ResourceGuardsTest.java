package dev.switchyard.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.io.ModelConfigJson;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.transformer.io.TensorFiles;
import dev.switchyard.transformer.model.TransformerGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.switchyard.cli.CliTest.assertUserError;
import static dev.switchyard.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sizes the machine cannot hold are refused up front, in one line, with nothing written. */
class ResourceGuardsTest
{
    @TempDir
    static Path dir;
    static Path decoder;
    static Path prefix;

    @BeforeAll
    static void createModel()
    {
        decoder = dir.resolve("decoder");
        final CliTest.Run init = cli("model", "init", "--out", decoder.toString(), "--d-model", "16", "--d-ff", "32",
            "--experts", "4", "--group-size", "4", "--transformer", "decoder", "--vocab", "40", "--max-length", "12",
            "--heads", "2", "--kv-dim", "8", "--decoder-layers", "att,moe");
        assertEquals(0, init.status(), init.err());
        prefix = dir.resolve("prefix.npy");
        TensorFiles.writeInts(prefix, new int[2 * 3], 2, 3);
    }

    @Test
    void theSizeCheckedIsTheSizeWritten() throws Exception
    {
        final ModelConfig config = ModelConfigJson.read(decoder.resolve(ModelDirectory.CONFIG_FILE));
        assertEquals(Files.size(decoder.resolve(ModelDirectory.WEIGHTS_FILE)), TransformerGenerator.weightsBytes(config));
    }

    @Test
    void aModelLargerThanTheDiskIsRefusedBeforeAnythingIsWritten()
    {
        final Path out = dir.resolve("huge").resolve("model");
        final long start = System.nanoTime();
        assertUserError(cli("model", "init", "--out", out.toString(), "--d-model", "100000", "--d-ff", "100000",
            "--experts", "64"), "free on the disk of " + dir);
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "refused at once");
        assertFalse(Files.exists(out.getParent()), "no folder, no .partial");
    }

    @Test
    void maxSizeLimitsTheModel()
    {
        final Path out = dir.resolve("limited");
        assertUserError(cli("model", "init", "--out", out.toString(), "--d-model", "64", "--d-ff", "128",
            "--experts", "4", "--max-size", "10K"), "more than --max-size 10K; nothing was written");
        assertFalse(Files.exists(out));
        assertUserError(cli("model", "init", "--out", out.toString(), "--d-model", "64", "--d-ff", "128",
            "--experts", "4", "--max-size", "lots"), "--max-size must be bytes");
        final CliTest.Run ok = cli("model", "init", "--out", out.toString(), "--d-model", "64", "--d-ff", "128",
            "--experts", "4", "--max-size", "1M");
        assertEquals(0, ok.status(), ok.err());
    }

    @Test
    void aBeamTooLargeForTheHeapIsOneLine()
    {
        final Path out = dir.resolve("beam.npy");
        assertUserError(cli("generate", "--model", decoder.toString(), "--input", prefix.toString(), "--output",
            out.toString(), "--local", "--beam-size", "1000000000"), "generate --beam-size 1000000000");
        // Beyond this JVM's heap (or, with a heap of over 10 GB, beyond one array): refused either way.
        assertUserError(cli("generate", "--model", decoder.toString(), "--input", prefix.toString(), "--output",
            out.toString(), "--local", "--beam-size", "2000000"), "2 rows × 2000000 beams × 12 positions");
        assertFalse(Files.exists(out));
        assertUserError(cli("generate", "--model", decoder.toString(), "--input", prefix.toString(), "--output",
            out.toString(), "--local", "--beam-size", "0"), "--beam-size must be at least 1");
    }

    @Test
    void maxLengthZeroIsRefused()
    {
        assertUserError(cli("generate", "--model", decoder.toString(), "--input", prefix.toString(), "--output",
            dir.resolve("zero.npy").toString(), "--local", "--max-length", "0"), "--max-length must be at least 1");
    }

    @Test
    void scoreOfASaneSizeRuns()
    {
        final Path targets = dir.resolve("targets.npy");
        TensorFiles.writeInts(targets, new int[2 * 12], 2, 12);
        final CliTest.Run ok = cli("score", "--model", decoder.toString(), "--targets", targets.toString(), "--logits",
            dir.resolve("logits.npy").toString(), "--local");
        assertEquals(0, ok.status(), ok.err());
    }

    @Test
    void demoTokensBeyondTheHeapAreOneLine()
    {
        assertUserError(cli("demo", "--local", "--tokens", "2000000000"), "demo --tokens 2000000000 is too large");
        assertUserError(cli("demo", "--local", "--tokens", "8000000"), "demo --tokens 8000000 needs about 41.0 GB");
    }

    @Test
    void aTokenFileLargerThanTheHeapIsRefusedBeforeItIsRead() throws Exception
    {
        final Path model = dir.resolve("moe-for-huge-input");
        assertEquals(0, cli("model", "init", "--out", model.toString(), "--d-model", "8", "--d-ff", "16",
            "--experts", "4", "--group-size", "4").status());
        // A sparse file of 4 GiB behind a valid header: nothing but the header is ever written.
        final Path huge = dir.resolve("huge.npy");
        Npy.write(huge, NpyArray.matrix(1, 8, new float[8]));
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw"))
        {
            f.setLength(4L << 30);
        }
        assertUserError(cli("infer", "--model", model.toString(), "--input", huge.toString(), "--output",
            dir.resolve("huge-out.npy").toString(), "--local"), "infer --input " + huge + " needs about 17.2 GB of memory (4.3 GB of tokens)");
    }

    @Test
    void summariesSayOneGroupAndOneToken()
    {
        final Path model = dir.resolve("single");
        assertEquals(0, cli("model", "init", "--out", model.toString(), "--d-model", "8", "--d-ff", "16",
            "--experts", "4", "--group-size", "4").status());
        final Path token = dir.resolve("one.npy");
        Npy.write(token, NpyArray.matrix(1, 8, new float[] {1, 2, 3, 4, 5, 6, 7, 8}));
        final CliTest.Run run = cli("infer", "--model", model.toString(), "--input", token.toString(), "--output",
            dir.resolve("one-out.npy").toString(), "--local");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("infer: 1 token, 1 group;"), run.out());
    }
}
