package dev.switchyard.transformer.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.testkit.TestData;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key/value cache: a prompt prefilled in one pass gives the same bits as stepping through it one position
 * at a time (and as any split in between), and agrees with {@code score} and transformers' logits within
 * 1e-4 · max|reference|, with and without sliding windows.
 */
class DecoderCacheTest
{
    private static final String[] CASES = {"mixtral", "qwen2_moe", "qwen3_moe", "olmoe"};

    @TempDir
    Path dir;

    @TestFactory
    List<DynamicTest> prefillEqualsStepping()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final String name : CASES)
        {
            tests.add(DynamicTest.dynamicTest(name, () -> check(name, TestData.checkpoints().resolve(name))));
        }
        return tests;
    }

    @Test
    void slidingWindowsPrefillEqualsStepping() throws IOException
    {
        check("mixtral_window", CheckpointCopies.copy("mixtral", dir, Map.of("sliding_window", "5")));
    }

    @Test
    void aFullSequenceRefusesMorePositions() throws IOException
    {
        try (Checkpoint checkpoint = Checkpoint.open(TestData.checkpoints().resolve("mixtral")))
        {
            final CheckpointDecoder decoder = CheckpointDecoder.load(checkpoint, ComputeBackends.scalar(), null);
            final DecoderCache cache = decoder.sequence(2);
            decoder.append(cache, new int[] {3, 4}, 0, 2, new float[2 * decoder.vocab()]);
            final BadInputException ex = assertThrows(BadInputException.class,
                () -> decoder.append(cache, new int[] {5}, 0, 1, new float[decoder.vocab()]));
            assertEquals("cannot append 1 positions to a sequence of 2 with room for 2", ex.getMessage());
        }
    }

    private static void check(final String name, final Path folder) throws IOException
    {
        final LmReferences ref = LmReferences.of(name);
        try (Checkpoint checkpoint = Checkpoint.open(folder))
        {
            final CheckpointDecoder decoder = CheckpointDecoder.load(checkpoint, ComputeBackends.byName(ComputeBackends.VECTOR), null);
            final int v = decoder.vocab();
            final int length = ref.length();
            for (int r = 0; r < ref.rows(); r++)
            {
                final int[] ids = ref.ids(r, 1);
                final float[] prefilled = new float[length * v];
                decoder.append(decoder.sequence(length), ids, 0, length, prefilled);
                final float[] stepped = new float[length * v];
                final DecoderCache cache = decoder.sequence(length);
                final float[] one = new float[v];
                for (int p = 0; p < length; p++)
                {
                    decoder.append(cache, ids, p, 1, one);
                    System.arraycopy(one, 0, stepped, p * v, v);
                }
                assertArrayEquals(prefilled, stepped, name + " row " + r + ": stepping differs from the prefill");
                final float[] split = new float[length * v];
                final DecoderCache halves = decoder.sequence(length + 3);
                decoder.append(halves, ids, 0, 5, split);
                final float[] rest = new float[(length - 5) * v];
                decoder.append(halves, ids, 5, length - 5, rest);
                System.arraycopy(rest, 0, split, 5 * v, rest.length);
                assertArrayEquals(prefilled, split, name + " row " + r + ": a prompt in two parts differs");
                assertEquals(length, halves.length(), name + " positions held");
                final float[] scored = decoder.score(ids, 1, length);
                CheckpointDecoderTest.assertClose(name + " row " + r + " against score", scored, prefilled);
                CheckpointDecoderTest.assertClose(name + " row " + r + " against transformers",
                    Arrays.copyOfRange(ref.logits(), r * length * v, (r + 1) * length * v), stepped);
            }
        }
    }
}
