package dev.switchyard.transformer.text;

import java.util.Arrays;

/**
 * The text of a continuation as its ids come, cut as transformers' text-generation pipeline cuts it:
 * decode(prompt + new) after decode(prompt), so a word's leading space (Metaspace, word-level) or a
 * character split over byte tokens comes out right. Only the last {@value #CONTEXT} prompt ids are decoded
 * with the new ones: decoding is local apart from the start of a text, and this keeps each step's cost off
 * the prompt's length. Text that ends in an incomplete character (U+FFFD) is held back until the next id
 * completes it. Not thread-safe.
 */
public final class TextStream
{
    private static final int CONTEXT = 16;

    private final TextTokenizer tokenizer;
    private final int[] context;
    private final String head;
    private int[] ids = new int[16];
    private int count;
    private int emitted;
    private String text = "";

    public TextStream(final TextTokenizer tokenizer, final int[] prompt)
    {
        this.tokenizer = tokenizer;
        this.context = Arrays.copyOfRange(prompt, Math.max(0, prompt.length - CONTEXT), prompt.length);
        // A prompt cut inside a character decodes to U+FFFD there; the new ids complete that character, so
        // the continuation starts at the cut-off character.
        this.head = tokenizer.decode(context).replaceAll("\uFFFD+$", "");
    }

    /** Adds a new id; returns the text it makes final (possibly empty). */
    public String add(final int id)
    {
        if (count == ids.length)
        {
            ids = Arrays.copyOf(ids, 2 * count);
        }
        ids[count++] = id;
        final int[] all = Arrays.copyOf(context, context.length + count);
        System.arraycopy(ids, 0, all, context.length, count);
        final String full = tokenizer.decode(all);
        text = full.startsWith(head) ? full.substring(head.length())
            : tokenizer.decode(Arrays.copyOf(ids, count));
        if (text.endsWith("\uFFFD"))
        {
            return "";
        }
        return flush();
    }

    /** The text not returned yet, held back or not (at the end of a sequence). */
    public String flush()
    {
        final String out = emitted <= text.length() ? text.substring(emitted) : "";
        emitted = Math.max(emitted, text.length());
        return out;
    }

    /** All text so far. */
    public String text()
    {
        return text;
    }
}
