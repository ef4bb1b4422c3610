package dev.switchyard.node.http.openai;

import java.util.List;

/** What a generation reports: a {@link Piece} per new id, then one {@link Finished}. */
public sealed interface GenerationEvent
{
    /**
     * One new id.
     *
     * @param id      the id
     * @param token   the id's own text (for logprobs)
     * @param text    the continuation text this id makes final (empty while a character is incomplete, and
     *                for an ending EOS)
     * @param logprob its log-probability
     * @param top     the most likely alternatives, most likely first
     */
    record Piece(int id, String token, String text, double logprob, List<TopLogprob> top) implements GenerationEvent
    {
    }

    /**
     * The end.
     *
     * @param reason           why
     * @param rest             text held back until now (an incomplete character at the end)
     * @param promptTokens     ids of the prompt
     * @param completionTokens new ids produced
     * @param error            what failed, for {@link Reason#ERROR}
     */
    record Finished(Reason reason, String rest, int promptTokens, int completionTokens, String error)
        implements GenerationEvent
    {
    }

    /** An alternative id's text and log-probability. */
    record TopLogprob(String token, double logprob)
    {
    }

    /** Why a generation ended. */
    enum Reason
    {
        /** An EOS id. */
        STOP,
        /** max_tokens. */
        LENGTH,
        /** Cancelled (a stop string, a client gone, the server closing). */
        CANCELLED,
        /** The model failed. */
        ERROR
    }
}
