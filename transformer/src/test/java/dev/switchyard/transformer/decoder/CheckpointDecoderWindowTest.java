package dev.switchyard.transformer.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.model.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sliding windows against transformers (testdata/lm/*_window: the checkpoints loaded with the same
 * config keys replaced): Mixtral's {@code sliding_window} in every layer, Qwen2-MoE's only with
 * {@code use_sliding_window} and in the layers {@code layer_types} names.
 */
class CheckpointDecoderWindowTest
{
    @TempDir
    Path dir;

    @Test
    void mixtralSlidingWindow() throws IOException
    {
        check("mixtral_window", CheckpointCopies.copy("mixtral", dir, Map.of("sliding_window", "5")), new int[] {5, 5});
    }

    @Test
    void qwen2MoeSlidingWindowPerLayer() throws IOException
    {
        check("qwen2_moe_window", CheckpointCopies.copy("qwen2_moe", dir, Map.of("use_sliding_window", "true",
            "sliding_window", "4",
            "layer_types", "[\"sliding_attention\", \"full_attention\", \"sliding_attention\"]")), new int[] {4, 0, 4});
    }

    private static void check(final String name, final Path folder, final int[] windows) throws IOException
    {
        final LmReferences ref = LmReferences.of(name);
        try (Checkpoint checkpoint = Checkpoint.open(folder))
        {
            final CheckpointDecoder decoder = CheckpointDecoder.load(checkpoint, ComputeBackends.scalar(), null);
            assertArrayEquals(windows, decoder.config().window(), name + " windows per layer");
            final float[] batch = decoder.score(ref.ids(), ref.rows(), ref.length());
            CheckpointDecoderTest.assertClose(name, ref.logits(), batch);
            final int width = ref.length() * ref.vocab();
            final float[] row1 = decoder.score(ref.ids(1, 1), 1, ref.length());
            assertEquals(Arrays.toString(Arrays.copyOfRange(batch, width, 2 * width)), Arrays.toString(row1),
                name + " row 1 alone differs from the batch");
        }
    }
}
