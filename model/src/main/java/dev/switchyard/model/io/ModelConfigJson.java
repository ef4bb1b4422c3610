package dev.switchyard.model.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.wire.BadInputException;

/**
 * Reads, validates and writes a model's {@code config.json}:
 * <pre>
 * {"d_model": 64, "d_ff": 256, "num_experts": 8, "activation": "relu", "expert_bias": true,
 *  "routing": {"gating": "top2", "group_size": 128, "capacity_factor": 2.0, "min_capacity": 4,
 *              "second_policy": "all", "second_threshold": 0.2, "normalize": "before_capacity",
 *              "second_place_loss": false, "random_seed": 0}}
 * </pre>
 * {@code d_model}, {@code d_ff} and {@code num_experts} are required; {@code activation} defaults to
 * relu, {@code expert_bias} to true, every routing key to {@link RoutingConfig#defaults()}. Unknown
 * keys are errors, so a misspelt key never silently becomes a default.
 */
public final class ModelConfigJson
{
    public static final String FILE_NAME = "config.json";

    static final List<String> TOP_KEYS =
        List.of("d_model", "d_ff", "num_experts", "activation", "expert_bias", "routing", "transformer");
    /** The largest group the gating and the data plane take: a group is one message and one gating pass. */
    public static final int MAX_GROUP_SIZE = 1 << 16;
    static final List<String> ROUTING_KEYS = List.of("gating", "group_size", "capacity_factor", "min_capacity",
        "second_policy", "second_threshold", "normalize", "second_place_loss", "random_seed");

    private static final JsonMapper MAPPER = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    private ModelConfigJson()
    {
    }

