package dev.switchyard.model.checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * The served layers of the decoder-only families, in increasing {@code model.layers.{i}} order,
 * with the keys and defaults of transformers 5.18's configuration classes.
 */
final class DecoderOnlyLayers
{
    private DecoderOnlyLayers()
    {
    }

    /** The settings that differ per family; every served layer of a checkpoint shares them. */
    private record Shape(int experts, int topK, int intermediate, SharedExperts shared, RoutingParams routing)
    {
    }

    static List<MoeLayerSpec> plan(final MoeFamily family, final ConfigValues c, final CheckpointWeights weights)
    {
        final int d = c.range("hidden_size", c.integer(defaultHidden(family), "hidden_size"), 1, Integer.MAX_VALUE);
        final int layers = c.range("num_hidden_layers", c.integer(defaultLayers(family), "num_hidden_layers"),
            0, Integer.MAX_VALUE);
        final String act = c.string("hidden_act", "silu");
        if (!"silu".equals(act))
        {
            throw c.bad("hidden_act", "\"" + act + "\" is not supported; the experts are SwiGLU (silu)");
        }
        final Shape shape = shape(family, c);
        final List<MoeLayerSpec> out = new ArrayList<>();
        for (int i = 0; i < layers; i++)
        {
            if (sparse(family, c, i))
            {
                final String prefix = prefix(family, weights, i);
                final SharedExperts shared = shape.shared().present()
                    ? new SharedExperts(shape.shared().count(), shape.shared().intermediateSize(),
                        prefix + shape.shared().prefix(),
                        shape.shared().gateWeight() == null ? null : prefix + shape.shared().gateWeight())
                    : SharedExperts.NONE;
                out.add(new MoeLayerSpec(out.size(), prefix, d, shape.intermediate(), shape.experts(), shape.topK(),
                    ExpertForm.SWIGLU, weights.contains(prefix + ".experts.gate_up_proj"), shared, shape.routing(),
                    prefix + ".gate.weight", null,
                    family == MoeFamily.DEEPSEEK_V3 ? prefix + ".gate.e_score_correction_bias" : null));
            }
        }
        return out;
    }

    private static int defaultHidden(final MoeFamily family)
    {
        return switch (family)
        {
            case MIXTRAL, DEEPSEEK_V2 -> 4096;
            case QWEN2_MOE, QWEN3_MOE, OLMOE -> 2048;
            default -> 7168;
        };
    }

    private static int defaultLayers(final MoeFamily family)
    {
        return switch (family)
        {
            case MIXTRAL, DEEPSEEK_V2 -> 32;
            case QWEN2_MOE, QWEN3_MOE -> 24;
            case OLMOE -> 16;
            default -> 61;
        };
    }

    private static Shape shape(final MoeFamily family, final ConfigValues c)
    {
        return switch (family)
        {
            case MIXTRAL -> topK(c, c.integer(8, "num_local_experts", "num_experts"), 2,
                c.integer(14336, "intermediate_size"), "intermediate_size", SharedExperts.NONE,
                new RoutingParams.SoftmaxTopK(true));
            case QWEN2_MOE -> topK(c, c.integer(60, "num_experts", "num_local_experts"), 4,
                c.integer(1408, "moe_intermediate_size"), "moe_intermediate_size",
                new SharedExperts(1, c.range("shared_expert_intermediate_size",
                    c.integer(5632, "shared_expert_intermediate_size"), 1, Integer.MAX_VALUE),
                    ".shared_expert", ".shared_expert_gate.weight"),
                new RoutingParams.SoftmaxTopK(c.bool("norm_topk_prob", false)));
            case QWEN3_MOE -> topK(c, c.integer(128, "num_experts", "num_local_experts"), 8,
                c.integer(768, "moe_intermediate_size"), "moe_intermediate_size", SharedExperts.NONE,
                new RoutingParams.SoftmaxTopK(c.bool("norm_topk_prob", false)));
            case OLMOE -> topK(c, c.integer(64, "num_experts", "num_local_experts"), 8,
                c.integer(2048, "intermediate_size"), "intermediate_size", SharedExperts.NONE,
                new RoutingParams.SoftmaxTopK(c.bool("norm_topk_prob", false)));
            case DEEPSEEK_V2 -> deepseek(c, c.integer(64, "n_routed_experts", "num_experts"), null,
                c.integer(1407, "moe_intermediate_size"), c.integer(2, "n_shared_experts"));
            default -> deepseek(c, c.integer(256, "n_routed_experts", "num_local_experts"), 8,
                c.integer(2048, "moe_intermediate_size"), c.integer(1, "n_shared_experts"));
        };
    }

    private static Shape topK(final ConfigValues c, final int experts, final int defaultK, final int intermediate,
        final String intermediateKey, final SharedExperts shared, final RoutingParams routing)
    {
        c.range("num_experts", experts, 1, Integer.MAX_VALUE);
        final int k = c.range("num_experts_per_tok", c.integer(defaultK, "num_experts_per_tok"), 1, experts);
        return new Shape(experts, k, c.range(intermediateKey, intermediate, 1, Integer.MAX_VALUE), shared, routing);
    }

    private static Shape deepseek(final ConfigValues c, final int experts, final Integer defaultK,
        final int intermediate, final int sharedCount)
    {
        c.range("n_routed_experts", experts, 1, Integer.MAX_VALUE);
        final Integer k = c.nullableInteger("num_experts_per_tok", defaultK);
        if (k == null)
        {
            throw c.bad("num_experts_per_tok", "is missing or null; DeepSeek routing needs it");
        }
        c.range("num_experts_per_tok", k, 1, experts);
        c.range("moe_intermediate_size", intermediate, 1, Integer.MAX_VALUE);
        c.range("n_shared_experts", sharedCount, 0, Integer.MAX_VALUE);
        final SharedExperts shared = sharedCount == 0 ? SharedExperts.NONE
            : new SharedExperts(sharedCount, Math.multiplyExact(sharedCount, intermediate), ".shared_experts", null);
        final RoutingParams routing = defaultK == null
            ? DeepseekRouting.v2(c, experts, k)
            : DeepseekRouting.v3(c, experts, k);
        return new Shape(experts, k, intermediate, shared, routing);
    }

    private static boolean sparse(final MoeFamily family, final ConfigValues c, final int i)
    {
        return switch (family)
        {
            case MIXTRAL, OLMOE -> true;
            case QWEN2_MOE, QWEN3_MOE ->
            {
                final int step = c.range("decoder_sparse_step", c.integer(1, "decoder_sparse_step"),
                    1, Integer.MAX_VALUE);
                yield !c.integers("mlp_only_layers").contains(i) && (i + 1) % step == 0;
            }
            case DEEPSEEK_V2 -> i >= c.integer(0, "first_k_dense_replace");
            default -> i >= c.integer(3, "first_k_dense_replace");
        };
    }

    /** Mixtral's hub checkpoints name the block {@code block_sparse_moe}; transformers 5.x names it {@code mlp}. */
    private static String prefix(final MoeFamily family, final CheckpointWeights weights, final int i)
    {
        final String mlp = "model.layers." + i + ".mlp";
        if (family != MoeFamily.MIXTRAL)
        {
            return mlp;
        }
        final String hub = "model.layers." + i + ".block_sparse_moe";
        return weights.contains(hub + ".gate.weight") ? hub : mlp;
    }
}
