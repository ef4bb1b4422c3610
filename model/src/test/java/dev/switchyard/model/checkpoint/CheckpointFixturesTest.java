package dev.switchyard.model.checkpoint;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every committed checkpoint opens with the layers, prefixes and settings its reference names. */
class CheckpointFixturesTest
{
    @ParameterizedTest
    @ValueSource(strings = {"mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v2", "deepseek_v2_greedy",
        "deepseek_v3", "switch_transformers", "nllb-moe", "nllb-moe_norm_before"})
    void servedLayersMatchTheReference(final String name)
    {
        final JsonNode ref = Fixtures.layersJson(name);
        assertTrue(MoeFamily.isCheckpoint(Fixtures.checkpoint(name)));
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.checkpoint(name)))
        {
            assertEquals(ref.get("model_type").textValue(), ckpt.family().modelType());
            assertEquals(ref.get("safetensors_files").size(), ckpt.files().size());
            assertEquals(ref.get("layers").size(), ckpt.layers().size());
            final String dtype = Fixtures.dtypeNames().get(ref.get("dtype").textValue());
            for (final JsonNode l : ref.get("layers"))
            {
                final MoeLayerSpec spec = ckpt.layer(l.get("index").intValue());
                assertEquals(l.get("prefix").textValue(), spec.prefix(), name);
                assertEquals(l.get("experts").intValue(), spec.experts(), name);
                assertEquals(l.get("top_k").intValue(), spec.topK(), name);
                assertEquals(l.get("shared_experts").intValue(), spec.shared().count(), name);
                assertEquals("fused".equals(ref.get("expert_form").textValue()), spec.fused(), name);
                assertEquals(32, spec.dModel());
                assertEquals(!l.get("group_size").isNull(), spec.routing().capacityLimited(), name);
                for (int j = 0; j < spec.experts(); j++)
                {
                    final ExpertTensors e = ckpt.expert(spec.index(), j);
                    assertEquals(dtype, e.in().dtype().name(), name);
                    assertEquals(spec.intermediate(), e.in().dim(0));
                    assertEquals(spec.dModel(), e.in().dim(1));
                    assertEquals(spec.dModel(), e.out().dim(0));
                    assertEquals(spec.intermediate(), e.out().dim(1));
                }
                assertEquals(dtype, ckpt.tensor(spec.routerWeight()).dtype().name());
            }
        }
    }

    @Test
    void formsAndSharedExpertsPerFamily()
    {
        try (Checkpoint mixtral = Checkpoint.open(Fixtures.checkpoint("mixtral"));
            Checkpoint qwen2 = Checkpoint.open(Fixtures.checkpoint("qwen2_moe"));
            Checkpoint switchT = Checkpoint.open(Fixtures.checkpoint("switch_transformers"));
            Checkpoint nllb = Checkpoint.open(Fixtures.checkpoint("nllb-moe")))
        {
            assertEquals(ExpertForm.SWIGLU, mixtral.layer(0).form());
            assertEquals("model.layers.0.block_sparse_moe.experts.1.w1.weight", mixtral.expert(0, 1).gate().name());
            assertEquals("model.layers.0.block_sparse_moe.experts.1.w3.weight", mixtral.expert(0, 1).in().name());
            assertEquals("model.layers.0.block_sparse_moe.experts.1.w2.weight", mixtral.expert(0, 1).out().name());
            assertEquals(new RoutingParams.SoftmaxTopK(true), mixtral.layer(1).routing());
            assertNull(mixtral.sharedExpert(0));
            // 3 matrices of 48 x 32 float32
            assertEquals(3L * 48 * 32 * 4, mixtral.bytesPerExpert(0));

            final SharedExperts shared = qwen2.layer(0).shared();
            assertEquals(new SharedExperts(1, 40, "model.layers.1.mlp.shared_expert",
                "model.layers.1.mlp.shared_expert_gate.weight"), shared);
            assertEquals(40, qwen2.sharedExpert(0).gate().dim(0));
            assertEquals(new RoutingParams.SoftmaxTopK(false), qwen2.layer(0).routing());
            assertEquals(3L * 48 * 32 * 2, qwen2.bytesPerExpert(1));

            assertEquals(ExpertForm.RELU, switchT.layer(1).form());
            assertNull(switchT.expert(1, 3).gate());
            assertEquals("decoder.block.1.layer.2.mlp.experts.expert_3.wo.weight", switchT.expert(1, 3).out().name());
            assertEquals(new RoutingParams.Switch(2), switchT.layer(0).routing());

            assertEquals(ExpertForm.RELU_BIAS, nllb.layer(0).form());
            final ExpertTensors fc = nllb.expert(0, 2);
            assertEquals("model.encoder.layers.1.ffn.experts.expert_2.fc1.bias", fc.inBias().name());
            assertEquals(48, fc.inBias().dim(0));
            assertEquals(32, fc.outBias().dim(0));
            assertEquals((2L * 48 * 32 + 48 + 32) * 4, nllb.bytesPerExpert(0));
            assertEquals(new RoutingParams.Nllb(0.3, 64, false, true, 0.2, "all"), nllb.layer(1).routing());
        }
    }

    @Test
    void deepseekRoutingAndSharedExperts()
    {
        try (Checkpoint v2 = Checkpoint.open(Fixtures.checkpoint("deepseek_v2"));
            Checkpoint greedy = Checkpoint.open(Fixtures.checkpoint("deepseek_v2_greedy"));
            Checkpoint v3 = Checkpoint.open(Fixtures.checkpoint("deepseek_v3")))
        {
            assertEquals(new RoutingParams.DeepseekV2("group_limited_greedy", 4, 2, 1.7), v2.layer(0).routing());
            assertEquals(new SharedExperts(2, 48, "model.layers.1.mlp.shared_experts", null), v2.layer(0).shared());
            assertEquals(48, v2.sharedExpert(0).in().dim(0));
            assertEquals("greedy", ((RoutingParams.DeepseekV2)greedy.layer(1).routing()).topkMethod());
            assertEquals(new RoutingParams.DeepseekV3(4, 2, true, 2.5), v3.layer(0).routing());
            assertEquals("model.layers.2.mlp.gate.e_score_correction_bias", v3.layer(1).scoreCorrectionBias());
            assertEquals(16, v3.tensor(v3.layer(1).scoreCorrectionBias()).toF32().elementCount());
            assertNull(v2.layer(0).scoreCorrectionBias());
        }
    }

    /** The router widened to float32 reproduces the reference logits: x [T, d] · Wᵀ [d, E]. */
    @ParameterizedTest
    @ValueSource(strings = {"mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v3", "nllb-moe"})
    void widenedRouterGivesTheReferenceLogits(final String name)
    {
        final Path ref = Fixtures.checkpoint(name).resolve("reference");
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.checkpoint(name)))
        {
            for (final MoeLayerSpec spec : ckpt.layers())
            {
                final NpyArray x = Npy.read(ref.resolve("layer" + spec.index() + ".input.npy"));
                final NpyArray logits = Npy.read(ref.resolve("layer" + spec.index() + ".router_logits.npy"));
                final WeightTensor w = ckpt.tensor(spec.routerWeight());
                for (int t = 0; t < x.rows(); t++)
                {
                    for (int e = 0; e < spec.experts(); e++)
                    {
                        double sum = 0;
                        for (int i = 0; i < spec.dModel(); i++)
                        {
                            sum += (double)x.get(t, i) * w.get(e, i);
                        }
                        assertEquals(logits.get(t, e), sum, 1e-5, name + " layer " + spec.index());
                    }
                }
            }
        }
    }

    @Test
    void shardsAreMappedInPlace()
    {
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.checkpoint("qwen3_moe")))
        {
            assertEquals(7, ckpt.files().size());
            assertEquals(List.of("model.layers.1.mlp", "model.layers.3.mlp"),
                ckpt.layers().stream().map(MoeLayerSpec::prefix).toList());
            final WeightTensor down = ckpt.expert(0, 5).out();
            assertEquals(TensorDtype.F16, down.dtype());
            assertTrue(down.data().isMapped());
            assertNotNull(ckpt.tensor("model.layers.3.mlp.gate.weight"));
        }
    }
}
