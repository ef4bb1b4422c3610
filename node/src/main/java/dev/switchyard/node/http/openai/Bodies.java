package dev.switchyard.node.http.openai;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON of OpenAI's answers: {@code text_completion} and {@code chat.completion} objects, their stream
 * chunks, logprobs in each route's shape, and usage.
 *
 * @param id      "cmpl-N" or "chatcmpl-N"
 * @param created seconds since the epoch
 * @param model   the model's name
 * @param chat    whether this is the chat route
 */
record Bodies(ObjectMapper json, String id, long created, String model, boolean chat)
{
    /** A token's log-probability as the answer lists it; offset is its place in the answer's text. */
    record Entry(String token, double logprob, List<GenerationEvent.TopLogprob> top, int offset)
    {
    }

    ObjectNode whole(final String text, final String reason, final List<Entry> logprobs, final int prompt,
        final int completion)
    {
        final ObjectNode root = head(chat ? "chat.completion" : "text_completion");
        final ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat)
        {
            final ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", text);
        }
        else
        {
            choice.put("text", text);
        }
        logprobs(choice, logprobs);
        choice.put("finish_reason", reason);
        usage(root, prompt, completion);
        return root;
    }

    /** A stream chunk; {@code reason} null while the answer goes on, {@code first} the chat's role chunk. */
    ObjectNode chunk(final String text, final String reason, final List<Entry> logprobs, final boolean first)
    {
        final ObjectNode root = head(chat ? "chat.completion.chunk" : "text_completion");
        final ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat)
        {
            final ObjectNode delta = choice.putObject("delta");
            if (first)
            {
                delta.put("role", "assistant");
            }
            if (reason == null || !text.isEmpty())
            {
                delta.put("content", text);
            }
        }
        else
        {
            choice.put("text", text);
        }
        logprobs(choice, logprobs);
        choice.put("finish_reason", reason);
        return root;
    }

    /** The last chunk of stream_options.include_usage: no choices, the usage. */
    ObjectNode usageChunk(final int prompt, final int completion)
    {
        final ObjectNode root = head(chat ? "chat.completion.chunk" : "text_completion");
        root.putArray("choices");
        usage(root, prompt, completion);
        return root;
    }

    private ObjectNode head(final String object)
    {
        final ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    private static void usage(final ObjectNode root, final int prompt, final int completion)
    {
        final ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
    }

    /** null without logprobs; chat: {"content": [{token, logprob, bytes, top_logprobs}]}; text: parallel lists. */
    private void logprobs(final ObjectNode choice, final List<Entry> entries)
    {
        if (entries == null)
        {
            choice.putNull("logprobs");
            return;
        }
        final ObjectNode lp = choice.putObject("logprobs");
        if (chat)
        {
            final ArrayNode content = lp.putArray("content");
            for (final Entry e : entries)
            {
                final ObjectNode t = content.addObject();
                token(t, e.token(), e.logprob());
                final ArrayNode top = t.putArray("top_logprobs");
                e.top().forEach(a -> token(top.addObject(), a.token(), a.logprob()));
            }
            return;
        }
        final ArrayNode tokens = lp.putArray("tokens");
        final ArrayNode values = lp.putArray("token_logprobs");
        final ArrayNode top = lp.putArray("top_logprobs");
        final ArrayNode offsets = lp.putArray("text_offset");
        for (final Entry e : entries)
        {
            tokens.add(e.token());
            values.add(e.logprob());
            final ObjectNode alternatives = top.addObject();
            e.top().forEach(a -> alternatives.put(a.token(), a.logprob()));
            offsets.add(e.offset());
        }
    }

    private static void token(final ObjectNode t, final String token, final double logprob)
    {
        t.put("token", token);
        t.put("logprob", logprob);
        final ArrayNode bytes = t.putArray("bytes");
        for (final byte b : token.getBytes(StandardCharsets.UTF_8))
        {
            bytes.add(b & 0xFF);
        }
    }
}
