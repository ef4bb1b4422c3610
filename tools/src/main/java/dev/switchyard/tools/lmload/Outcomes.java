package dev.switchyard.tools.lmload;

/**
 * The buckets a request ends in, exactly one each: {@code ok} (the stream ended with [DONE] and no error),
 * {@code overloaded} (429), {@code http_NNN} (any other status but 200), {@code stream_error} (an error event in
 * the stream), {@code cut_off} (the stream ended without [DONE]), {@code connection_failed} (no HTTP answer: the
 * connection was refused or broke first), {@code never_answered} (still running when the run stopped waiting).
 */
public final class Outcomes
{
    public static final String OK = "ok";
    public static final String OVERLOADED = "overloaded";
    public static final String STREAM_ERROR = "stream_error";
    public static final String CUT_OFF = "cut_off";
    public static final String CONNECTION_FAILED = "connection_failed";
    public static final String NEVER_ANSWERED = "never_answered";

    private Outcomes()
    {
    }

    /** The bucket of an HTTP status other than 200. */
    static String http(final int status)
    {
        return status == 429 ? OVERLOADED : "http_" + status;
    }
}
