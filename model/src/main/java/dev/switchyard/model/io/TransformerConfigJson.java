package dev.switchyard.model.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchyard.model.config.LayerType;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.ModelType;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.wire.BadInputException;

/**
 * The {@code transformer} object of {@code config.json} (docs/contracts.md §8). {@code type}, {@code vocab_size},
 * {@code max_length}, {@code heads}, {@code kv_dim} and {@code decoder_layers} are required (and
 * {@code encoder_layers} for encdec); unknown keys are errors.
 */
final class TransformerConfigJson
{
    static final List<String> KEYS = List.of("type", "vocab_size", "inputs_vocab_size", "max_length", "heads",
        "kv_dim", "norm_epsilon", "shared_embedding", "shared_embedding_and_softmax_weights",
        "local_attention_window", "decode_length_multiplier", "decode_length_constant", "encoder_layers",
        "decoder_layers");

    static final double DEFAULT_EPSILON = 1e-6;
    static final int DEFAULT_WINDOW = 128;
    static final double DEFAULT_MULTIPLIER = 1.5;
    static final double DEFAULT_CONSTANT = 10;

    private TransformerConfigJson()
    {
    }

    static TransformerConfig parse(final String source, final JsonNode node)
    {
        if (!node.isObject())
        {
            throw bad(source, "transformer must be an object (got " + node + ")");
        }
        for (final Map.Entry<String, JsonNode> field : node.properties())
        {
            if (!KEYS.contains(field.getKey()))
            {
                throw bad(source,
                    "unknown key transformer." + field.getKey() + " (known: " + String.join(", ", KEYS) + ")");
            }
        }
        final JsonNode typeNode = required(source, node, "type");
        if (!typeNode.isTextual())
        {
            throw bad(source, "transformer.type must be a string (got " + typeNode + ")");
        }
        final ModelType type = parseName(source, "transformer.type", typeNode.textValue(), ModelType::fromConfigName);
        final int vocab = integer(source, required(source, node, "vocab_size"), "vocab_size");
        return new TransformerConfig(
            type,
            vocab,
            node.has("inputs_vocab_size") ? integer(source, node.get("inputs_vocab_size"), "inputs_vocab_size") : vocab,
            integer(source, required(source, node, "max_length"), "max_length"),
            integer(source, required(source, node, "heads"), "heads"),
            integer(source, required(source, node, "kv_dim"), "kv_dim"),
            node.has("norm_epsilon") ? number(source, node.get("norm_epsilon"), "norm_epsilon") : DEFAULT_EPSILON,
            !node.has("shared_embedding") || bool(source, node.get("shared_embedding"), "shared_embedding"),
            node.has("shared_embedding_and_softmax_weights") &&
                bool(source, node.get("shared_embedding_and_softmax_weights"), "shared_embedding_and_softmax_weights"),
            node.has("local_attention_window") ?
                integer(source, node.get("local_attention_window"), "local_attention_window") : DEFAULT_WINDOW,
            node.has("decode_length_multiplier") ?
                number(source, node.get("decode_length_multiplier"), "decode_length_multiplier") : DEFAULT_MULTIPLIER,
            node.has("decode_length_constant") ?
                number(source, node.get("decode_length_constant"), "decode_length_constant") : DEFAULT_CONSTANT,
            node.has("encoder_layers") ? layers(source, node.get("encoder_layers"), "encoder_layers") : List.of(),
            layers(source, required(source, node, "decoder_layers"), "decoder_layers"));
    }

    /**
     * Checks ranges and the layer lists against the model type and the MoE routing.
     *
     * @throws BadInputException naming the source and the {@code transformer.} key that is wrong
     */
    static void validate(final ModelConfig config, final String source)
    {
        final TransformerConfig t = config.transformer();
        if (t.type() == null)
        {
            throw bad(source, "transformer.type is missing");
        }
        atLeast(source, "vocab_size", t.vocabSize(), 2);
        atLeast(source, "inputs_vocab_size", t.inputsVocabSize(), 2);
        atLeast(source, "max_length", t.maxLength(), 1);
        atLeast(source, "heads", t.heads(), 1);
        atLeast(source, "kv_dim", t.kvDim(), 1);
        atLeast(source, "local_attention_window", t.localAttentionWindow(), 1);
        if (!(t.normEpsilon() > 0) || !Double.isFinite(t.normEpsilon()))
        {
            throw bad(source, "transformer.norm_epsilon must be > 0 and finite (got " + t.normEpsilon() + ")");
        }
        nonNegativeFinite(source, "decode_length_multiplier", t.decodeLengthMultiplier());
        nonNegativeFinite(source, "decode_length_constant", t.decodeLengthConstant());
        if (t.decoderLayers().isEmpty())
        {
            throw bad(source, "transformer.decoder_layers must name at least one layer");
        }
        if (t.encdec())
        {
            if (t.encoderLayers().isEmpty())
            {
                throw bad(source, "transformer.encoder_layers must name at least one layer for type encdec");
            }
            if (t.sharedEmbedding() && t.inputsVocabSize() != t.vocabSize())
            {
                throw bad(source, "transformer.inputs_vocab_size " + t.inputsVocabSize() + " differs from vocab_size " +
                    t.vocabSize() + " but shared_embedding is true");
            }
        }
        else if (!t.encoderLayers().isEmpty())
        {
            throw bad(source, "transformer.encoder_layers must be empty for type decoder");
        }
        for (int l = 0; l < t.encoderLayers().size(); l++)
        {
            final LayerType type = t.encoderLayers().get(l);
            if (type == LayerType.ENC_ATT || type == LayerType.LOCAL_ATT)
            {
                throw bad(source, "transformer.encoder_layers[" + l + "] is " + type.configName() +
                    ", which only a decoder stack may have");
            }
        }
        for (int l = 0; l < t.decoderLayers().size(); l++)
        {
            if (t.decoderLayers().get(l) == LayerType.ENC_ATT && !t.encdec())
            {
                throw bad(source, "transformer.decoder_layers[" + l + "] is enc_att, which needs type encdec");
            }
        }
        if (!t.moePrefixes().isEmpty() && config.routing().secondPolicy() == SecondPolicy.RANDOM)
        {
            throw bad(source, "routing.second_policy random is not allowed in a transformer (its draws are not " +
                "reproducible per decode step)");
        }
    }

