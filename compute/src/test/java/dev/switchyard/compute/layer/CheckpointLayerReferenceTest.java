package dev.switchyard.compute.layer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.testkit.TestData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every served layer of every committed checkpoint, in process, against the outputs transformers
 * computed (testdata/checkpoints): the same experts and drops for every token, gates within
 * 1e-6 · max|gate|, outputs within 1e-5 · max|reference| (docs/contracts.md §9, "exact"); and the
 * degraded references, with the experts they name unavailable.
 */
class CheckpointLayerReferenceTest
{
    static final List<String> CASES = List.of("mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v2",
        "deepseek_v2_greedy", "deepseek_v3", "deepseek_v3_fp8", "qwen3_moe_fp8", "switch_transformers", "nllb-moe",
        "nllb-moe_norm_before");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    List<DynamicTest> everyServedLayerComputesAsTheReference()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final String backend : List.of(ComputeBackends.VECTOR, ComputeBackends.SCALAR))
        {
            for (final String name : CASES)
            {
                tests.add(DynamicTest.dynamicTest(name + " " + backend,
                    () -> checkCase(TestData.checkpoints().resolve(name), backend)));
            }
        }
        return tests;
    }

    private static void checkCase(final Path folder, final String backend) throws IOException
    {
        final Path ref = folder.resolve("reference");
        final JsonNode meta = JSON.readTree(ref.resolve("layers.json").toFile());
        final boolean asSets = meta.get("model_type").asText().startsWith("deepseek");
        try (Checkpoint checkpoint = Checkpoint.open(folder))
        {
            assertEquals(meta.get("layers").size(), checkpoint.layers().size(), "served layers");
            for (final JsonNode layer : meta.get("layers"))
            {
                final int l = layer.get("index").asInt();
                final CheckpointMoeLayer moe = CheckpointMoeLayer.load(checkpoint, l, ComputeBackends.byName(backend), null);
                checkLayer(moe, ref, l, layer, asSets, null, "output");
                final JsonNode unavailable = layer.get("unavailable_experts");
                if (unavailable != null && !unavailable.isNull())
                {
                    final boolean[] off = new boolean[moe.spec().experts()];
                    unavailable.forEach(e -> off[e.asInt()] = true);
                    checkLayer(moe.withUnavailable(off), ref, l, layer, asSets, off, "output_unavailable");
                    moe.withUnavailable(null);
                }
            }
        }
    }

    private static void checkLayer(final CheckpointMoeLayer moe, final Path ref, final int l, final JsonNode layer,
        final boolean asSets, final boolean[] off, final String output) throws IOException
    {
        final String where = ref.getParent().getFileName() + " layer " + l + (off == null ? "" : " degraded");
        final NpyArray x = Npy.read(ref.resolve("layer" + l + ".input.npy"));
        final int t = x.rows();
        final int d = x.cols();
        final int k = moe.k();
        final float[] y = new float[t * d];
        final int[] expert = new int[t * k];
        final float[] gate = new float[t * k];
        final int group = layer.hasNonNull("group_size") ? layer.get("group_size").asInt() : t;
        moe.forward(x.data(), t, group, y, expert, gate);

        final int[] refExpert = TestData.int32(ref.resolve("layer" + l + ".expert.npy"), t, k);
        final float[] refGate = Npy.read(ref.resolve("layer" + l + ".gate.npy")).data();
        if (off != null)
        {
            for (int i = 0; i < refExpert.length; i++)
            {
                if (refExpert[i] >= 0 && off[refExpert[i]])
                {
                    refExpert[i] = -1;
                    refGate[i] = 0f;
                }
            }
        }
        RoutingCompare.assertSame(where, t, k, refExpert, refGate, expert, gate, asSets);

        final float[] refY = Npy.read(ref.resolve("layer" + l + "." + output + ".npy")).data();
        double max = 0;
        for (final float v : refY)
        {
            max = Math.max(max, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < refY.length; i++)
        {
            worst = Math.max(worst, Math.abs(y[i] - refY[i]));
        }
        assertTrue(worst <= 1e-5 * max, where + ": output off by " + worst + " (max |ref| " + max + ")");
        System.out.printf("%s: %d tokens, k %d, routing as the reference, output within %.2e of max|ref|%n", where,
            t, k, worst / max);
    }
}
