package dev.switchyard.transformer.text;

import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Streamed text equals the pipeline's cut, decode(prompt + new) after decode(prompt), on the real byte-level
 * (Qwen) and byte-fallback (Mixtral) tokenizers; no piece ends inside a character split over byte tokens.
 */
class TextStreamTest
{
    @ParameterizedTest
    @ValueSource(strings = {"qwen2-bytelevel", "mixtral-bytefallback"})
    void streamedPiecesAddUpToTheContinuation(final String name)
    {
        try (TextTokenizer t = TextTokenizer.open(TokenizerFixtures.root().resolve(name)))
        {
            final int[] all = t.encode("Once upon a time, naïve Zoë wrote 你好 🙂🙂 and  left.\n\nThe end");
            for (int cut = 1; cut < all.length; cut++)
            {
                final int[] prompt = Arrays.copyOf(all, cut);
                if (t.decode(prompt).contains("\uFFFD"))
                {
                    continue; // a prompt cut inside a character: the pipeline's cut has no meaning there
                }
                final TextStream stream = new TextStream(t, prompt);
                final StringBuilder pieces = new StringBuilder();
                for (int i = cut; i < all.length; i++)
                {
                    final String piece = stream.add(all[i]);
                    assertFalse(piece.contains("\uFFFD"), piece);
                    pieces.append(piece);
                }
                pieces.append(stream.flush());
                final String expected = t.decode(all).substring(t.decode(prompt).length());
                assertEquals(expected, pieces.toString(), name + ", prompt of " + cut);
                assertEquals(expected, stream.text());
            }
        }
    }
}
