package dev.switchyard.transformer.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.util.Arrays;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.testkit.TestData;
import dev.switchyard.transformer.decode.Choice;
import org.junit.jupiter.api.Test;

/**
 * Sampling with §8's Gumbel rule: the same ids for the same (seed, row, position), whatever the other rows of
 * the batch; the position is the new id's position in the output row; a vanishing temperature is greedy.
 */
class CheckpointSamplingTest
{
    private static final String NAME = "qwen3_moe";

    @Test
    void sampledRowsDependOnSeedRowAndPositionAlone() throws IOException
    {
        final GenerateReferences ref = GenerateReferences.of(NAME);
        try (Checkpoint checkpoint = Checkpoint.open(TestData.checkpoints().resolve(NAME)))
        {
            final CheckpointGenerator generator = GenerateReferences.generator(checkpoint);
            final GenerateOptions options = new GenerateOptions(ref.newTokens(), 1.0, 42);
            final int[] first = generator.generate(ref.prompts(), ref.rows(), ref.length(), options);
            assertArrayEquals(first, generator.generate(ref.prompts(), ref.rows(), ref.length(), options),
                "the same seed twice");
            // Row 2 beside other prompts (rows 0 and 1 swapped and row 0's prompt cut to one id).
            final int[] others = ref.prompts();
            final int[] swapped = ref.prompts(1, 1);
            System.arraycopy(others, 0, others, ref.length(), ref.length());
            System.arraycopy(swapped, 0, others, 0, ref.length());
            Arrays.fill(others, 1, ref.length(), -1);
            final int[] beside = generator.generate(others, ref.rows(), ref.length(), options);
            final int width = ref.width();
            assertArrayEquals(Arrays.copyOfRange(first, 2 * width, 3 * width),
                Arrays.copyOfRange(beside, 2 * width, 3 * width), "row 2 depends on the other rows");
            assertFalse(Arrays.equals(Arrays.copyOfRange(first, width, 2 * width),
                Arrays.copyOfRange(beside, width, 2 * width)), "row 1 (another prompt) was not resampled");
            final int[] reseeded = generator.generate(ref.prompts(), ref.rows(), ref.length(),
                new GenerateOptions(ref.newTokens(), 1.0, 43));
            assertFalse(Arrays.equals(first, reseeded), "another seed draws the same ids");
        }
    }

    @Test
    void theFirstSampledIdUsesItsPositionInTheOutput() throws IOException
    {
        final GenerateReferences ref = GenerateReferences.of(NAME);
        try (Checkpoint checkpoint = Checkpoint.open(TestData.checkpoints().resolve(NAME)))
        {
            final CheckpointDecoder decoder = CheckpointDecoder.load(checkpoint, ComputeBackends.scalar(), null);
            final CheckpointGenerator generator = new CheckpointGenerator(decoder, new int[0]);
            final int v = decoder.vocab();
            for (final long seed : new long[] {7, 8, 9})
            {
                final int[] out = generator.generate(ref.prompts(), ref.rows(), ref.length(),
                    new GenerateOptions(1, 2.0, seed));
                for (int r = 0; r < ref.rows(); r++)
                {
                    final int n = promptLength(ref.prompts(r, 1));
                    final float[] logits = decoder.score(Arrays.copyOf(ref.prompts(r, 1), n), 1, n);
                    assertEquals(Choice.sample(logits, (n - 1) * v, v, 2.0, seed, r, n),
                        out[r * (ref.length() + 1) + n], "seed " + seed + " row " + r);
                }
            }
        }
    }

    @Test
    void aVanishingTemperatureIsGreedy() throws IOException
    {
        final GenerateReferences ref = GenerateReferences.of(NAME);
        try (Checkpoint checkpoint = Checkpoint.open(TestData.checkpoints().resolve(NAME)))
        {
            // T·g stays below 1e-6 · 40 for every uniform of float64, under the greedy margins (> 1e-4).
            assertArrayEquals(ref.greedy(), GenerateReferences.generator(checkpoint).generate(ref.prompts(),
                ref.rows(), ref.length(), new GenerateOptions(ref.newTokens(), 1e-6, 5)));
        }
    }

    private static int promptLength(final int[] row)
    {
        int n = 0;
        while (n < row.length && row[n] != -1)
        {
            n++;
        }
        return n;
    }
}
