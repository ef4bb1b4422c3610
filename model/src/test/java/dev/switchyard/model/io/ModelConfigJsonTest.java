package dev.switchyard.model.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelConfigJsonTest
{
    /** The example of docs/contracts.md §2, verbatim. */
    static final String DESIGN_EXAMPLE = """
        {"d_model": 64, "d_ff": 256, "num_experts": 8, "activation": "relu",
         "expert_bias": true,
         "routing": {"gating": "top2", "group_size": 128, "capacity_factor": 2.0,
                     "min_capacity": 4, "second_policy": "all", "second_threshold": 0.2,
                     "normalize": "before_capacity", "second_place_loss": false}}
        """;

    static final ModelConfig DESIGN_CONFIG = new ModelConfig(64, 256, 8, Activation.RELU, true,
        new RoutingConfig(128, 2.0, 4, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 0L));

    @TempDir
    Path dir;

    private static void refused(final String json, final String... fragments)
    {
        final BadInputException ex = assertThrows(BadInputException.class, () -> ModelConfigJson.parse(json, "my.json"));
        assertTrue(ex.getMessage().startsWith("config my.json: "), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        for (final String f : fragments)
        {
            assertTrue(ex.getMessage().contains(f), "'" + f + "' not in: " + ex.getMessage());
        }
    }

    /** The design example with {@code key}'s value (as JSON text) replaced. */
    private static String with(final String key, final String value)
    {
        final String json = DESIGN_EXAMPLE.replaceFirst("\"" + key + "\": [^,}]+", "\"" + key + "\": " + value);
        assertFalse(json.equals(DESIGN_EXAMPLE), "no key " + key);
        return json;
    }

    @Test
    void parsesTheDesignExample()
    {
        assertEquals(DESIGN_CONFIG, ModelConfigJson.parse(DESIGN_EXAMPLE, "design"));
    }

    @Test
    void appliesDefaults()
    {
        final ModelConfig c = ModelConfigJson.parse(
            "{\"d_model\": 8, \"d_ff\": 16, \"num_experts\": 2, \"routing\": {}}", "x");
        assertEquals(new ModelConfig(8, 16, 2, Activation.RELU, true, RoutingConfig.defaults()), c);
        final ModelConfig partial = ModelConfigJson.parse(
            "{\"d_model\": 8, \"d_ff\": 16, \"num_experts\": 2, \"routing\": {\"normalize\": \"after_capacity\"}}", "x");
        assertEquals(Normalize.AFTER_CAPACITY, partial.routing().normalize());
        assertEquals(RoutingConfig.defaults().groupSize(), partial.routing().groupSize());
        assertEquals(RoutingConfig.defaults().capacityFactor(), partial.routing().capacityFactor());
    }

    @Test
    void readsTheRandomSeedAndIntegralCapacityFactor()
    {
        final ModelConfig c = ModelConfigJson.parse(DESIGN_EXAMPLE.replace("\"second_place_loss\": false",
            "\"second_place_loss\": true, \"random_seed\": -12345678901").replace("2.0", "3"), "x");
        assertEquals(-12345678901L, c.routing().randomSeed());
        assertTrue(c.routing().secondPlaceLoss());
        assertEquals(3.0, c.routing().capacityFactor());
    }

    @Test
    void writesTheDesignKeyOrderAndRoundTrips() throws IOException
    {
        final String json = ModelConfigJson.toJson(DESIGN_CONFIG);
        int last = -1;
        for (final String key : new String[] {"d_model", "d_ff", "num_experts", "activation", "expert_bias", "routing",
            "gating", "group_size", "capacity_factor", "min_capacity", "second_policy", "second_threshold",
            "normalize", "second_place_loss"})
        {
            final int at = json.indexOf("\"" + key + "\"");
            assertTrue(at > last, key + " out of order in " + json);
            last = at;
        }
        assertFalse(json.contains("random_seed"), "a zero seed is the default and stays out: " + json);
        assertTrue(json.contains("\"capacity_factor\": 2.0") && json.contains("\"second_threshold\": 0.2"), json);

        final Path p = dir.resolve("config.json");
        ModelConfigJson.write(p, DESIGN_CONFIG);
        assertEquals(DESIGN_CONFIG, ModelConfigJson.read(p));

        for (final SecondPolicy policy : SecondPolicy.values())
        {
            for (final Normalize normalize : Normalize.values())
            {
                final ModelConfig c = new ModelConfig(3, 5, 7, Activation.RELU, false,
                    new RoutingConfig(9, 1.0 / 3, 0, policy, 1e-7, normalize, true, Long.MIN_VALUE));
                ModelConfigJson.write(p, c);
                assertEquals(c, ModelConfigJson.read(p));
            }
        }
    }

    @Test
    void refusesUnknownKeysNamingTheirPath()
    {
        refused(DESIGN_EXAMPLE.replace("capacity_factor", "capacity_facter"), "unknown key routing.capacity_facter");
        refused(DESIGN_EXAMPLE.replace("\"d_ff\"", "\"dff\""), "unknown key dff");
    }

    @Test
    void refusesMissingRequiredKeys()
    {
        refused("{\"d_ff\": 16, \"num_experts\": 2}", "missing required key d_model");
        refused("{\"d_model\": 16, \"num_experts\": 2}", "missing required key d_ff");
        refused("{\"d_model\": 16, \"d_ff\": 2}", "missing required key num_experts");
        refused("{\"d_model\": 16, \"d_ff\": 2, \"num_experts\": 2}", "missing required section routing");
    }

    @Test
    void refusesAGroupSizeNoGatingCanHold()
    {
        refused(DESIGN_EXAMPLE.replace("\"group_size\": 128", "\"group_size\": 2147483647"),
            "routing.group_size must be at most 65536 (got 2147483647)");
        assertEquals(65536, ModelConfigJson.parse(DESIGN_EXAMPLE.replace("\"group_size\": 128",
            "\"group_size\": 65536"), "x").routing().groupSize());
    }

    @Test
    void refusesWrongTypes()
    {
        refused(with("d_model", "\"64\""), "d_model must be an integer from 1", "(got \"64\")");
        refused(with("d_model", "64.5"), "d_model must be an integer", "64.5");
        refused(with("d_model", "64.0"), "d_model must be an integer");
        refused(with("d_model", "null"), "d_model must be an integer");
        refused(with("d_ff", "3000000000"), "d_ff must be an integer from 1 to 2147483647");
        refused(with("num_experts", "true"), "num_experts must be an integer from 2");
        refused(with("expert_bias", "\"yes\""), "expert_bias must be true or false");
        refused(with("activation", "1"), "activation must be a string");
        refused(with("group_size", "[1]"), "routing.group_size must be an integer");
        refused(with("capacity_factor", "\"2\""), "routing.capacity_factor must be a number");
        refused(with("min_capacity", "4.5"), "routing.min_capacity must be an integer");
        refused(with("second_policy", "2"), "routing.second_policy must be a string");
        refused(with("second_threshold", "false"), "routing.second_threshold must be a number");
        refused(with("second_place_loss", "0"), "routing.second_place_loss must be true or false");
        refused(DESIGN_EXAMPLE.replace("\"second_place_loss\": false", "\"random_seed\": 1.5"),
            "routing.random_seed must be an integer");
        refused(DESIGN_EXAMPLE.replace("\"second_place_loss\": false", "\"random_seed\": 99999999999999999999"),
            "routing.random_seed must be an integer");
        refused("{\"d_model\": 8, \"d_ff\": 16, \"num_experts\": 2, \"routing\": [1]}", "routing must be an object");
    }

    @Test
    void refusesOutOfRangeValuesWithTheRange()
    {
        refused(with("d_model", "0"), "d_model must be >= 1 (got 0)");
        refused(with("d_ff", "-3"), "d_ff must be >= 1 (got -3)");
        refused(with("num_experts", "1"), "num_experts must be >= 2 for top2 gating (got 1)");
        refused(with("group_size", "0"), "routing.group_size must be >= 1 (got 0)");
        refused(with("capacity_factor", "0"), "routing.capacity_factor must be > 0 and finite (got 0.0)");
        refused(with("capacity_factor", "-1.5"), "routing.capacity_factor must be > 0 and finite");
        refused(with("capacity_factor", "1e400"), "routing.capacity_factor must be > 0 and finite (got Infinity)");
        refused(with("min_capacity", "-1"), "routing.min_capacity must be >= 0 (got -1)");
        refused(with("second_threshold", "-0.1"), "routing.second_threshold must be >= 0 and finite");
        refused(with("second_threshold", "-1e999"), "routing.second_threshold must be >= 0 and finite");
    }

    @Test
    void refusesUnknownEnumValuesListingTheAllowedOnes()
    {
        refused(with("gating", "\"top1\""), "routing.gating must be one of top2", "top1");
        refused(with("gating", "2"), "routing.gating must be one of top2");
        refused(with("second_policy", "\"some\""), "routing.second_policy must be one of all, none, threshold, random",
            "'some'");
        refused(with("normalize", "\"after\""), "routing.normalize must be one of before_capacity, after_capacity");
        refused(with("activation", "\"tanh\""), "activation must be one of relu, gelu, silu, swiglu", "'tanh'");
    }

    @Test
    void refusesWhatIsNotOneJsonObject()
    {
        refused("", "empty");
        refused("   ", "empty");
        refused("[1]", "not a JSON object");
        refused("{\"d_model\": 8,", "not valid JSON");
        refused("{\"d_model\": 8, \"d_model\": 9, \"d_ff\": 1, \"num_experts\": 2}", "not valid JSON", "d_model");
        refused("{\"d_model\": 8, \"d_ff\": 16, \"num_experts\": 2} {}", "not valid JSON");
        refused("{\"d_model\": NaN, \"d_ff\": 16, \"num_experts\": 2}", "not valid JSON");
    }

    @Test
    void readNamesAMissingFile()
    {
        final Path p = dir.resolve("none.json");
        final BadInputException ex = assertThrows(BadInputException.class, () -> ModelConfigJson.read(p));
        assertTrue(ex.getMessage().contains(p.toString()) && ex.getMessage().contains("does not exist"));
    }

    @Test
    void readNamesTheFileInErrors() throws IOException
    {
        final Path p = dir.resolve("config.json");
        Files.writeString(p, with("d_model", "0"));
        final BadInputException ex = assertThrows(BadInputException.class, () -> ModelConfigJson.read(p));
        assertEquals("config " + p + ": d_model must be >= 1 (got 0)", ex.getMessage());
    }

    @Test
    void writeValidatesFirstAndLeavesNoFile()
    {
        final Path p = dir.resolve("config.json");
        final ModelConfig bad = new ModelConfig(0, 1, 2, Activation.RELU, true, RoutingConfig.defaults());
        final BadInputException ex = assertThrows(BadInputException.class, () -> ModelConfigJson.write(p, bad));
        assertTrue(ex.getMessage().contains("d_model must be >= 1"), ex.getMessage());
        assertFalse(Files.exists(p));
        final ModelConfig ok = new ModelConfig(1, 1, 2, Activation.RELU, true,
            RoutingConfig.defaults().withGroupSize(4).withSecondPolicy(SecondPolicy.RANDOM));
        ModelConfigJson.validate(ok, "ok");
        final ModelConfig nanThreshold = new ModelConfig(1, 1, 2, Activation.RELU, true,
            new RoutingConfig(1, 1, 0, SecondPolicy.ALL, Double.NaN, Normalize.BEFORE_CAPACITY, false, 0));
        assertThrows(BadInputException.class, () -> ModelConfigJson.validate(nanThreshold, "x"));
    }
}
