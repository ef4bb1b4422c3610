package dev.switchyard.transformer.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.testkit.TestData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The decoder-only forward pass against transformers' {@code model(ids).logits} (testdata/lm): within
 * 1e-4 · max|reference| for the batch and for each row scored alone, and a row's logits the same bits
 * alone as beside the other row.
 */
class CheckpointDecoderTest
{
    private static final String[] CASES = {"mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "qwen3_moe_fp8"};

    @TestFactory
    List<DynamicTest> logitsMatchTheReference()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final String name : CASES)
        {
            for (final String backend : new String[] {ComputeBackends.SCALAR, ComputeBackends.VECTOR})
            {
                tests.add(DynamicTest.dynamicTest(name + " " + backend,
                    () -> check(name, ComputeBackends.byName(backend))));
            }
        }
        return tests;
    }

    private static void check(final String name, final ComputeBackend backend) throws IOException
    {
        final LmReferences ref = LmReferences.of(name);
        try (Checkpoint checkpoint = Checkpoint.open(TestData.checkpoints().resolve(name)))
        {
            final CheckpointDecoder decoder = CheckpointDecoder.load(checkpoint, backend, null);
            assertEquals(ref.vocab(), decoder.vocab(), name + " vocabulary");
            final float[] batch = decoder.score(ref.ids(), ref.rows(), ref.length());
            assertClose(name + " " + backend.name() + " batch", ref.logits(), batch);
            final int width = ref.length() * ref.vocab();
            for (int r = 0; r < ref.rows(); r++)
            {
                final float[] alone = decoder.score(ref.ids(r, 1), 1, ref.length());
                final float[] expected = Arrays.copyOfRange(ref.logits(), r * width, (r + 1) * width);
                assertClose(name + " row " + r, expected, alone);
                assertArrayEquals(Arrays.copyOfRange(batch, r * width, (r + 1) * width), alone,
                    name + " row " + r + " alone differs from the batch");
            }
        }
    }

    static void assertClose(final String what, final float[] expected, final float[] actual)
    {
        assertEquals(expected.length, actual.length, what + " length");
        float max = 0f;
        float worst = 0f;
        for (int i = 0; i < expected.length; i++)
        {
            max = Math.max(max, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(max > 0f, what + ": reference is all zero");
        if (what.endsWith(" batch"))
        {
            System.out.printf(java.util.Locale.ROOT, "%s logits: largest |diff| %.2e of max|reference|%n", what,
                worst / max);
        }
        assertTrue(worst <= 1e-4f * max, what + ": max |diff| " + worst + " > 1e-4 · " + max);
    }
}
