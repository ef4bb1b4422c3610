package dev.switchyard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher (deploy/src/dist/bin/switchyard) keeps the JVM's incubator-module warning off a terminal
 * and nothing else, and leaves a redirected stderr to the JVM: run by bash from a distribution whose JDK
 * is a stand-in that writes what a JVM would.
 */
class LauncherStderrTest
{
    private static final Path BIN = Path.of("..", "deploy", "src", "dist", "bin").toAbsolutePath();

    @TempDir
    Path dir;

    record Result(int status, String out, String err)
    {
    }

    /** A distribution whose java writes {@code stderr} (printf format) and exits with {@code status}. */
    private Result launch(final String stderr, final int status) throws Exception
    {
        final Path bin = Files.createDirectories(dir.resolve("dist/bin"));
        Files.createDirectories(dir.resolve("dist/lib"));
        for (final String script : new String[] {"switchyard", "find-java.sh"})
        {
            Files.copy(BIN.resolve(script), bin.resolve(script), StandardCopyOption.REPLACE_EXISTING);
        }
        final Path java = Files.createDirectories(dir.resolve("jdk/bin")).resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\n" +
            "if [ \"$1\" = -version ]; then echo 'openjdk version \"25.0.1\" 2025-10-21' >&2; exit 0; fi\n" +
            "printf '" + stderr + "' >&2\necho \"args: $*\"\nexit " + status + "\n");
        assertTrue(java.toFile().setExecutable(true));
        final ProcessBuilder pb = new ProcessBuilder("bash", bin.resolve("switchyard").toString(), "infer", "--help");
        pb.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
        final Process p = pb.start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "launcher ended");
        return new Result(p.exitValue(), out, err);
    }

    @Test
    void theFilterDropsTheIncubatorWarningAndKeepsEverythingElse() throws Exception
    {
        // The filter a terminal's stderr goes through, fed what a JVM writes.
        final ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". \"$1\"; printf \"$2\" | switchyard_drop_incubator_warning",
            "filter", BIN.resolve("find-java.sh").toString(),
            "OpenJDK 64-Bit Server VM warning: something else\\nWARNING: Using incubator modules: jdk.incubator.vector\\n" +
            "switchyard: a real error\\nWARNING: Using incubator modules: jdk.incubator.vector\\nprogress 3/10");
        final Process p = pb.start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "filter ended");
        // The first occurrence is the JVM's; the same text later is the program's own and is kept.
        assertEquals("OpenJDK 64-Bit Server VM warning: something else\nswitchyard: a real error\n" +
            "WARNING: Using incubator modules: jdk.incubator.vector\nprogress 3/10", out);
    }

    @Test
    void stderrToAPipeIsTheJvmsOwnWithEveryLine() throws Exception
    {
        // Not a terminal: nothing between the JVM and the reader, so nothing arrives after the exit.
        final String written = "OpenJDK 64-Bit Server VM warning: something else\nWARNING: Using incubator modules: " +
            "jdk.incubator.vector\nswitchyard: a real error\n";
        final Result r = launch(written.replace("\n", "\\n"), 2);
        assertEquals(2, r.status(), r.err());
        assertEquals(written, r.err());
        assertTrue(r.out().startsWith("args: --add-modules jdk.incubator.vector"), r.out());
        assertTrue(r.out().strip().endsWith("dev.switchyard.cli.Main infer --help"), r.out());
    }

    @Test
    void stderrWithoutTheWarningPassesUnchangedWithTheExitStatus() throws Exception
    {
        final Result r = launch("line one\\nno newline at the end", 7);
        assertEquals(7, r.status());
        assertEquals("line one\nno newline at the end", r.err());
    }
}
