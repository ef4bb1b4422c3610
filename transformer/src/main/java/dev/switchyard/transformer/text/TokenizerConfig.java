package dev.switchyard.transformer.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.wire.BadInputException;

/**
 * What a tokenizer needs of tokenizer_config.json: the roles of the special tokens and the chat
 * template. The file is optional (a checkpoint without it has no roles and no template).
 *
 * @param file the file, present or not
 * @param root its content, an empty object when the file is absent
 */
record TokenizerConfig(Path file, JsonNode root)
{
    static TokenizerConfig read(final Path modelDir)
    {
        final Path file = modelDir.resolve("tokenizer_config.json");
        final JsonMapper json = JsonMapper.builder().build();
        if (!Files.isRegularFile(file))
        {
            return new TokenizerConfig(file, json.createObjectNode());
        }
        try
        {
            final JsonNode root = json.readTree(Files.readAllBytes(file));
            if (root == null || !root.isObject())
            {
                throw new BadInputException(file + " is not a JSON object");
            }
            return new TokenizerConfig(file, root);
        }
        catch (final JsonProcessingException ex)
        {
            throw new BadInputException(file + " is not valid JSON: " + ex.getOriginalMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot read " + file + ": " + ex, ex);
        }
    }

    /** The special-token roles of a tokenizer. */
    static final List<String> ROLES = List.of("bos_token", "eos_token", "pad_token", "unk_token");

    /** The roles the config sets, role to token content, in {@link #ROLES} order. */
    Map<String, String> roles()
    {
        final Map<String, String> roles = new LinkedHashMap<>();
        for (final String key : ROLES)
        {
            final JsonNode v = root.path(key);
            if (v.isMissingNode() || v.isNull())
            {
                continue;
            }
            // A role is a string, or an AddedToken object with its "content".
            final JsonNode content = v.isObject() ? v.path("content") : v;
            if (!content.isTextual())
            {
                throw new BadInputException(file + ": \"" + key +
                    "\" must be a string, null or an object with a \"content\"");
            }
            roles.put(key, content.asText());
        }
        return roles;
    }

    /** The Jinja chat template; a list of named templates is read for its "default" one. */
    Optional<String> chatTemplate()
    {
        final JsonNode t = root.path("chat_template");
        if (t.isTextual())
        {
            return Optional.of(t.asText());
        }
        if (t.isArray())
        {
            for (final JsonNode named : t)
            {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual())
                {
                    return Optional.of(named.get("template").asText());
                }
            }
        }
        return Optional.empty();
    }
}
