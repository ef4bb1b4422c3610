package dev.switchyard.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launchers' JDK selection (deploy/src/dist/bin/find-java.sh), run by bash as the launchers run it. */
class LauncherJavaTest
{
    private static final Path SCRIPT = Path.of("..", "deploy", "src", "dist", "bin", "find-java.sh").toAbsolutePath();

    record Result(int status, String out, String err)
    {
    }

    private static Result select(final String javaHome, final String jvmDir) throws IOException, InterruptedException
    {
        final ProcessBuilder pb = new ProcessBuilder("bash", "-c",
            ". \"$0\" && switchyard_find_java && echo \"$SWITCHYARD_JAVA_HOME\"", SCRIPT.toString());
        pb.environment().put("JAVA_HOME", javaHome);
        pb.environment().put("SWITCHYARD_JVM_DIR", jvmDir);
        final Process p = pb.start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new Result(p.waitFor(), out, err);
    }

    @Test
    void takesJavaHomeWhenItIsAJdk25() throws Exception
    {
        final String home = System.getProperty("java.home");
        final Result r = select(home, "/nonexistent");
        assertEquals(0, r.status(), r.err());
        assertEquals(home, r.out());
    }

    @Test
    void saysWhatToInstallInOneLineWithoutAJdk25(@org.junit.jupiter.api.io.TempDir final Path jvms) throws Exception
    {
        // An old JDK where the launcher looks: a java that reports version 17.
        final Path old = Files.createDirectories(jvms.resolve("java-17-openjdk-amd64/bin"));
        Files.writeString(old.resolve("java"), "#!/bin/sh\necho 'openjdk version \"17.0.15\" 2025-04-15' >&2\n");
        assertTrue(old.resolve("java").toFile().setExecutable(true));
        final Result r = select(old.getParent().toString(), jvms.toString());
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertEquals("switchyard: needs JDK 25 or newer: install one (e.g. Temurin 25 into /usr/lib/jvm) or set JAVA_HOME to it",
            r.err());
    }
}
