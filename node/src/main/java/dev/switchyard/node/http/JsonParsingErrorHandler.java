package dev.switchyard.node.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * The answer to a request Pekko's HTTP layer cannot parse (a malformed {@code Content-Length},
 * header line or request line): the API's JSON error object, as for every other error. The
 * connection is closed after it.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler
{
    @Override
    public HttpResponse handle(
        final StatusCode status, final ErrorInfo info, final LoggingAdapter log, final ServerSettings settings)
    {
        final String detail = info.detail().isEmpty() ? info.summary() : info.summary() + ": " + info.detail();
        return Responses.error(ApiError.of(status.intValue(), code(status.intValue()), detail.replaceAll("\\s+", " ")));
    }

    private static String code(final int status)
    {
        return switch (status)
        {
            case 413, 414, 431 -> "too_large";
            case 400 -> "bad_request";
            default -> status >= 500 ? "unsupported" : "bad_request";
        };
    }
}
