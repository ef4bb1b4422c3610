package dev.switchyard.transformer.decoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.MoeFamily;
import dev.switchyard.model.checkpoint.MoeLayerSpec;
import dev.switchyard.wire.BadInputException;

/**
 * Reads a decoder-only checkpoint's config.json into a {@link DecoderConfig}: the keys and defaults of
 * transformers 5.18's configuration classes, both spellings of RoPE ({@code rope_parameters} or
 * {@code rope_theta}/{@code rope_scaling}). A key of the wrong type, or a RoPE type other than the
 * default, is one error naming the key.
 */
final class DecoderConfigReader
{
    private final Path file;
    private final JsonNode root;

    private DecoderConfigReader(final Path file, final JsonNode root)
    {
        this.file = file;
        this.root = root;
    }

    static DecoderConfig read(final Checkpoint checkpoint)
    {
        final Path file = checkpoint.dir().resolve(MoeFamily.CONFIG_FILE);
        try
        {
            final JsonNode root = JsonMapper.builder().build().readTree(Files.readAllBytes(file));
            return new DecoderConfigReader(file, root).config(checkpoint);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
    }

    private DecoderConfig config(final Checkpoint checkpoint)
    {
        final MoeFamily family = checkpoint.family();
        if (family.encoderDecoder() || family == MoeFamily.DEEPSEEK_V2 || family == MoeFamily.DEEPSEEK_V3)
        {
            throw new BadInputException(file + ": model_type " + family.modelType() +
                " has no decoder-only forward pass here (mixtral, qwen2_moe, qwen3_moe and olmoe have)");
        }
        final int d = checkpoint.layer(0).dModel();
        final int layers = required("num_hidden_layers");
        final int heads = required("num_attention_heads");
        final int kv = root.path("num_key_value_heads").isNull() || !root.has("num_key_value_heads") ? heads
            : positive("num_key_value_heads", integer("num_key_value_heads", heads));
        if (heads % kv != 0)
        {
            throw bad("num_key_value_heads", "= " + kv + " does not divide num_attention_heads = " + heads);
        }
        final int headDim = root.path("head_dim").isNumber() ? positive("head_dim", integer("head_dim", 0))
            : d / heads;
        final boolean qwen2 = family == MoeFamily.QWEN2_MOE;
        final boolean biased = !qwen2 && family != MoeFamily.MIXTRAL && bool("attention_bias", false);
        return new DecoderConfig(family, required("vocab_size"), d, layers, heads, kv,
            headDim, number("rms_norm_eps", family == MoeFamily.QWEN2_MOE || family == MoeFamily.QWEN3_MOE
                ? 1e-6 : 1e-5), ropeTheta(family), bool("tie_word_embeddings", false), windows(family, layers),
            served(checkpoint, layers),
            switch (family)
            {
                case QWEN3_MOE -> DecoderConfig.QkNorm.PER_HEAD;
                case OLMOE -> DecoderConfig.QkNorm.WHOLE;
                default -> DecoderConfig.QkNorm.NONE;
            },
            qwen2 ? bool("qkv_bias", true) : biased, biased,
            family == MoeFamily.OLMOE && root.path("clip_qkv").isNumber() ? number("clip_qkv", 0) : Double.NaN,
            integer("intermediate_size", qwen2 ? 5632 : 6144));
    }

    /** The default RoPE's base; any scaled RoPE is refused, as its frequencies differ. */
    private double ropeTheta(final MoeFamily family)
    {
        final double fallback = family == MoeFamily.MIXTRAL ? 1e6 : 1e4;
        final JsonNode params = root.get("rope_parameters");
        final JsonNode scaling = root.get("rope_scaling");
        double theta = number("rope_theta", fallback);
        for (final String key : new String[] {"rope_parameters", "rope_scaling"})
        {
            final JsonNode p = key.equals("rope_parameters") ? params : scaling;
            if (p == null || p.isNull())
            {
                continue;
            }
            if (!p.isObject())
            {
                throw bad(key, p + " is not an object");
            }
            final String type = p.path("rope_type").isTextual() ? p.get("rope_type").textValue()
                : p.path("type").isTextual() ? p.get("type").textValue() : "default";
            if (!"default".equals(type))
            {
                throw bad(key, "has rope type \"" + type + "\"; only the default RoPE (no scaling) is supported");
            }
            if (p.has("rope_theta"))
            {
                if (!p.get("rope_theta").isNumber() || !(p.get("rope_theta").doubleValue() > 0))
                {
                    throw bad(key + ".rope_theta", p.get("rope_theta") + " is not a positive number");
                }
                theta = p.get("rope_theta").doubleValue();
            }
        }
        if (!(theta > 0))
        {
            throw bad("rope_theta", "= " + theta + " is not positive");
        }
        return theta;
    }

    /** Per layer: Mixtral's {@code sliding_window} everywhere; Qwen only with {@code use_sliding_window}. */
    private int[] windows(final MoeFamily family, final int layers)
    {
        final int[] out = new int[layers];
        final boolean qwen = family == MoeFamily.QWEN2_MOE || family == MoeFamily.QWEN3_MOE;
        if (family == MoeFamily.OLMOE || qwen && !bool("use_sliding_window", false))
        {
            return out;
        }
        final JsonNode w = root.get("sliding_window");
        if (w != null && w.isNull())
        {
            return out;
        }
        // absent: Mixtral's default is None, Qwen's 4096
        if (w == null && !qwen)
        {
            return out;
        }
        Arrays.fill(out, positive("sliding_window", integer("sliding_window", 4096)));
        return qwen ? qwenLayers(family, out) : out;
    }

    /** Qwen2-MoE slides only in the layers {@code layer_types} (or its default) names; Qwen3-MoE in all. */
    private int[] qwenLayers(final MoeFamily family, final int[] window)
    {
        if (family == MoeFamily.QWEN3_MOE)
        {
            return window;
        }
        final JsonNode types = root.get("layer_types");
        final int maxWindow = integer("max_window_layers", 28);
        for (int i = 0; i < window.length; i++)
        {
            final boolean sliding;
            if (types != null && !types.isNull())
            {
                if (!types.isArray() || types.size() != window.length || !types.get(i).isTextual())
                {
                    throw bad("layer_types", types + " is not a list of " + window.length + " layer types");
                }
                sliding = "sliding_attention".equals(types.get(i).textValue());
            }
            else
            {
                sliding = (i + 1) % 2 != 0 && i < maxWindow;
            }
            window[i] = sliding ? window[i] : 0;
        }
        return window;
    }

    /** The served-layer number of each decoder layer whose block is sparse, −1 elsewhere. */
    private static int[] served(final Checkpoint checkpoint, final int layers)
    {
        final int[] out = new int[layers];
        Arrays.fill(out, -1);
        final Set<Integer> seen = new HashSet<>();
        for (final MoeLayerSpec spec : checkpoint.layers())
        {
            final String rest = spec.prefix().substring("model.layers.".length());
            final int layer = Integer.parseInt(rest.substring(0, rest.indexOf('.')));
            if (layer < layers && seen.add(layer))
            {
                out[layer] = spec.index();
            }
        }
        return out;
    }

    private BadInputException bad(final String key, final String what)
    {
        return new BadInputException(file + ": " + key + " " + what);
    }

    private int integer(final String key, final int fallback)
    {
        final JsonNode v = root.get(key);
        if (v == null)
        {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt())
        {
            throw bad(key, v + " is not an integer");
        }
        return v.intValue();
    }

    /** A key the forward pass cannot do without (the checkpoint's shapes decide it). */
    private int required(final String key)
    {
        if (!root.has(key) || root.get(key).isNull())
        {
            throw bad(key, "is missing");
        }
        return positive(key, integer(key, 0));
    }

    private int positive(final String key, final int value)
    {
        if (value < 1)
        {
            throw bad(key, "= " + value + " must be at least 1");
        }
        return value;
    }

    private double number(final String key, final double fallback)
    {
        final JsonNode v = root.get(key);
        if (v == null || v.isNull())
        {
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue()))
        {
            throw bad(key, v + " is not a finite number");
        }
        return v.doubleValue();
    }

    private boolean bool(final String key, final boolean fallback)
    {
        final JsonNode v = root.get(key);
        if (v == null)
        {
            return fallback;
        }
        if (!v.isBoolean())
        {
            throw bad(key, v + " is not true or false");
        }
        return v.booleanValue();
    }
}