    /**
     * Reads and validates {@code file}.
     *
     * @throws BadInputException naming the file and the key that is wrong
     */
    public static ModelConfig read(final Path file)
    {
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            throw new BadInputException("config " + file + " does not exist", ex);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot read config " + file + ": " + ex, ex);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses and validates config JSON; {@code source} names it in errors (a path, "--config", ...).
     *
     * @throws BadInputException naming the source and the key that is wrong
     */
    public static ModelConfig parse(final String json, final String source)
    {
        final JsonNode root;
        try
        {
            root = MAPPER.readTree(json);
        }
        catch (final JsonProcessingException ex)
        {
            throw bad(source, "not valid JSON: " + Jsons.oneLine(ex));
        }
        if (root == null || root.isMissingNode())
        {
            throw bad(source, "empty, a JSON object is expected");
        }
        if (!root.isObject())
        {
            throw bad(source, "not a JSON object");
        }
        checkKeys(source, root, "", TOP_KEYS);

        final int dModel = requiredInt(source, root, "d_model", 1);
        final int dFf = requiredInt(source, root, "d_ff", 1);
        final int numExperts = requiredInt(source, root, "num_experts", 2);
        final Activation activation = enumValue(source, root, "activation", "", Activation::fromConfigName,
            Activation.RELU);
        final boolean expertBias = bool(source, root.get("expert_bias"), "expert_bias", true);

        final RoutingConfig defaults = RoutingConfig.defaults();
        final JsonNode routingNode = root.get("routing");
        final RoutingConfig routing;
        if (routingNode == null)
        {
            // Defaults for the gating itself would be a silent guess at what the weights were trained with.
            throw bad(source, "missing required section routing (at least {\"group_size\": N})");
        }
        else
        {
            if (!routingNode.isObject())
            {
                throw bad(source, "routing must be an object (got " + routingNode + ")");
            }
            checkKeys(source, routingNode, "routing.", ROUTING_KEYS);
            final JsonNode gating = routingNode.get("gating");
            if (gating != null && !(gating.isTextual() && RoutingConfig.GATING_TOP2.equals(gating.textValue())))
            {
                throw bad(source,
                    "routing.gating must be one of " + RoutingConfig.GATING_TOP2 + " (got " + gating + ")");
            }
            routing = new RoutingConfig(
                optionalInt(source, routingNode.get("group_size"), "routing.group_size", defaults.groupSize(), 1),
                number(source, routingNode.get("capacity_factor"), "routing.capacity_factor",
                    defaults.capacityFactor()),
                optionalInt(source, routingNode.get("min_capacity"), "routing.min_capacity", defaults.minCapacity(), 0),
                enumValue(source, routingNode, "second_policy", "routing.", SecondPolicy::fromConfigName,
                    defaults.secondPolicy()),
                number(source, routingNode.get("second_threshold"), "routing.second_threshold",
                    defaults.secondThreshold()),
                enumValue(source, routingNode, "normalize", "routing.", Normalize::fromConfigName,
                    defaults.normalize()),
                bool(source, routingNode.get("second_place_loss"), "routing.second_place_loss",
                    defaults.secondPlaceLoss()),
                optionalLong(source, routingNode.get("random_seed"), "routing.random_seed", defaults.randomSeed()));
        }
        final JsonNode transformerNode = root.get("transformer");
        final ModelConfig config = new ModelConfig(dModel, dFf, numExperts, activation, expertBias, routing,
            transformerNode == null ? null : TransformerConfigJson.parse(source, transformerNode));
        validate(config, source);
        return config;
    }

    /**
     * Checks every value's range, naming the config key and the allowed range.
     *
     * @throws BadInputException naming the source and the key that is out of range
     */
    public static void validate(final ModelConfig config, final String source)
    {
        atLeast(source, "d_model", config.dModel(), 1);
        atLeast(source, "d_ff", config.dFf(), 1);
        if (config.numExperts() < 2)
        {
            throw bad(source, "num_experts must be >= 2 for top2 gating (got " + config.numExperts() + ")");
        }
        if (config.activation() == null)
        {
            throw bad(source, "activation is missing");
        }
        final RoutingConfig r = config.routing();
        if (r == null)
        {
            throw bad(source, "routing is missing");
        }
        atLeast(source, "routing.group_size", r.groupSize(), 1);
        if (r.groupSize() > MAX_GROUP_SIZE)
        {
            throw bad(source, "routing.group_size must be at most " + MAX_GROUP_SIZE + " (got " + r.groupSize() + ")");
        }
        if (!(r.capacityFactor() > 0) || !Double.isFinite(r.capacityFactor()))
        {
            throw bad(source, "routing.capacity_factor must be > 0 and finite (got " + r.capacityFactor() + ")");
        }
        atLeast(source, "routing.min_capacity", r.minCapacity(), 0);
        if (r.secondPolicy() == null)
        {
            throw bad(source, "routing.second_policy is missing");
        }
        if (!(r.secondThreshold() >= 0) || !Double.isFinite(r.secondThreshold()))
        {
            throw bad(source, "routing.second_threshold must be >= 0 and finite (got " + r.secondThreshold() + ")");
        }
        if (r.normalize() == null)
        {
            throw bad(source, "routing.normalize is missing");
        }
        if (config.transformer() != null)
        {
            TransformerConfigJson.validate(config, source);
        }
    }

    /** The config as JSON, keys in the documented order; {@code random_seed} only when not 0. */
    public static String toJson(final ModelConfig config)
    {
        final RoutingConfig r = config.routing();
        final StringBuilder sb = new StringBuilder(512)
            .append("{\n")
            .append("  \"d_model\": ").append(config.dModel()).append(",\n")
            .append("  \"d_ff\": ").append(config.dFf()).append(",\n")
            .append("  \"num_experts\": ").append(config.numExperts()).append(",\n")
            .append("  \"activation\": \"").append(config.activation().configName()).append("\",\n")
            .append("  \"expert_bias\": ").append(config.expertBias()).append(",\n")
            .append("  \"routing\": {\n")
            .append("    \"gating\": \"").append(RoutingConfig.GATING_TOP2).append("\",\n")
            .append("    \"group_size\": ").append(r.groupSize()).append(",\n")
            .append("    \"capacity_factor\": ").append(r.capacityFactor()).append(",\n")
            .append("    \"min_capacity\": ").append(r.minCapacity()).append(",\n")
            .append("    \"second_policy\": \"").append(r.secondPolicy().configName()).append("\",\n")
            .append("    \"second_threshold\": ").append(r.secondThreshold()).append(",\n")
            .append("    \"normalize\": \"").append(r.normalize().configName()).append("\",\n")
            .append("    \"second_place_loss\": ").append(r.secondPlaceLoss());
        if (r.randomSeed() != 0)
        {
            sb.append(",\n    \"random_seed\": ").append(r.randomSeed());
        }
        sb.append("\n  }");
        if (config.transformer() != null)
        {
            sb.append(",\n");
            TransformerConfigJson.append(sb, config.transformer());
        }
        return sb.append("\n}\n").toString();
    }

    /**
     * Validates {@code config} and writes it to {@code file}.
     *
     * @throws BadInputException when the config is out of range or the file cannot be written
     */
    public static void write(final Path file, final ModelConfig config)
    {
        validate(config, file.toString());
        final Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try
        {
            Files.writeString(partial, toJson(config), StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot write config " + file + ": " + ex, ex);
        }
        finally
        {
            try
            {
                Files.deleteIfExists(partial);
            }
            catch (final IOException ignored)
            {
                // The write error, if any, is the one worth reporting.
            }
        }
    }

    private static void checkKeys(final String source, final JsonNode object, final String prefix,
        final List<String> allowed)
    {
        for (final Map.Entry<String, JsonNode> field : object.properties())
        {
            if (!allowed.contains(field.getKey()))
            {
                throw bad(source, "unknown key " + prefix + field.getKey() + " (known: " +
                    String.join(", ", allowed) + ")");
            }
        }
    }

    private static int requiredInt(final String source, final JsonNode object, final String key, final int min)
    {
        final JsonNode node = object.get(key);
        if (node == null)
        {
            throw bad(source, "missing required key " + key);
        }
        return optionalInt(source, node, key, 0, min);
    }

    /** Type and int range only; {@link #validate} checks the lower bound {@code min} with the precise rule. */
    private static int optionalInt(
        final String source, final JsonNode node, final String path, final int fallback, final int min)
    {
        if (node == null)
        {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt())
        {
            throw bad(source, path + " must be an integer from " + min + " to " + Integer.MAX_VALUE +
                " (got " + node + ")");
        }
        return node.intValue();
    }

    private static long optionalLong(final String source, final JsonNode node, final String path, final long fallback)
    {
        if (node == null)
        {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong())
        {
            throw bad(source, path + " must be an integer from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE +
                " (got " + node + ")");
        }
        return node.longValue();
    }

    private static double number(final String source, final JsonNode node, final String path, final double fallback)
    {
        if (node == null)
        {
            return fallback;
        }
        if (!node.isNumber())
        {
            throw bad(source, path + " must be a number (got " + node + ")");
        }
        return node.doubleValue();
    }

    private static boolean bool(final String source, final JsonNode node, final String path, final boolean fallback)
    {
        if (node == null)
        {
            return fallback;
        }
        if (!node.isBoolean())
        {
            throw bad(source, path + " must be true or false (got " + node + ")");
        }
        return node.booleanValue();
    }

    private static <E> E enumValue(
        final String source,
        final JsonNode object,
        final String key,
        final String prefix,
        final Function<String, E> fromConfigName,
        final E fallback)
    {
        final JsonNode node = object.get(key);
        if (node == null)
        {
            return fallback;
        }
        if (!node.isTextual())
        {
            throw bad(source, prefix + key + " must be a string (got " + node + ")");
        }
        try
        {
            return fromConfigName.apply(node.textValue());
        }
        catch (final IllegalArgumentException ex)
        {
            throw bad(source, prefix + key + " " + ex.getMessage());
        }
    }

    private static void atLeast(final String source, final String path, final int value, final int min)
    {
        if (value < min)
        {
            throw bad(source, path + " must be >= " + min + " (got " + value + ")");
        }
    }

    private static BadInputException bad(final String source, final String what)
    {
        return new BadInputException("config " + source + ": " + what);
    }
}
