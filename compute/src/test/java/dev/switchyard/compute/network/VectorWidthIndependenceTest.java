package dev.switchyard.compute.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Nodes of one cluster may have different vector units (AVX2 on one, AVX-512 on another), and a block
 * may be computed on any replica: the bits must not depend on the vector width. The kernels keep each
 * output's sums in the same order whatever the lane count (lanes run across outputs, never split one
 * sum), and the router's dot products too. A JVM forced to 256-bit and to 128-bit vectors
 * ({@code -XX:MaxVectorSize}) computes every expert form, weight format and checkpoint layer with the
 * bits of this one.
 */
class VectorWidthIndependenceTest
{
    @Test
    void narrowerVectorsGiveTheBitsOfThisJvm() throws Exception
    {
        final int here = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        final List<String> expected = WidthProbe.lines(200);
        for (final int bytes : new int[] {32, 16})
        {
            final List<String> actual = probe(bytes);
            assertEquals("width " + Math.min(here, 8 * bytes), actual.getFirst(),
                "-XX:MaxVectorSize=" + bytes + " did not set the width");
            assertEquals(expected.size(), actual.size() - 1, "the probe printed another number of cases");
            for (int c = 0; c < expected.size(); c++)
            {
                final String[] want = expected.get(c).split("[ ,]");
                final String[] got = actual.get(c + 1).split("[ ,]");
                for (int i = 0; i < Math.max(want.length, got.length); i++)
                {
                    if (i >= want.length || i >= got.length || !want[i].equals(got[i]))
                    {
                        fail(8 * bytes + "-bit vectors compute " + want[0] + " " + want[1] + " output " + (i - 2) +
                            " as bits " + (i < got.length ? got[i] : "nothing") + ", " + here + "-bit as " +
                            (i < want.length ? want[i] : "nothing"));
                    }
                }
            }
        }
    }

    private static List<String> probe(final int maxVectorBytes) throws IOException, InterruptedException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder(
            java, "-XX:MaxVectorSize=" + maxVectorBytes, "--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            WidthProbe.class.getName())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the " + maxVectorBytes + "-byte probe did not finish");
        assertEquals(0, process.exitValue(), "the " + maxVectorBytes + "-byte probe failed");
        return out.lines().toList();
    }
}
