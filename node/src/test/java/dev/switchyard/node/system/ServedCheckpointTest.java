package dev.switchyard.node.system;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.onednn.OneDnnLibrary;
import dev.switchyard.compute.layer.CheckpointMoeLayer;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.testkit.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checkpoint folders served by a running system (gateway, expert actors, Aeron): every served layer
 * answers the committed reference tokens with the same bits as the in-process layer; for the dropless
 * families a token's output does not depend on what shares its request or its groups: alone, inside a
 * 4,096-token request, and in groups shared with another client's traffic. Qwen2-MoE has four routed
 * terms and a shared expert with its sigmoid gate (five terms, whose sum depends on their order);
 * DeepSeek-V3 group-limited routing with a shared expert; Switch a capacity family, routed per request;
 * Mixtral's two terms, added as the replies arrive.
 * The answers' routing reports carry the family's k entries per token, as the in-process layer gives them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServedCheckpointTest
{
    private static final int LARGE = 4096;

    @Test
    void mixtralTopTwoAddedAsRepliesArrive() throws Exception
    {
        servedLayersAreTheLocalLayersBitForBit("mixtral");
    }

    @Test
    void qwen2MoeWithItsGatedSharedExpert() throws Exception
    {
        servedLayersAreTheLocalLayersBitForBit("qwen2_moe");
    }

    /** DeepSeek-V3 as released: fp8 experts with block scales, dequantized at load. */
    @Test
    void deepseekV3Fp8GroupLimitedWithASharedExpert() throws Exception
    {
        servedLayersAreTheLocalLayersBitForBit("deepseek_v3_fp8");
    }

    @Test
    void switchTop1WithCapacityPerRequest() throws Exception
    {
        servedLayersAreTheLocalLayersBitForBit("switch_transformers");
    }

    /** The native backend keeps every promise: the served bits are its local bits, whatever the batch. */
    @Test
    void qwen2MoeOnTheNativeBackend() throws Exception
    {
        final OneDnnLibrary library = OneDnnLibrary.get();
        assumeTrue(library.available(), "native backend not tested: " + library.reason());
        servedLayersAreTheLocalLayersBitForBit("qwen2_moe", ComputeBackends.NATIVE);
    }

    private static void servedLayersAreTheLocalLayersBitForBit(final String name) throws Exception
    {
        servedLayersAreTheLocalLayersBitForBit(name, ComputeBackends.VECTOR);
    }

    private static void servedLayersAreTheLocalLayersBitForBit(final String name, final String backend)
        throws Exception
    {
        final Path folder = TestData.checkpoints().resolve(name);
        try (Checkpoint checkpoint = Checkpoint.open(folder);
             EmbeddedSystem system = EmbeddedSystem.start(folder, ConfigFactory.parseString(
                 "switchyard.gateway.max-wait-us = 200\nswitchyard.experts.compute-backend = " + backend)))
        {
            final SwitchyardClient client = system.client();
            for (int layer = 0; layer < checkpoint.layers().size(); layer++)
            {
                final CheckpointMoeLayer local = CheckpointMoeLayer.load(checkpoint, layer,
                    ComputeBackends.byName(backend), null);
                final NpyArray x = Npy.read(folder.resolve("reference").resolve("layer" + layer + ".input.npy"));
                final int rows = x.rows();
                final int d = x.cols();
                final float[] expected = new float[rows * d];
                final int k = local.k();
                final int[] expert = new int[rows * k];
                final float[] gate = new float[rows * k];
                // The capacity families route the request as one group, as the server does.
                local.forward(x.data(), rows, rows, expected, expert, gate);
                final InferAnswer whole = client.infer(x.data(), rows, null, true,
                    RequestOptions.exact().withLayer(layer)).get(60, TimeUnit.SECONDS);
                assertEquals(AnswerStatus.OK, whole.status(), whole.detail());
                assertArrayEquals(expected, Arrays.copyOf(whole.output(), rows * d), name + " layer " + layer);
                // The routing report: the family's k entries per token, in the rule's order, as in process.
                assertEquals(k, whole.routing().entries(), name + " routing entries");
                assertArrayEquals(expert, whole.routing().expert(), name + " layer " + layer + " experts");
                assertArrayEquals(gate, whole.routing().gate(), name + " layer " + layer + " gates");
                if (local.dropless())
                {
                    batchInvariance(system, client, layer, x.data(), rows, d, expected, name);
                }
                final float[] importance = new float[rows];
                Arrays.fill(importance, 1f);
                final InferAnswer weighted = client.infer(x.data(), rows, importance, false,
                    RequestOptions.exact().withLayer(layer)).get(60, TimeUnit.SECONDS);
                assertEquals(AnswerStatus.BAD_INPUT, weighted.status(), "importance on " + name);
                assertTrue(weighted.detail().contains("importance does not apply"), weighted.detail());
            }
        }
    }

    /** Each reference token alone, inside a large request, and in groups shared with another client. */
    private static void batchInvariance(final EmbeddedSystem system, final SwitchyardClient client, final int layer,
        final float[] x, final int rows, final int d, final float[] expected, final String name) throws Exception
    {
        final String where = name + " layer " + layer;
        for (int t = 0; t < rows; t += 7)
        {
            final InferAnswer alone = client.infer(Arrays.copyOfRange(x, t * d, (t + 1) * d), 1, null, false,
                RequestOptions.exact().withLayer(layer)).get(60, TimeUnit.SECONDS);
            assertEquals(AnswerStatus.OK, alone.status(), alone.detail());
            assertArrayEquals(Arrays.copyOfRange(expected, t * d, (t + 1) * d), Arrays.copyOf(alone.output(), d),
                where + " token " + t + " alone");
        }
        final Random random = new Random(layer * 31L + name.hashCode());
        final float[] large = gaussian(random, LARGE * d);
        final int[] at = new int[rows];
        for (int t = 0; t < rows; t++)
        {
            at[t] = t * (LARGE / rows) + random.nextInt(LARGE / rows);
            System.arraycopy(x, t * d, large, at[t] * d, d);
        }
        try (SwitchyardClient other = SwitchyardClient.connect(system.gatewayAddress()))
        {
            final float[] noise = gaussian(random, 1000 * d);
            final CompletableFuture<InferAnswer> theirs = other.infer(noise, 1000, null, false,
                RequestOptions.shared().withLayer(layer));
            final CompletableFuture<InferAnswer> ours = client.infer(large, LARGE, null, false,
                RequestOptions.shared().withLayer(layer));
            final InferAnswer answer = ours.get(60, TimeUnit.SECONDS);
            assertEquals(AnswerStatus.OK, answer.status(), answer.detail());
            assertEquals(AnswerStatus.OK, theirs.get(60, TimeUnit.SECONDS).status());
            for (int t = 0; t < rows; t++)
            {
                assertArrayEquals(Arrays.copyOfRange(expected, t * d, (t + 1) * d),
                    Arrays.copyOfRange(answer.output(), at[t] * d, (at[t] + 1) * d),
                    where + " token " + t + " at row " + at[t] + " of a shared " + LARGE + "-token request");
            }
        }
    }

    private static float[] gaussian(final Random random, final int n)
    {
        final float[] a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)random.nextGaussian();
        }
        return a;
    }
}
