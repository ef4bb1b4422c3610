package dev.switchyard.transformer.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.wire.BadInputException;

/**
 * A model directory's tokenizer.json, read before the tokenizers library sees it: so that a missing
 * or broken file is one error naming it, and for what the binding does not expose (the vocabulary
 * size, the added tokens).
 *
 * @param file the tokenizer.json file
 * @param text its content, as the library parses it
 * @param vocabSize the token strings of the model's vocabulary and the added tokens, counted once
 *     each, as {@code Tokenizer.get_vocab_size(with_added_tokens=True)}
 * @param added every added token, content to id
 * @param special the added tokens marked special, content to id
 * @param found the ids of the tokens asked for that the added tokens or the model's vocabulary hold
 */
record TokenizerJson(Path file, String text, int vocabSize, Map<String, Integer> added, Map<String, Integer> special,
    Map<String, Integer> found)
{
    /** Reads modelDir/tokenizer.json and finds the ids of the tokens in lookUp (added tokens first). */
    static TokenizerJson read(final Path modelDir, final Collection<String> lookUp)
    {
        final Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file))
        {
            throw new BadInputException("model " + modelDir + " has no tokenizer.json");
        }
        final String text;
        final JsonNode root;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
            root = JsonMapper.builder().build().readTree(text);
        }
        catch (final JsonProcessingException ex)
        {
            throw new BadInputException(file + " is not valid JSON: " + ex.getOriginalMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot read " + file + ": " + ex, ex);
        }
        if (root == null || !root.isObject())
        {
            throw new BadInputException(file + " is not a JSON object");
        }
        final JsonNode model = root.path("model");
        if (!model.isObject() || !model.path("type").isTextual() && !model.has("vocab"))
        {
            throw new BadInputException(file + ": \"model\" must be an object with a \"type\" or a \"vocab\"");
        }
        final Map<String, Integer> added = new LinkedHashMap<>();
        final Map<String, Integer> special = new LinkedHashMap<>();
        addedTokens(file, root.path("added_tokens"), added, special);
        final JsonNode vocab = model.path("vocab");
        final Map<String, Integer> found = new HashMap<>();
        for (final String token : lookUp)
        {
            final Integer id = added.containsKey(token) ? added.get(token) :
                vocab.path(token).canConvertToInt() ? Integer.valueOf(vocab.path(token).asInt()) : null;
            if (id != null)
            {
                found.put(token, id);
            }
        }
        return new TokenizerJson(file, text, vocabSize(file, vocab, added.keySet()), added, special, found);
    }

    private static void addedTokens(final Path file, final JsonNode tokens, final Map<String, Integer> added,
        final Map<String, Integer> special)
    {
        if (tokens.isMissingNode() || tokens.isNull())
        {
            return;
        }
        if (!tokens.isArray())
        {
            throw new BadInputException(file + ": \"added_tokens\" must be a list");
        }
        for (int i = 0; i < tokens.size(); i++)
        {
            final JsonNode t = tokens.get(i);
            if (!t.path("content").isTextual() || !t.path("id").canConvertToInt() || t.path("id").asInt() < 0)
            {
                throw new BadInputException(file + ": added_tokens[" + i +
                    "] needs a \"content\" string and an id >= 0");
            }
            added.put(t.get("content").asText(), t.get("id").asInt());
            if (t.path("special").asBoolean(false))
            {
                special.put(t.get("content").asText(), t.get("id").asInt());
            }
        }
    }

    /** BPE and WordPiece keep a map token to id, Unigram a list of [piece, score]. */
    private static int vocabSize(final Path file, final JsonNode vocab, final Set<String> added)
    {
        final Set<String> tokens = new HashSet<>(added);
        if (vocab.isObject())
        {
            vocab.fieldNames().forEachRemaining(tokens::add);
        }
        else if (vocab.isArray())
        {
            for (final JsonNode piece : vocab)
            {
                tokens.add(piece.isArray() ? piece.path(0).asText() : piece.asText());
            }
        }
        else if (!vocab.isMissingNode())
        {
            throw new BadInputException(file + ": \"model.vocab\" must be an object or a list");
        }
        return tokens.size();
    }
}
