package dev.switchyard.transformer.attention;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A decode step and a full forward, in process or beside the serving system, must give the same bits
 * whether the attention loops run interpreted or compiled (a Vector API lane reduction would not).
 */
class AttentionJitIndependenceTest
{
    @Test
    void interpretedProcessGivesTheBitsOfThisWarmOne() throws Exception
    {
        final String warm = AttentionProbe.bits(50_000);
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder(java, "-Xint", "--add-modules", "jdk.incubator.vector",
            "-cp", System.getProperty("java.class.path"), AttentionProbe.class.getName())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "probe did not finish");
        assertEquals(0, process.exitValue(), "probe failed");
        assertEquals(warm, out);
    }
}
