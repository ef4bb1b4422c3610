package dev.switchyard.transformer.text;

import java.util.Arrays;

/**
 * The text of a continuation as its ids come, cut as transformers' text-generation pipeline cuts it:
 * decode(prompt + new) after decode(prompt), so a word's leading space (Metaspace, word-level) or a
 * character split over byte tokens comes out right. Each id costs a decode of a few ids, not of the whole
 * text: a window of ids already shown (the prefix) is decoded with and without the ids not shown yet, and
 * the difference is the new text (the incremental detokenization of vLLM and text-generation-inference).
 * Text that ends in an incomplete character (U+FFFD) is held back until the next id completes it.
 * Not thread-safe.
 */
public final class TextStream
{
    /** Prompt ids decoded before the first new one: decoding is local apart from the start of a text. */
    private static final int CONTEXT = 5;
    /** How far back the context may reach to start at a whole character (byte tokens). */
    private static final int MAX_CONTEXT = 24;

    private final TextTokenizer tokenizer;
    private final StringBuilder text = new StringBuilder();
    private int[] ids;       // the prompt's last ids, then every new id
    private int count;
    private int prefixOffset; // ids[prefixOffset, readOffset) are shown: the window decoded for context
    private int readOffset;   // ids[readOffset, count) are not shown yet

    public TextStream(final TextTokenizer tokenizer, final int[] prompt)
    {
        this.tokenizer = tokenizer;
        int from = Math.max(0, prompt.length - CONTEXT);
        // A context that starts inside a character split over byte tokens decodes to U+FFFD first: reach back.
        while (from > 0 && prompt.length - from < MAX_CONTEXT &&
            tokenizer.decode(Arrays.copyOfRange(prompt, from, prompt.length)).startsWith("\uFFFD"))
        {
            from--;
        }
        this.ids = Arrays.copyOf(Arrays.copyOfRange(prompt, from, prompt.length), prompt.length - from + 16);
        this.count = prompt.length - from;
        this.readOffset = count;
    }

    /** Adds a new id; returns the text it makes final (possibly empty). */
    public String add(final int id)
    {
        if (count == ids.length)
        {
            ids = Arrays.copyOf(ids, 2 * count);
        }
        ids[count++] = id;
        return next(false);
    }

    /** The text not returned yet, an incomplete character included (at the end of a sequence). */
    public String flush()
    {
        return readOffset < count ? next(true) : "";
    }

    /** All text returned so far. */
    public String text()
    {
        return text.toString();
    }

    private String next(final boolean last)
    {
        // A prompt cut inside a character decodes to U+FFFD there; the new ids complete that character.
        final String prefix = decode(prefixOffset, readOffset).replaceAll("\uFFFD+$", "");
        final String full = decode(prefixOffset, count);
        if (!last && (full.length() <= prefix.length() || full.endsWith("\uFFFD")))
        {
            return "";
        }
        final String delta = full.length() > prefix.length() ? full.substring(prefix.length()) : "";
        prefixOffset = readOffset;
        readOffset = count;
        text.append(delta);
        return delta;
    }

    private String decode(final int from, final int to)
    {
        return tokenizer.decode(Arrays.copyOfRange(ids, from, to));
    }
}