    static void append(final StringBuilder sb, final TransformerConfig t)
    {
        sb.append("  \"transformer\": {\n")
            .append("    \"type\": \"").append(t.type().configName()).append("\",\n")
            .append("    \"vocab_size\": ").append(t.vocabSize()).append(",\n")
            .append("    \"inputs_vocab_size\": ").append(t.inputsVocabSize()).append(",\n")
            .append("    \"max_length\": ").append(t.maxLength()).append(",\n")
            .append("    \"heads\": ").append(t.heads()).append(",\n")
            .append("    \"kv_dim\": ").append(t.kvDim()).append(",\n")
            .append("    \"norm_epsilon\": ").append(t.normEpsilon()).append(",\n")
            .append("    \"shared_embedding\": ").append(t.sharedEmbedding()).append(",\n")
            .append("    \"shared_embedding_and_softmax_weights\": ").append(t.sharedEmbeddingAndSoftmaxWeights())
            .append(",\n")
            .append("    \"local_attention_window\": ").append(t.localAttentionWindow()).append(",\n")
            .append("    \"decode_length_multiplier\": ").append(t.decodeLengthMultiplier()).append(",\n")
            .append("    \"decode_length_constant\": ").append(t.decodeLengthConstant()).append(",\n")
            .append("    \"encoder_layers\": ").append(names(t.encoderLayers())).append(",\n")
            .append("    \"decoder_layers\": ").append(names(t.decoderLayers())).append("\n")
            .append("  }");
    }

    private static String names(final List<LayerType> layers)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < layers.size(); i++)
        {
            sb.append(i == 0 ? "" : ", ").append('"').append(layers.get(i).configName()).append('"');
        }
        return sb.append(']').toString();
    }

    private static List<LayerType> layers(final String source, final JsonNode node, final String key)
    {
        if (!node.isArray())
        {
            throw bad(source, "transformer." + key + " must be a list of layer names (got " + node + ")");
        }
        final List<LayerType> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++)
        {
            final JsonNode item = node.get(i);
            if (!item.isTextual())
            {
                throw bad(source, "transformer." + key + "[" + i + "] must be a string (got " + item + ")");
            }
            out.add(parseName(source, "transformer." + key + "[" + i + "]", item.textValue(),
                LayerType::fromConfigName));
        }
        return out;
    }

    private static <E> E parseName(final String source, final String path, final String text,
        final Function<String, E> parser)
    {
        try
        {
            return parser.apply(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw bad(source, path + " " + ex.getMessage());
        }
    }

    private static JsonNode required(final String source, final JsonNode node, final String key)
    {
        final JsonNode value = node.get(key);
        if (value == null)
        {
            throw bad(source, "missing required key transformer." + key);
        }
        return value;
    }

    private static int integer(final String source, final JsonNode node, final String key)
    {
        if (!node.isIntegralNumber() || !node.canConvertToInt())
        {
            throw bad(source, "transformer." + key + " must be an integer (got " + node + ")");
        }
        return node.intValue();
    }

    private static void nonNegativeFinite(final String source, final String key, final double value)
    {
        if (!(value >= 0) || !Double.isFinite(value))
        {
            throw bad(source, "transformer." + key + " must be >= 0 and finite (got " + value + ")");
        }
    }

    private static double number(final String source, final JsonNode node, final String key)
    {
        if (!node.isNumber())
        {
            throw bad(source, "transformer." + key + " must be a number (got " + node + ")");
        }
        return node.doubleValue();
    }

    private static boolean bool(final String source, final JsonNode node, final String key)
    {
        if (!node.isBoolean())
        {
            throw bad(source, "transformer." + key + " must be true or false (got " + node + ")");
        }
        return node.booleanValue();
    }

    private static void atLeast(final String source, final String key, final int value, final int min)
    {
        if (value < min)
        {
            throw bad(source, "transformer." + key + " must be >= " + min + " (got " + value + ")");
        }
    }

    private static BadInputException bad(final String source, final String what)
    {
        return new BadInputException("config " + source + ": " + what);
    }
}
