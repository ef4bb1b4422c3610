package dev.switchyard.compute.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.config.Activation;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A process that has compiled the kernels and one that interprets them must produce the same bits: the
 * serving system compares outputs computed in different JVMs. This is why the activations avoid the
 * Vector API's EXP (compiled and interpreted forms may round differently) and every kernel uses FMA.
 */
class JitIndependenceTest
{
    @Test
    void interpretedAndC1ProcessesGiveTheBitsOfThisWarmOne() throws Exception
    {
        final List<String> expected = new ArrayList<>();
        for (final Activation activation : Activation.values())
        {
            for (final WeightFormat format : WeightFormat.FROM_FLOAT32)
            {
                expected.add(activation + " " + format + " " + ForwardProbe.outputBits(activation, format, 3000));
            }
        }
        for (final String mode : new String[] {"-Xint", "-XX:TieredStopAtLevel=1"})
        {
            final List<String> actual = probeIn(mode);
            assertEquals(expected.size(), actual.size(), mode + " probe printed another number of cases");
            for (int c = 0; c < expected.size(); c++)
            {
                final String[] want = expected.get(c).split("[ ,]");
                final String[] got = actual.get(c).split("[ ,]");
                assertEquals(want.length, got.length, mode + " " + expected.get(c).substring(0, 12));
                for (int i = 0; i < want.length; i++)
                {
                    if (!want[i].equals(got[i]))
                    {
                        fail("a " + mode + " JVM computes " + want[0] + " " + want[1] + " output " + (i - 2) +
                            " as bits " + got[i] + ", this JVM as " + want[i]);
                    }
                }
            }
        }
    }

    private static List<String> probeIn(final String mode) throws IOException, InterruptedException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder(
            java, mode, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), ForwardProbe.class.getName())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), mode + " probe did not finish");
        assertEquals(0, process.exitValue(), mode + " probe failed");
        return out.lines().toList();
    }
}
