package dev.switchyard.transformer.text;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.LibUtils;
import dev.switchyard.wire.BadInputException;

/**
 * A model's text: its tokenizer.json (Hugging Face {@code tokenizers} format) encoded and decoded by
 * the {@code tokenizers} library itself, through DJL's binding of it, so that ids and text equal
 * what Python's {@code Tokenizer.encode(text, add_special_tokens=True).ids} and
 * {@code Tokenizer.decode(ids, skip_special_tokens=False)} give. Safe to share between threads.
 */
public final class TextTokenizer implements AutoCloseable
{
    /**
     * The binding's defaults are not the library's: it truncates to 512 tokens and pads a batch to
     * its longest row unless told otherwise. These options leave both off, as tokenizer.json's own
     * "truncation": null and "padding": null do in Python.
     */
    private static final Map<String, String> AS_THE_LIBRARY = Map.of(
        "addSpecialTokens", "true",
        "truncation", "false",
        "padding", "false",
        "withOverflowingTokens", "false");

    static
    {
        // DJL's first tokenizer of a day asks the EC2 metadata address who runs it (1 s timeouts, then
        // a request out). A server reaches nothing it was not told to: opt out unless the user chose.
        if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null)
        {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private final int vocabSize;
    private final SpecialTokens specialTokens;
    private final Optional<String> chatTemplate;
    private final Map<String, String> roles;

    private TextTokenizer(final HuggingFaceTokenizer tokenizer, final Path file, final int vocabSize,
        final SpecialTokens specialTokens, final Optional<String> chatTemplate, final Map<String, String> roles)
    {
        this.roles = Map.copyOf(roles);
        this.tokenizer = tokenizer;
        this.file = file;
        this.vocabSize = vocabSize;
        this.specialTokens = specialTokens;
        this.chatTemplate = chatTemplate;
    }

    /**
     * Opens modelDir/tokenizer.json (required) and modelDir/tokenizer_config.json (optional: the
     * roles of the special tokens, the chat template).
     *
     * @throws BadInputException naming the file when either is missing, not JSON, or refused by the library
     */
    public static TextTokenizer open(final Path modelDir)
    {
        final TokenizerConfig config = TokenizerConfig.read(modelDir);
        final Map<String, String> roles = config.roles();
        final TokenizerJson json = TokenizerJson.read(modelDir, roles.values());
        final SpecialTokens special = new SpecialTokens(json.special(), role(config, json, "bos_token"),
            role(config, json, "eos_token"), role(config, json, "pad_token"), role(config, json, "unk_token"));
        // A native library that cannot load is no fault of the input: let its own error through.
        LibUtils.checkStatus();
        final HuggingFaceTokenizer tokenizer;
        try (InputStream in = new ByteArrayInputStream(json.text().getBytes(StandardCharsets.UTF_8)))
        {
            tokenizer = HuggingFaceTokenizer.newInstance(in, AS_THE_LIBRARY);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final RuntimeException ex)
        {
            throw new BadInputException(json.file() + ": the tokenizers library refuses it: " + ex.getMessage(), ex);
        }
        return new TextTokenizer(tokenizer, json.file(), json.vocabSize(), special, config.chatTemplate(), roles);
    }

    private static OptionalInt role(final TokenizerConfig config, final TokenizerJson json, final String key)
    {
        final String token = config.roles().get(key);
        if (token == null)
        {
            return OptionalInt.empty();
        }
        final Integer id = json.found().get(token);
        if (id == null)
        {
            throw new BadInputException(config.file() + ": \"" + key + "\" is \"" + token + "\", which " + json.file() +
                " does not hold");
        }
        return OptionalInt.of(id);
    }

    /** The ids of text, with the special tokens the tokenizer's post-processor adds (Mixtral's BOS). */
    public int[] encode(final String text)
    {
        return encode(text, true);
    }

    /**
     * The ids of text; without the special tokens the post-processor adds when {@code addSpecialTokens} is false
     * (a rendered chat template spells its own, as {@code apply_chat_template} encodes it).
     */
    public int[] encode(final String text, final boolean addSpecialTokens)
    {
        final long[] ids = tokenizer.encode(text, addSpecialTokens, false).getIds();
        final int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++)
        {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /**
     * The text of ids, special tokens kept. An id the vocabulary does not hold is skipped, as the
     * library does; a negative id is refused, as Python refuses it.
     */
    public String decode(final int[] ids)
    {
        final long[] in = new long[ids.length];
        for (int i = 0; i < ids.length; i++)
        {
            if (ids[i] < 0)
            {
                throw new BadInputException("cannot decode id " + ids[i] + " at position " + i + ": ids are >= 0");
            }
            in[i] = ids[i];
        }
        return tokenizer.decode(in, false);
    }

    /** Token strings of the vocabulary and the added tokens, as {@code get_vocab_size(with_added_tokens=True)}. */
    public int vocabSize()
    {
        return vocabSize;
    }

    public SpecialTokens specialTokens()
    {
        return specialTokens;
    }

    /** tokenizer_config.json's chat_template (Jinja), if it has one. */
    public Optional<String> chatTemplate()
    {
        return chatTemplate;
    }

    /** The special tokens' text by role (bos_token, eos_token, pad_token, unk_token), those the config names. */
    public Map<String, String> roleTokens()
    {
        return roles;
    }

    /** The tokenizer.json this tokenizer was read from. */
    public Path file()
    {
        return file;
    }

    @Override
    public void close()
    {
        tokenizer.close();
    }
}
