package dev.switchyard.transformer.text;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.switchyard.wire.BadInputException;

/**
 * tokenizer_config.json's {@code chat_template} (Jinja), rendered as transformers' {@code apply_chat_template}
 * renders it: with {@code trim_blocks} and {@code lstrip_blocks}, the variables {@code messages},
 * {@code add_generation_prompt} and the special tokens by role ({@code bos_token}, {@code eos_token}, ...),
 * and {@code raise_exception(message)}, whose message becomes the caller's error. Thread-safe.
 */
public final class ChatTemplate
{
    private final Jinjava jinja;
    private final String template;
    private final Map<String, String> tokens;

    private ChatTemplate(final String template, final Map<String, String> tokens)
    {
        this.template = template;
        this.tokens = tokens;
        this.jinja = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
            "raise", String.class));
    }

    /** The tokenizer's chat template, if its tokenizer_config.json has one. */
    public static Optional<ChatTemplate> of(final TextTokenizer tokenizer)
    {
        return tokenizer.chatTemplate().map(t -> new ChatTemplate(t, tokenizer.roleTokens()));
    }

    /** A template with the given special tokens by role. */
    public static ChatTemplate of(final String template, final Map<String, String> tokens)
    {
        return new ChatTemplate(template, Map.copyOf(tokens));
    }

    /**
     * @param messages each with "role" and "content" (and whatever else the template reads)
     * @param addGenerationPrompt whether to end with the start of the assistant's turn
     * @throws BadInputException with the template's {@code raise_exception} message or its first error
     */
    public String render(final List<Map<String, Object>> messages, final boolean addGenerationPrompt)
    {
        final Map<String, Object> context = new HashMap<>(tokens);
        context.put("messages", messages);
        context.put("add_generation_prompt", addGenerationPrompt);
        final RenderResult result;
        try
        {
            result = jinja.renderForResult(template, context);
        }
        catch (final TemplateRaised ex)
        {
            throw new BadInputException("the chat template refuses the messages: " + ex.getMessage());
        }
        for (final TemplateError e : result.getErrors())
        {
            for (Throwable c = e.getException(); c != null; c = c.getCause())
            {
                if (c instanceof TemplateRaised raised)
                {
                    throw new BadInputException("the chat template refuses the messages: " + raised.getMessage());
                }
            }
            if (e.getSeverity() == TemplateError.ErrorType.FATAL)
            {
                throw new BadInputException("the chat template fails: " + e.getMessage());
            }
        }
        return result.getOutput();
    }

    /** raise_exception(message) of transformers' templates. */
    public static String raise(final String message)
    {
        throw new TemplateRaised(message);
    }

    /** The error a template raises on purpose. */
    private static final class TemplateRaised extends RuntimeException
    {
        TemplateRaised(final String message)
        {
            super(message, null, false, false);
        }
    }
}
