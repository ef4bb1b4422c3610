package dev.switchyard.compute.kernel.vector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed kernels are what the generator writes: not edited by hand, not left behind a change of it. */
class MicroKernelsGeneratorTest
{
    private static final String IN_MODULE = "src/main/java/dev/switchyard/compute/kernel/vector/MicroKernels.java";

    @Test
    void committedKernelsAreWhatTheGeneratorWrites() throws IOException
    {
        final Path committed = Path.of(System.getProperty("basedir", "."), IN_MODULE);
        assertTrue(Files.isRegularFile(committed), committed + " is missing");
        final List<String> expected = MicroKernelsGenerator.generate().lines().toList();
        final List<String> actual = Files.readString(committed, StandardCharsets.UTF_8).lines().toList();
        final String regenerate = "; regenerate with: java compute/src/test/java/dev/switchyard/compute/kernel/" +
            "vector/MicroKernelsGenerator.java";
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++)
        {
            assertEquals(expected.get(i), actual.get(i), "MicroKernels.java line " + (i + 1) + regenerate);
        }
        assertEquals(expected.size(), actual.size(), "MicroKernels.java lines" + regenerate);
        assertEquals(MicroKernelsGenerator.generate(), Files.readString(committed, StandardCharsets.UTF_8),
            "MicroKernels.java line ends" + regenerate);
    }
}
