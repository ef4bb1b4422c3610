package dev.switchyard.model.checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * The served layers of Switch Transformers and NLLB-MoE: the encoder's sparse blocks, then the
 * decoder's, with the keys and defaults of transformers 5.18's configuration classes.
 */
final class EncoderDecoderLayers
{
    private EncoderDecoderLayers()
    {
    }

    static List<MoeLayerSpec> plan(final MoeFamily family, final ConfigValues c)
    {
        return family == MoeFamily.SWITCH_TRANSFORMERS ? switchLayers(c) : nllbLayers(c);
    }

    private static List<MoeLayerSpec> switchLayers(final ConfigValues c)
    {
        final int d = positive(c, "d_model", c.integer(768, "d_model"));
        final int f = positive(c, "d_ff", c.integer(2048, "d_ff"));
        final int experts = positive(c, "num_experts", c.integer(8, "num_experts"));
        relu(c, "dense_act_fn");
        final RoutingParams routing = new RoutingParams.Switch(positive(c, "expert_capacity",
            c.integer(64, "expert_capacity")));
        final String bias = c.bool("router_bias", false) ? ".router.classifier.bias" : null;
        final int encoderLayers = nonNegative(c, "num_layers", c.integer(12, "num_layers"));
        final Integer decoderKey = c.nullableInteger("num_decoder_layers", 12);
        final int decoderLayers = nonNegative(c, "num_decoder_layers", decoderKey == null ? encoderLayers : decoderKey);
        final List<MoeLayerSpec> out = new ArrayList<>();
        // The configuration class derives the steps from the sparse-layer counts; keys named
        // encoder_sparse_step / decoder_sparse_step in config.json are overwritten.
        final int encoderStep = switchStep(c, "num_sparse_encoder_layers", encoderLayers);
        final int decoderStep = switchStep(c, "num_sparse_decoder_layers", decoderLayers);
        for (int part = 0; part < 2; part++)
        {
            final int layers = part == 0 ? encoderLayers : decoderLayers;
            final int step = part == 0 ? encoderStep : decoderStep;
            for (int i = 0; i < layers; i++)
            {
                if (step > 0 && (i % step == 1 || step == 1))
                {
                    final String prefix = part == 0 ? "encoder.block." + i + ".layer.1.mlp"
                        : "decoder.block." + i + ".layer.2.mlp";
                    out.add(new MoeLayerSpec(out.size(), prefix, d, f, experts, 1, ExpertForm.RELU, false,
                        SharedExperts.NONE, routing, prefix + ".router.classifier.weight",
                        bias == null ? null : prefix + bias, null));
                }
            }
        }
        return out;
    }

    private static int switchStep(final ConfigValues c, final String key, final int layers)
    {
        final int sparse = nonNegative(c, key, c.integer(3, key));
        return sparse > 0 ? layers / sparse : layers;
    }

    private static List<MoeLayerSpec> nllbLayers(final ConfigValues c)
    {
        final int d = positive(c, "d_model", c.integer(1024, "d_model"));
        final int experts = c.range("num_experts", c.integer(128, "num_experts"), 2, Integer.MAX_VALUE);
        relu(c, "activation_function");
        final RoutingParams routing = nllbRouting(c);
        final String bias = c.bool("router_bias", false) ? ".router.classifier.bias" : null;
        final List<MoeLayerSpec> out = new ArrayList<>();
        for (final String side : List.of("encoder", "decoder"))
        {
            final int layers = nonNegative(c, side + "_layers", c.integer(12, side + "_layers"));
            final int step = nonNegative(c, side + "_sparse_step", c.integer(4, side + "_sparse_step"));
            final int f = positive(c, side + "_ffn_dim", c.integer(4096, side + "_ffn_dim"));
            for (int i = 0; i < layers; i++)
            {
                if (step > 0 && (i + 1) % step == 0)
                {
                    final String prefix = "model." + side + ".layers." + i + ".ffn";
                    out.add(new MoeLayerSpec(out.size(), prefix, d, f, experts, 2, ExpertForm.RELU_BIAS, false,
                        SharedExperts.NONE, routing, prefix + ".router.classifier.weight",
                        bias == null ? null : prefix + bias, null));
                }
            }
        }
        return out;
    }

    private static RoutingParams nllbRouting(final ConfigValues c)
    {
        final double fraction = c.number("moe_eval_capacity_token_fraction", 1.0);
        if (fraction > 1.0)
        {
            throw c.bad("moe_eval_capacity_token_fraction", "= " + fraction + " is above 1");
        }
        final int capacity = c.integer(64, "expert_capacity");
        if (fraction <= 0)
        {
            positive(c, "expert_capacity", capacity);
        }
        final double dropout = c.number("moe_token_dropout", 0.2);
        if (dropout < 0 || dropout >= 1)
        {
            throw c.bad("moe_token_dropout", "= " + dropout + " is out of range [0, 1)");
        }
        final String policy = c.string("second_expert_policy", "all");
        if (!"all".equals(policy))
        {
            // "sampling" and "random" draw random numbers: no served answer could be exact.
            throw c.bad("second_expert_policy", "\"" + policy + "\" is not supported; only \"all\" is deterministic");
        }
        return new RoutingParams.Nllb(fraction, capacity, c.bool("normalize_router_prob_before_dropping", false),
            c.bool("batch_prioritized_routing", false), dropout, policy);
    }

    private static void relu(final ConfigValues c, final String key)
    {
        final String act = c.string(key, "relu");
        if (!"relu".equals(act))
        {
            throw c.bad(key, "\"" + act + "\" is not supported; the experts are ReLU");
        }
    }

    private static int positive(final ConfigValues c, final String key, final int value)
    {
        return c.range(key, value, 1, Integer.MAX_VALUE);
    }

    private static int nonNegative(final ConfigValues c, final String key, final int value)
    {
        return c.range(key, value, 0, Integer.MAX_VALUE);
    }
}
