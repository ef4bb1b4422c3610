package dev.switchyard.transformer.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad tokenizer folders are one error naming the file; the binding neither truncates nor pads. */
class TextTokenizerErrorsTest
{
    @TempDir
    Path dir;

    @Test
    void missingTokenizerJsonIsNamed()
    {
        final BadInputException ex = assertThrows(BadInputException.class, () -> TextTokenizer.open(dir));
        assertEquals("model " + dir + " has no tokenizer.json", ex.getMessage());
    }

    @Test
    void corruptTokenizerJsonIsNamed() throws IOException
    {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\"");
        final BadInputException ex = assertThrows(BadInputException.class, () -> TextTokenizer.open(dir));
        assertTrue(ex.getMessage().startsWith(dir.resolve("tokenizer.json") + " is not valid JSON: "), ex.getMessage());
    }

    @Test
    void tokenizerJsonWithoutModelIsNamed() throws IOException
    {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\"}");
        final BadInputException ex = assertThrows(BadInputException.class, () -> TextTokenizer.open(dir));
        assertTrue(ex.getMessage().contains("\"model\" must be an object"), ex.getMessage());
    }

    @Test
    void tokenizerJsonTheLibraryRefusesIsNamed() throws IOException
    {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": {\"type\": \"Nonsense\"}}");
        final BadInputException ex = assertThrows(BadInputException.class, () -> TextTokenizer.open(dir));
        assertTrue(ex.getMessage().startsWith(dir.resolve("tokenizer.json") + ": the tokenizers library refuses it"),
            ex.getMessage());
    }

    @Test
    void aRoleTheTokenizerDoesNotHoldIsNamed() throws IOException
    {
        final Path qwen = TokenizerFixtures.root().resolve("qwen2-bytelevel");
        Files.copy(qwen.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": {\"content\": \"<|nowhere|>\"}}");
        final BadInputException ex = assertThrows(BadInputException.class, () -> TextTokenizer.open(dir));
        assertTrue(ex.getMessage().contains("\"eos_token\" is \"<|nowhere|>\""), ex.getMessage());
    }

    @Test
    void withoutAConfigThereAreNoRolesAndNoTemplate() throws IOException
    {
        final Path mixtral = TokenizerFixtures.root().resolve("mixtral-bytefallback");
        Files.copy(mixtral.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        try (TextTokenizer tokenizer = TextTokenizer.open(dir))
        {
            assertTrue(tokenizer.specialTokens().bos().isEmpty());
            assertTrue(tokenizer.chatTemplate().isEmpty());
            assertEquals(3, tokenizer.specialTokens().ids().size());
        }
    }

    @Test
    void longTextIsNeitherTruncatedNorPadded()
    {
        try (TextTokenizer tokenizer = TextTokenizer.open(TokenizerFixtures.root().resolve("qwen2-bytelevel")))
        {
            final String text = "<|im_end|>".repeat(3000);
            assertEquals(3000, tokenizer.encode(text).length);
            assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
        }
    }

    @Test
    void negativeIdsAreRefused()
    {
        try (TextTokenizer tokenizer = TextTokenizer.open(TokenizerFixtures.root().resolve("qwen2-bytelevel")))
        {
            final BadInputException ex = assertThrows(BadInputException.class,
                () -> tokenizer.decode(new int[] {5, -1}));
            assertEquals("cannot decode id -1 at position 1: ids are >= 0", ex.getMessage());
        }
    }
}
