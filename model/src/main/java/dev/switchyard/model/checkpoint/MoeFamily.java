package dev.switchyard.model.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The Hugging Face MoE model types a checkpoint folder may hold, by their {@code model_type}. */
public enum MoeFamily
{
    MIXTRAL("mixtral", false),
    QWEN2_MOE("qwen2_moe", false),
    QWEN3_MOE("qwen3_moe", false),
    OLMOE("olmoe", false),
    DEEPSEEK_V2("deepseek_v2", false),
    DEEPSEEK_V3("deepseek_v3", false),
    SWITCH_TRANSFORMERS("switch_transformers", true),
    NLLB_MOE("nllb-moe", true);

    public static final String CONFIG_FILE = "config.json";

    private final String modelType;
    private final boolean encoderDecoder;

    MoeFamily(final String modelType, final boolean encoderDecoder)
    {
        this.modelType = modelType;
        this.encoderDecoder = encoderDecoder;
    }

    /** The {@code model_type} of config.json ({@code nllb-moe} with a hyphen, as its config writes it). */
    public String modelType()
    {
        return modelType;
    }

    /** Served layers are the encoder's sparse blocks, then the decoder's. */
    public boolean encoderDecoder()
    {
        return encoderDecoder;
    }

    /** The family of {@code modelType}, or null when it is none of these. */
    public static MoeFamily fromModelType(final String modelType)
    {
        for (final MoeFamily f : values())
        {
            if (f.modelType.equals(modelType))
            {
                return f;
            }
        }
        return null;
    }

    /** Whether {@code dir} holds a config.json whose {@code model_type} is one of these families. */
    public static boolean isCheckpoint(final Path dir)
    {
        final Path config = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(config))
        {
            return false;
        }
        try
        {
            final JsonNode root = JsonMapper.builder().build().readTree(Files.readAllBytes(config));
            return root != null && root.path("model_type").isTextual() &&
                fromModelType(root.get("model_type").textValue()) != null;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
