package dev.switchyard.compute.kernel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A warm call of the vector backend allocates nothing, whatever mix of epilogues and weight formats its JVM
 * has run ({@link WarmCallAllocationProbe}, in a JVM of its own: this one's JIT has seen every test before).
 */
class WarmCallAllocationTest
{
    @Test
    void warmCallsAllocateNothingWhateverRanBefore() throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            WarmCallAllocationProbe.class.getName())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the probe did not finish");
        assertEquals(0, process.exitValue(), "the probe failed: " + out);
        final double perCall = Double.parseDouble(out.lines().reduce((a, b) -> b).orElseThrow());
        assertTrue(perCall < 1, "a warm call allocates " + perCall + " bytes");
    }
}
