package dev.switchyard.compute.router;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gates decide routing, and routing must be the same in every process: a JVM that interprets the router
 * and one that has compiled it must give the same bits (a lane reduction or the Vector API's EXP would not).
 */
class GatesJitIndependenceTest
{
    @Test
    void interpretedAndC1ProcessesGiveTheGatesOfThisWarmOne() throws Exception
    {
        final String warm = GatesProbe.gateBits(20_000);
        for (final String mode : new String[] {"-Xint", "-XX:TieredStopAtLevel=1"})
        {
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            final Process process = new ProcessBuilder(java, mode, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), GatesProbe.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), mode + " probe did not finish");
            assertEquals(0, process.exitValue(), mode + " probe failed");
            final String[] want = warm.split(",");
            final String[] got = out.split(",");
            assertEquals(want.length, got.length, mode + " probe printed another number of gates");
            for (int i = 0; i < want.length; i++)
            {
                assertEquals(want[i], got[i], "a " + mode + " JVM computes gate " + i + " (token " +
                    i / GatesProbe.EXPERTS + ", expert " + i % GatesProbe.EXPERTS + ") with other bits");
            }
        }
    }
}
