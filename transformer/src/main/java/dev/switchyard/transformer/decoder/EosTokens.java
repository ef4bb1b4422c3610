package dev.switchyard.transformer.decoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.model.checkpoint.MoeFamily;
import dev.switchyard.wire.BadInputException;

/**
 * The ids that end a generated row: {@code eos_token_id} of the folder's generation_config.json where that
 * file exists (as transformers' {@code generate} takes its generation config from it), else of config.json;
 * one id or a list of ids, none where the key is missing or null.
 */
public final class EosTokens
{
    /** The file transformers reads the generation defaults from. */
    public static final String GENERATION_CONFIG_FILE = "generation_config.json";

    private static final String KEY = "eos_token_id";

    private EosTokens()
    {
    }

    /**
     * @param dir a checkpoint folder
     * @return the EOS ids, empty where the checkpoint names none
     * @throws BadInputException naming the file whose eos_token_id is not an id or a list of ids
     */
    public static int[] read(final Path dir)
    {
        final Path generation = dir.resolve(GENERATION_CONFIG_FILE);
        final Path file = Files.isRegularFile(generation) ? generation : dir.resolve(MoeFamily.CONFIG_FILE);
        final JsonNode root;
        try
        {
            root = JsonMapper.builder().build().readTree(Files.readAllBytes(file));
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
        final JsonNode v = root == null ? null : root.get(KEY);
        if (v == null || v.isNull())
        {
            return new int[0];
        }
        if (!v.isArray())
        {
            return new int[] {id(file, v)};
        }
        final int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = id(file, v.get(i));
        }
        return out;
    }

    private static int id(final Path file, final JsonNode v)
    {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0)
        {
            throw new BadInputException(file + ": " + KEY + " " + v + " is not a token id (an integer ≥ 0) or a " +
                "list of them");
        }
        return v.intValue();
    }
}
