package dev.switchyard.transformer.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.testkit.TestData;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to the decoder is one line naming the id, key or tensor that is wrong. */
class CheckpointDecoderErrorsTest
{
    @TempDir
    Path dir;

    @Test
    void idsOutsideTheVocabularyAreNamed()
    {
        try (Checkpoint checkpoint = Checkpoint.open(TestData.checkpoints().resolve("olmoe")))
        {
            final CheckpointDecoder decoder = CheckpointDecoder.load(checkpoint, ComputeBackends.scalar(), null);
            final BadInputException high = assertThrows(BadInputException.class,
                () -> decoder.score(new int[] {1, 2, 3, 4, 5, 64}, 2, 3));
            assertEquals("ids: id 64 at row 1, position 2 is outside the vocabulary 0..63", high.getMessage());
            final BadInputException negative = assertThrows(BadInputException.class,
                () -> decoder.score(new int[] {-1, 2}, 1, 2));
            assertEquals("ids: id -1 at row 0, position 0 is outside the vocabulary 0..63", negative.getMessage());
        }
    }

    @Test
    void scaledRopeInRopeParametersIsRefused() throws IOException
    {
        final Path folder = CheckpointCopies.copy("mixtral", dir,
            Map.of("rope_parameters", "{\"rope_type\": \"yarn\", \"rope_theta\": 10000.0, \"factor\": 4.0}"));
        assertRefused(folder, "rope_parameters has rope type \"yarn\"; only the default RoPE (no scaling) is supported");
    }

    @Test
    void scaledRopeInHubSpellingIsRefused() throws IOException
    {
        final Path folder = CheckpointCopies.copy("qwen2_moe", dir,
            Map.of("rope_scaling", "{\"type\": \"linear\", \"factor\": 2.0}"));
        assertRefused(folder, "rope_scaling has rope type \"linear\"; only the default RoPE (no scaling) is supported");
    }

    @Test
    void familiesWithoutThisPassAreRefused()
    {
        assertRefused(TestData.checkpoints().resolve("deepseek_v3"), "model_type deepseek_v3 has no decoder-only");
    }

    @Test
    void misshapenDenseTensorIsNamed() throws IOException
    {
        final Path folder = CheckpointCopies.copy("qwen3_moe", dir, Map.of("head_dim", "4"));
        assertRefused(folder, "tensor model.layers.0.self_attn.q_proj.weight has shape [32, 32]; " +
            "the config implies [16, 32]");
    }

    private static void assertRefused(final Path folder, final String expected)
    {
        try (Checkpoint checkpoint = Checkpoint.open(folder))
        {
            final BadInputException ex = assertThrows(BadInputException.class,
                () -> CheckpointDecoder.load(checkpoint, ComputeBackends.scalar(), null));
            assertTrue(ex.getMessage().contains(expected), ex.getMessage());
            assertTrue(!ex.getMessage().contains("\n"), "one line: " + ex.getMessage());
        }
    }
}
