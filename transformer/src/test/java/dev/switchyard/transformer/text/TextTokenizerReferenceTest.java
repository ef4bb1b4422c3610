package dev.switchyard.transformer.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both committed tokenizers against the ids and text the tokenizers library gave on 200 strings. */
class TextTokenizerReferenceTest
{
    @ParameterizedTest
    @ValueSource(strings = {"qwen2-bytelevel", "mixtral-bytefallback"})
    void idsAndTextEqualTheLibrarysOnEveryString(final String name) throws IOException
    {
        final JsonNode reference = TokenizerFixtures.reference();
        final JsonNode expected = reference.path("tokenizers").path(name);
        final JsonNode strings = reference.path("strings");
        assertEquals(200, strings.size());
        final List<String> wrong = new ArrayList<>();
        try (TextTokenizer tokenizer = TextTokenizer.open(TokenizerFixtures.root().resolve(name)))
        {
            for (int i = 0; i < strings.size(); i++)
            {
                final String s = strings.get(i).asText();
                final int[] want = ints(expected.path("ids").get(i));
                final int[] ids = tokenizer.encode(s);
                final String text = tokenizer.decode(want);
                if (!Arrays.equals(want, ids) || !expected.path("decoded").get(i).asText().equals(text))
                {
                    wrong.add(i + " " + escape(s) + ": ids " + Arrays.toString(ids) + " want " +
                        Arrays.toString(want) + ", text " + escape(text));
                }
            }
            assertEquals(List.of(), wrong);
            assertEquals(expected.path("vocab_size").asInt(), tokenizer.vocabSize());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-bytelevel", "mixtral-bytefallback"})
    void specialTokensAreTheAddedTokensMarkedSpecial(final String name) throws IOException
    {
        final JsonNode expected = TokenizerFixtures.reference().path("tokenizers").path(name).path("special_tokens");
        try (TextTokenizer tokenizer = TextTokenizer.open(TokenizerFixtures.root().resolve(name)))
        {
            assertEquals(expected.size(), tokenizer.specialTokens().ids().size());
            expected.fields().forEachRemaining(e ->
                assertEquals(e.getValue().asInt(), tokenizer.specialTokens().ids().get(e.getKey()), e.getKey()));
            assertTrue(tokenizer.chatTemplate().orElseThrow().contains("message['content']"));
        }
    }

    @Test
    void rolesComeFromTheConfig()
    {
        try (TextTokenizer qwen = TextTokenizer.open(TokenizerFixtures.root().resolve("qwen2-bytelevel"));
            TextTokenizer mixtral = TextTokenizer.open(TokenizerFixtures.root().resolve("mixtral-bytefallback")))
        {
            final SpecialTokens q = qwen.specialTokens();
            assertEquals(List.of(OptionalInt.empty(), OptionalInt.of(602), OptionalInt.of(600), OptionalInt.empty()),
                List.of(q.bos(), q.eos(), q.pad(), q.unk()));
            final SpecialTokens m = mixtral.specialTokens();
            assertEquals(List.of(OptionalInt.of(1), OptionalInt.of(2), OptionalInt.empty(), OptionalInt.of(0)),
                List.of(m.bos(), m.eos(), m.pad(), m.unk()));
            assertEquals(Map.of("<unk>", 0, "<s>", 1, "</s>", 2), m.ids());
            // The chat markers are single ids, never split into pieces.
            assertArrayEquals(new int[] {601, 602}, qwen.encode("<|im_start|><|im_end|>"));
            assertArrayEquals(new int[] {1}, mixtral.encode(""));
        }
    }

    private static int[] ints(final JsonNode list)
    {
        final int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = list.get(i).asInt();
        }
        return out;
    }

    private static String escape(final String s)
    {
        final StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(c -> b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : Character.toString(c)));
        return b.append('"').toString();
    }
}
