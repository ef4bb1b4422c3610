package dev.switchyard.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.switchyard.cli.CliTest.assertUserError;
import static dev.switchyard.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Input the CLI refuses before computing anything: one line naming what is wrong, exit status 2. */
class InputChecksTest
{
    @TempDir
    static Path dir;
    static Path model;
    static Path tokens;

    @BeforeAll
    static void createModel()
    {
        model = dir.resolve("model");
        assertEquals(0, cli("model", "init", "--out", model.toString(), "--d-model", "8", "--d-ff", "16",
            "--experts", "4", "--group-size", "4").status());
        tokens = dir.resolve("x.npy");
        Npy.write(tokens, NpyArray.matrix(6, 8, new float[48]));
    }

    @Test
    void zeroTokensAreRefused()
    {
        final Path empty = dir.resolve("empty.npy");
        Npy.write(empty, NpyArray.matrix(0, 8, new float[0]));
        assertUserError(cli("infer", "--model", model.toString(), "--input", empty.toString(), "--output",
            dir.resolve("o.npy").toString(), "--local"), "holds 0 tokens");
    }

    @Test
    void finiteInputsThatOverflowAreOneLineNotNaNOutputs()
    {
        final float[] huge = new float[48];
        java.util.Arrays.fill(huge, 8, 16, 3e38f);
        final Path x = dir.resolve("huge.npy");
        Npy.write(x, NpyArray.matrix(6, 8, huge));
        final Path out = dir.resolve("huge-out.npy");
        assertUserError(cli("infer", "--model", model.toString(), "--input", x.toString(), "--output",
            out.toString(), "--local"), "token 1: finite inputs gave non-finite outputs");
        assertFalse(Files.exists(out));
    }

    @Test
    void anOutputInAMissingFolderIsRefusedBeforeTheCompute()
    {
        final Path out = dir.resolve("no-such-folder").resolve("y.npy");
        assertUserError(cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            out.toString(), "--local"), "folder " + out.getParent() + " does not exist");
        assertFalse(Files.exists(out.getParent()));
        assertUserError(cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            dir.resolve("y.npy").toString(), "--routing", dir.resolve("nope/r.json").toString(), "--local"),
            "--routing");
        assertUserError(cli("infer", "--model", model.toString(), "--input", tokens.toString(), "--output",
            dir.toString(), "--local"), "is a folder");
    }

    @Test
    void aGroupSizeNoGatingCanHoldIsOneLine() throws Exception
    {
        final Path huge = copyWithConfig("huge", config -> config.replaceFirst("\"group_size\": *\\d+",
            "\"group_size\": 2147483647"));
        assertUserError(cli("infer", "--model", huge.toString(), "--input", tokens.toString(), "--output",
            dir.resolve("o.npy").toString(), "--local"), "routing.group_size must be at most 65536");
    }

    @Test
    void aConfigWithoutRoutingNamesTheSection() throws Exception
    {
        final Path bare = copyWithConfig("bare", config -> config.replaceFirst("(?s),\\s*\"routing\": *\\{.*?\\}", ""));
        assertUserError(cli("infer", "--model", bare.toString(), "--input", tokens.toString(), "--output",
            dir.resolve("o.npy").toString(), "--local"), "missing required section routing");
    }

    private static Path copyWithConfig(final String name, final java.util.function.UnaryOperator<String> edit)
        throws Exception
    {
        final Path copy = Files.createDirectories(dir.resolve(name));
        Files.copy(model.resolve("model.safetensors"), copy.resolve("model.safetensors"));
        final String config = edit.apply(Files.readString(model.resolve("config.json")));
        Files.writeString(copy.resolve("config.json"), config);
        return copy;
    }
}
