package dev.switchyard.transformer.text;

import java.util.List;
import java.util.Map;

import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chat templates of the tokenizer fixtures rendered as transformers' apply_chat_template renders them. */
class ChatTemplateTest
{
    private static final List<Map<String, Object>> CHAT = List.of(
        Map.of("role", "user", "content", "Hi there"),
        Map.of("role", "assistant", "content", "Hello!"),
        Map.of("role", "user", "content", "How are you?"));

    @Test
    void mixtralTemplate()
    {
        try (TextTokenizer t = TextTokenizer.open(TokenizerFixtures.root().resolve("mixtral-bytefallback")))
        {
            // What the template spells out: BOS, [INST] turns, the assistant turn closed by EOS.
            assertEquals("<s>[INST] Hi there [/INST]Hello!</s>[INST] How are you? [/INST]",
                ChatTemplate.of(t).orElseThrow().render(CHAT, true));
        }
    }

    @Test
    void qwenTemplateWithGenerationPrompt()
    {
        try (TextTokenizer t = TextTokenizer.open(TokenizerFixtures.root().resolve("qwen2-bytelevel")))
        {
            final String text = ChatTemplate.of(t).orElseThrow().render(CHAT, true);
            assertTrue(text.endsWith("<|im_start|>user\nHow are you?<|im_end|>\n<|im_start|>assistant\n"), text);
            assertTrue(text.contains("<|im_start|>assistant\nHello!<|im_end|>\n"), text);
        }
    }

    @Test
    void raiseExceptionBecomesTheError()
    {
        final ChatTemplate t = ChatTemplate.of("{% if messages[0]['role'] != 'system' %}" +
            "{{ raise_exception('the first message must be the system prompt') }}{% endif %}ok", Map.of());
        final BadInputException ex = assertThrows(BadInputException.class, () -> t.render(CHAT, false));
        assertEquals("the chat template refuses the messages: the first message must be the system prompt",
            ex.getMessage());
    }
}
