package dev.switchyard.compute.layer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.testkit.TestData;
import dev.switchyard.testkit.Tokens;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Batch invariance of the dropless families: a token's output and routing are the same bits whether it is
 * computed alone or at any place inside a 4,096-token request of other tokens, with the blocks split
 * between two threads.
 */
class CheckpointBatchInvarianceTest
{
    private static final int REQUEST = 4096;
    private static final List<String> DROPLESS = List.of("mixtral", "qwen2_moe", "qwen3_moe", "olmoe",
        "deepseek_v2", "deepseek_v2_greedy", "deepseek_v3", "deepseek_v3_fp8");

    @TestFactory
    List<DynamicTest> aTokenAloneEqualsItInsideALargeRequest()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final String name : DROPLESS)
        {
            tests.add(DynamicTest.dynamicTest(name, () -> check(TestData.checkpoints().resolve(name))));
        }
        return tests;
    }

    private static void check(final Path folder) throws Exception
    {
        // Two threads that split every block: a row's result must not depend on which thread computed it.
        try (Checkpoint checkpoint = Checkpoint.open(folder);
            ComputePool pool = ComputePool.ofThreads(2, 1))
        {
            final CheckpointMoeLayer moe = CheckpointMoeLayer.load(checkpoint, 0, ComputeBackends.vector(pool), null);
            final NpyArray probe = Npy.read(folder.resolve("reference").resolve("layer0.input.npy"));
            final int d = probe.cols();
            final int k = moe.k();
            final float[] request = Tokens.gaussian(REQUEST, d, 7);
            final int[] places = {0, 1, 37, REQUEST / 2, REQUEST - 1};
            for (int p = 0; p < places.length; p++)
            {
                System.arraycopy(probe.data(), p * d, request, places[p] * d, d);
            }
            final float[] y = new float[REQUEST * d];
            final int[] expert = new int[REQUEST * k];
            final float[] gate = new float[REQUEST * k];
            moe.forward(request, REQUEST, REQUEST, y, expert, gate);
            for (int p = 0; p < places.length; p++)
            {
                final float[] one = new float[d];
                System.arraycopy(probe.data(), p * d, one, 0, d);
                final float[] alone = new float[d];
                final int[] aloneExpert = new int[k];
                final float[] aloneGate = new float[k];
                moe.forward(one, 1, 1, alone, aloneExpert, aloneGate);
                final int at = places[p];
                assertArrayEquals(aloneExpert, Arrays.copyOfRange(expert, at * k, at * k + k),
                    folder.getFileName() + " token at " + at + ": experts");
                for (int i = 0; i < k; i++)
                {
                    assertEquals(Float.floatToRawIntBits(aloneGate[i]), Float.floatToRawIntBits(gate[at * k + i]),
                        folder.getFileName() + " token at " + at + ": gate " + i);
                }
                for (int j = 0; j < d; j++)
                {
                    assertEquals(Float.floatToRawIntBits(alone[j]), Float.floatToRawIntBits(y[at * d + j]),
                        folder.getFileName() + " token at " + at + ": output " + j);
                }
            }
        }
    }
}
