package dev.switchyard.node.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * Reads a request's whole body before it is answered, whatever the answer, so that any HTTP
 * client (one that sends its whole body before it reads) gets the answer rather than a reset. A
 * body past the size limit is read to its end and dropped, then refused (413); one that has not
 * arrived within the body timeout (slow, or shorter than its {@code Content-Length}) is refused
 * (408) and its connection closed.
 */
final class BodyReader
{
    private final long maxBytes;
    private final Duration timeout;
    private final Materializer materializer;

    BodyReader(final long maxBytes, final Duration timeout, final Materializer materializer)
    {
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.materializer = materializer;
    }

    /** The body's bytes; fails with the {@link ApiError} to answer. */
    CompletionStage<byte[]> read(final RequestEntity entity)
    {
        if (entity instanceof HttpEntity.Strict strict)
        {
            return strict.getData().length() > maxBytes ?
                CompletableFuture.failedFuture(tooLarge(strict.getData().length())) :
                CompletableFuture.completedFuture(strict.getData().toArray());
        }
        return entity.withoutSizeLimit().getDataBytes()
            .completionTimeout(timeout)
            .runWith(Sink.fold(new Parts(maxBytes), Parts::add), materializer)
            .handle((parts, failure) ->
            {
                if (failure == null)
                {
                    if (parts.bytes > maxBytes)
                    {
                        throw tooLarge(parts.bytes);
                    }
                    return parts.toArray();
                }
                final Throwable cause = failure instanceof CompletionException && failure.getCause() != null ?
                    failure.getCause() : failure;
                if (cause instanceof TimeoutException)
                {
                    throw ApiError.requestTimeout("the body did not arrive within " + timeout.toMillis() +
                        " ms (switchyard.http.body-timeout)" + declared(entity));
                }
                throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
            });
    }

    private ApiError tooLarge(final long bytes)
    {
        return ApiError.tooLarge("the body has " + bytes + " bytes, more than the " + maxBytes + " a request may have");
    }

    private static String declared(final RequestEntity entity)
    {
        return entity.getContentLengthOption().isPresent() ?
            "; Content-Length says " + entity.getContentLengthOption().getAsLong() + " bytes" : "";
    }

    /** The body's parts so far; past the limit only their count. */
    private static final class Parts
    {
        private final long max;
        private final List<ByteString> kept = new ArrayList<>();
        private long bytes;

        Parts(final long max)
        {
            this.max = max;
        }

        Parts add(final ByteString part)
        {
            bytes += part.length();
            if (bytes <= max)
            {
                kept.add(part);
            }
            else
            {
                kept.clear();
            }
            return this;
        }

        byte[] toArray()
        {
            final byte[] out = new byte[(int)bytes];
            int at = 0;
            for (final ByteString part : kept)
            {
                part.copyToArray(out, at, part.length());
                at += part.length();
            }
            return out;
        }
    }
}
