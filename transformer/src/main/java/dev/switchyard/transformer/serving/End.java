package dev.switchyard.transformer.serving;

/**
 * How a sequence ended; the last event its listener gets.
 *
 * @param reason           why it ended
 * @param promptTokens     ids of its prompt
 * @param completionTokens new ids it produced
 * @param error            what went wrong when {@code reason} is {@link Reason#ERROR}, else null
 */
public record End(Reason reason, int promptTokens, int completionTokens, String error)
{
    /** Why a sequence ended. */
    public enum Reason
    {
        /** It produced an EOS id (included in its ids). */
        EOS,
        /** It produced its most new ids. */
        LENGTH,
        /** It was cancelled, or the engine closed, before it ended. */
        CANCELLED,
        /** The model failed on it. */
        ERROR
    }
}
