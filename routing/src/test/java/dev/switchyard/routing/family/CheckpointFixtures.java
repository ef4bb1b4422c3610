package dev.switchyard.routing.family;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.testkit.TestData;

/** The committed checkpoints of testdata/checkpoints: their folders, JSON files and int32 .npy references. */
final class CheckpointFixtures
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointFixtures()
    {
    }

    /** testdata/checkpoints. */
    static Path root()
    {
        return TestData.checkpoints();
    }

    static JsonNode json(final Path file) throws IOException
    {
        return JSON.readTree(file.toFile());
    }

    /** A 2-D little-endian int32 ('<i4') .npy file; the model's Npy reads float32 only. */
    static int[] int32(final Path file, final int rows, final int cols) throws IOException
    {
        return TestData.int32(file, rows, cols);
    }
}
