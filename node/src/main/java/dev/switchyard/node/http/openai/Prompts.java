package dev.switchyard.node.http.openai;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** The prompt of each route as ids: completions' "prompt" (text or ids), chat's "messages" through the template. */
final class Prompts
{
    private Prompts()
    {
    }

    /** "prompt": a string, a list of ids, or a list holding one of those. */
    static int[] completion(final LanguageModel model, final JsonNode body)
    {
        JsonNode prompt = body.path("prompt");
        if (prompt.isArray() && prompt.size() == 1 && (prompt.get(0).isTextual() || prompt.get(0).isArray()))
        {
            prompt = prompt.get(0);
        }
        if (prompt.isArray() && prompt.size() > 1 && (prompt.get(0).isTextual() || prompt.get(0).isArray()))
        {
            throw OpenAiError.invalid("prompt", "prompt holds " + prompt.size() + " prompts: send one prompt per " +
                "request");
        }
        final int[] ids;
        if (prompt.isTextual())
        {
            ids = model.encode(prompt.asText(), true);
        }
        else if (prompt.isArray() && prompt.size() > 0)
        {
            ids = new int[prompt.size()];
            for (int i = 0; i < ids.length; i++)
            {
                final JsonNode id = prompt.get(i);
                if (!id.canConvertToInt() || !id.isIntegralNumber() || id.asInt() < 0 || id.asInt() >= model.vocab())
                {
                    throw OpenAiError.invalid("prompt", "prompt: token " + i + " (" + id + ") is not an id in 0.." +
                        (model.vocab() - 1));
                }
                ids[i] = id.asInt();
            }
        }
        else
        {
            throw OpenAiError.invalid("prompt", "prompt must be a string or a non-empty list of token ids (one " +
                "prompt per request)");
        }
        if (ids.length == 0)
        {
            throw OpenAiError.invalid("prompt", "the prompt has no tokens");
        }
        return ids;
    }

    /** "messages": [{role, content}] with content a string or a list of {"type": "text", "text"} parts. */
    static int[] chat(final LanguageModel model, final JsonNode body)
    {
        final JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty())
        {
            throw OpenAiError.invalid("messages", "messages must be a non-empty list of {role, content}");
        }
        final List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++)
        {
            final JsonNode m = messages.get(i);
            if (!m.path("role").isTextual())
            {
                throw OpenAiError.invalid("messages", "messages[" + i + "].role must be a string");
            }
            final Map<String, Object> message = new LinkedHashMap<>();
            m.properties().forEach(e ->
            {
                if (e.getValue().isTextual())
                {
                    message.put(e.getKey(), e.getValue().asText());
                }
            });
            message.put("content", content(m.path("content"), i));
            out.add(message);
        }
        final int[] ids = model.encode(model.renderChat(out), false);
        if (ids.length == 0)
        {
            throw OpenAiError.invalid("messages", "the rendered chat has no tokens");
        }
        return ids;
    }

    private static String content(final JsonNode content, final int i)
    {
        if (content.isTextual())
        {
            return content.asText();
        }
        if (content.isArray())
        {
            final StringBuilder text = new StringBuilder();
            for (final JsonNode part : content)
            {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual())
                {
                    throw OpenAiError.invalid("messages", "messages[" + i + "].content: only text parts " +
                        "({\"type\": \"text\", \"text\": ...}) are served");
                }
                text.append(part.path("text").asText());
            }
            return text.toString();
        }
        throw OpenAiError.invalid("messages", "messages[" + i + "].content must be a string or a list of text parts");
    }
}
