package dev.switchyard.model.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A broken checkpoint is one {@link BadInputException} naming the tensor or key at fault. */
class CheckpointErrorsTest
{
    private static final String EXPERT = "model.layers.1.block_sparse_moe.experts.2.w3.weight";

    @TempDir
    Path dir;

    private static void refused(final Path dir, final String... parts)
    {
        final BadInputException ex = assertThrows(BadInputException.class, () -> Checkpoint.open(dir).close());
        for (final String part : parts)
        {
            assertTrue(ex.getMessage().contains(part), "'" + ex.getMessage() + "' names " + part);
        }
    }

    /** A copy of mixtral with its config edited and its tensors kept as they are. */
    private Path mixtral(final Consumer<ObjectNode> edit)
    {
        Fixtures.copyConfig("mixtral", dir, edit);
        Fixtures.rewriteWeights("mixtral", dir, w -> (name, t) -> Fixtures.add(w, name, t));
        return dir;
    }

    @Test
    void anUntouchedCopyOpens()
    {
        try (Checkpoint ckpt = Checkpoint.open(mixtral(c -> { })))
        {
            assertEquals(2, ckpt.layers().size());
        }
    }

    @Test
    void aQuantizedReleaseIsRefusedByItsSetting()
    {
        refused(mixtral(c -> c.putObject("quantization_config").put("quant_method", "gptq").put("bits", 4)),
            "quantization_config", "\"gptq\"", "only \"fp8\"");
    }

    @Test
    void aRemovedExpertTensorIsNamed()
    {
        Fixtures.copyConfig("mixtral", dir, c -> { });
        Fixtures.rewriteWeights("mixtral", dir, w -> (name, t) ->
        {
            if (!name.equals(EXPERT))
            {
                Fixtures.add(w, name, t);
            }
        });
        refused(dir, "tensor " + EXPERT + " is missing", "served layer 1");
    }

    @Test
    void aRenamedTensorIsNamedAsMissing()
    {
        Fixtures.copyConfig("mixtral", dir, c -> { });
        Fixtures.rewriteWeights("mixtral", dir, w -> (name, t) ->
            Fixtures.add(w, name.equals(EXPERT) ? name.replace(".w3.", ".w4.") : name, t));
        refused(dir, EXPERT, "missing");
    }

    @Test
    void anUnexpectedTensorUnderALayerIsNamed()
    {
        Fixtures.copyConfig("mixtral", dir, c -> { });
        Fixtures.rewriteWeights("mixtral", dir, w -> (name, t) ->
        {
            Fixtures.add(w, name, t);
            if (name.equals(EXPERT))
            {
                Fixtures.add(w, "model.layers.1.block_sparse_moe.experts.4.w3.weight", t);
            }
        });
        refused(dir, "unexpected tensor model.layers.1.block_sparse_moe.experts.4.w3.weight");
    }

    @Test
    void aMisshapenRouterIsNamed()
    {
        Fixtures.copyConfig("mixtral", dir, c -> { });
        Fixtures.rewriteWeights("mixtral", dir, w -> (name, t) ->
        {
            final String router = "model.layers.0.block_sparse_moe.gate.weight";
            Fixtures.add(w, name, name.equals(router) ? t.rows(router, 0, 3) : t);
        });
        refused(dir, "model.layers.0.block_sparse_moe.gate.weight has shape [3, 32], needs [4, 32]");
    }

    @Test
    void anUnsupportedModelTypeIsNamed()
    {
        refused(mixtral(c -> c.put("model_type", "llama")), "model_type", "\"llama\"", "mixtral");
        assertFalse(MoeFamily.isCheckpoint(dir));
    }

    @Test
    void configValuesOutOfRangeAreNamed()
    {
        refused(mixtral(c -> c.put("num_experts_per_tok", 5)), "num_experts_per_tok", "5");
        refused(mixtral(c -> c.put("num_local_experts", "four")), "num_local_experts");
        refused(mixtral(c -> c.put("hidden_act", "gelu")), "hidden_act");
        refused(mixtral(c -> c.put("num_local_experts", 5)), "gate.weight has shape [4, 32], needs [5, 32]");
    }

    @Test
    void bothExpertCountSpellingsAreRead()
    {
        try (Checkpoint ckpt = Checkpoint.open(mixtral(c ->
        {
            c.remove("num_local_experts");
            c.put("num_experts", 4);
        })))
        {
            assertEquals(4, ckpt.layer(0).experts());
        }
    }

    @Test
    void absentKeysTakeTheConfigurationClassDefaults()
    {
        // num_experts_per_tok defaults to 2 in MixtralConfig, as the fixture states it.
        try (Checkpoint ckpt = Checkpoint.open(mixtral(c -> c.remove("num_experts_per_tok"))))
        {
            assertEquals(2, ckpt.layer(1).topK());
        }
        // num_local_experts defaults to 8: the 4-expert router no longer fits.
        refused(mixtral(c -> c.remove("num_local_experts")), "needs [8, 32]");
    }

    @Test
    void missingWeightsAreNamed() throws java.io.IOException
    {
        Fixtures.copyConfig("mixtral", dir, c -> { });
        refused(dir, "model.safetensors", "model.safetensors.index.json");
        Files.writeString(dir.resolve("model.safetensors.index.json"),
            "{\"weight_map\": {\"lm_head.weight\": \"../model.safetensors\"}}");
        refused(dir, "weight_map.lm_head.weight");
    }
}
