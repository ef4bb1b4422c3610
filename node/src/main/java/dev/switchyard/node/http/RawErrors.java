package dev.switchyard.node.http;

import java.nio.charset.StandardCharsets;

import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.util.ByteString;

/**
 * Error answers written straight to a connection, where no request could be parsed to answer
 * (headers too slow, too many connections): the same JSON error object as every other answer, and
 * {@code Connection: close}, since the connection is closed after it.
 */
final class RawErrors
{
    private RawErrors()
    {
    }

    static ByteString headerTimeout(final long millis)
    {
        return render(ApiError.requestTimeout("the request's headers did not arrive within " + millis +
            " ms (switchyard.http.header-timeout)"));
    }

    static ByteString tooManyConnections(final int max)
    {
        return render(ApiError.of(503, "overloaded", max + " connections are open, as many as this node takes " +
            "(switchyard.http.max-connections); try again shortly"));
    }

    static ByteString render(final ApiError error)
    {
        final byte[] body = AnswerBody.error(error);
        final String head = "HTTP/1.1 " + error.status + " " + StatusCodes.get(error.status).reason() + "\r\n" +
            "Content-Type: application/json\r\n" +
            "Content-Length: " + body.length + "\r\n" +
            "Connection: close\r\n\r\n";
        return ByteString.fromArray(head.getBytes(StandardCharsets.US_ASCII)).concat(ByteString.fromArray(body));
    }
}
