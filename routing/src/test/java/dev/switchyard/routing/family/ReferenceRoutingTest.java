package dev.switchyard.routing.family;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every served layer of every committed checkpoint: the rule routes the reference's router logits to
 * the reference's experts and drops, with gates within 1e-6 · max|gate|.
 */
class ReferenceRoutingTest
{
    private static final double GATE_TOLERANCE = 1e-6;
    private static final List<String> CASES = List.of("mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v2",
        "deepseek_v2_greedy", "deepseek_v3", "deepseek_v3_fp8", "qwen3_moe_fp8", "switch_transformers", "nllb-moe",
        "nllb-moe_norm_before");

    @Test
    void everyCaseIsCovered() throws IOException
    {
        try (Stream<Path> folders = Files.list(CheckpointFixtures.root()))
        {
            final List<String> found = folders.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                .sorted().toList();
            assertEquals(CASES.stream().sorted().toList(), found);
        }
    }

    @TestFactory
    List<DynamicTest> everyServedLayerRoutesAsTheReference()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final String name : CASES)
        {
            tests.add(DynamicTest.dynamicTest(name, () -> checkCase(CheckpointFixtures.root().resolve(name))));
        }
        return tests;
    }

    private static void checkCase(final Path folder) throws IOException
    {
        final JsonNode meta = CheckpointFixtures.json(folder.resolve("reference").resolve("layers.json"));
        final boolean asSets = meta.get("model_type").asText().startsWith("deepseek");
        double worst = 0;
        int drops = 0;
        for (final JsonNode layer : meta.get("layers"))
        {
            final LayerRouting routed = LayerRouting.route(folder, layer);
            final int k = routed.k();
            final float[] refGate = routed.referenceGate();
            final int[] refExpert = routed.referenceExpert();
            double maxGate = 0;
            for (final float g : refGate)
            {
                maxGate = Math.max(maxGate, Math.abs(g));
            }
            final String where = folder.getFileName() + " layer " + layer.get("index").asInt();
            for (int t = 0; t < routed.tokens(); t++)
            {
                for (int j = 0; j < k; j++)
                {
                    final int want = refExpert[t * k + j];
                    final int at = asSets ? indexOf(routed.expert(), t * k, k, want) : t * k + j;
                    if (at < 0 || routed.expert()[at] != want)
                    {
                        fail(where + " token " + t + ": experts " + Arrays.toString(slice(routed.expert(), t, k)) +
                            ", reference " + Arrays.toString(slice(refExpert, t, k)));
                    }
                    final double err = Math.abs(routed.gate()[at] - refGate[t * k + j]) / maxGate;
                    worst = Math.max(worst, err);
                    assertTrue(err <= GATE_TOLERANCE, where + " token " + t + " entry " + j + ": gate " +
                        routed.gate()[at] + ", reference " + refGate[t * k + j]);
                    drops += want < 0 ? 1 : 0;
                }
            }
        }
        System.out.printf("%-22s largest gate error %.2e of max|gate|, %d dropped assignments%n",
            folder.getFileName(), worst, drops);
    }

    private static int indexOf(final int[] expert, final int from, final int k, final int want)
    {
        for (int j = 0; j < k; j++)
        {
            if (expert[from + j] == want)
            {
                return from + j;
            }
        }
        return -1;
    }

    private static int[] slice(final int[] a, final int t, final int k)
    {
        return Arrays.copyOfRange(a, t * k, t * k + k);
    }

    /** One layer's reference files and the rule's answer for its logits, group by group. */
    record LayerRouting(int tokens, int k, int[] expert, float[] gate, int[] referenceExpert, float[] referenceGate)
    {
        static LayerRouting route(final Path folder, final JsonNode layer) throws IOException
        {
            final Path ref = folder.resolve("reference");
            final int l = layer.get("index").asInt();
            final NpyArray logits = Npy.read(ref.resolve("layer" + l + ".router_logits.npy"));
            final RoutingRule rule = RoutingRules.create(CaseRules.params(folder, layer));
            final int tokens = logits.rows();
            final int experts = logits.cols();
            final int k = rule.k();
            assertEquals(layer.get("top_k").asInt(), k);
            final int group = layer.get("group_size").isNull() ? tokens : layer.get("group_size").asInt();
            final int[] expert = new int[tokens * k];
            final float[] gate = new float[tokens * k];
            final int[] groupExpert = new int[group * k];
            final float[] groupGate = new float[group * k];
            for (int start = 0; start < tokens; start += group)
            {
                final float[] part = Arrays.copyOfRange(logits.data(), start * experts, (start + group) * experts);
                rule.route(part, group, experts, groupExpert, groupGate);
                System.arraycopy(groupExpert, 0, expert, start * k, group * k);
                System.arraycopy(groupGate, 0, gate, start * k, group * k);
            }
            final int[] refExpert = CheckpointFixtures.int32(ref.resolve("layer" + l + ".expert.npy"), tokens, k);
            final NpyArray refGate = Npy.read(ref.resolve("layer" + l + ".gate.npy"));
            assertEquals(tokens * k, refGate.data().length);
            return new LayerRouting(tokens, k, expert, gate, refExpert, refGate.data());
        }
    }
}
