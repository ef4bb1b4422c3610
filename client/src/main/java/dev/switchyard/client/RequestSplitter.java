package dev.switchyard.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchyard.wire.BadInputException;
import dev.switchyard.wire.frame.RequestFrame;

/**
 * Cuts a request into messages of whole groups, at most {@code chunkRows} tokens each, and joins
 * their answers into the request's. A request that fits one message is sent as it is. Thread-safe.
 */
final class RequestSplitter
{
    /** Sends one part of a request; the future answers that part. */
    @FunctionalInterface
    interface Sender
    {
        /**
         * @param whole the request's answer when it has several parts, else null: once it has come (a
         *              part refused), a wait for room to send this part ends
         */
        CompletableFuture<InferAnswer> send(RequestPart part, CompletableFuture<InferAnswer> whole);
    }

    private final int d;
    private final int groupSize;
    private final int chunkRows;
    private final int maxMessageLength;
    private final Sender sender;
    private final AtomicLong nextRequestId = new AtomicLong(1);

    /**
     * @param d                the model's d_model
     * @param chunkRows        the most tokens of one message (whole groups); under 1 when not even one group fits
     * @param maxMessageLength the largest message, for the reason a request is refused
     */
    RequestSplitter(
        final int d, final int groupSize, final int chunkRows, final int maxMessageLength, final Sender sender)
    {
        this.d = d;
        this.groupSize = groupSize;
        this.chunkRows = chunkRows;
        this.maxMessageLength = maxMessageLength;
        this.sender = sender;
    }

    /**
     * Sends {@code request} in as many parts as it needs; the future answers it whole.
     *
     * @throws BadInputException when the request is malformed or cannot be split into whole groups
     */
    CompletableFuture<InferAnswer> send(final ClientRequest request)
    {
        final int count = parts(request);
        final int rows = request.rows();
        // Consecutive ids: the gateway finds the first part of part k at the first's id plus k.
        final long firstId = nextRequestId.getAndAdd(count);
        if (count == 1)
        {
            return sender.send(new RequestPart(request, firstId, 0, 0, rows, 0), null);
        }
        // The first part that fails (refused, timed out, gateway lost) answers the whole request at
        // once, and the parts not yet sent are not sent: the gateway refused or ended the request whole.
        final CompletableFuture<InferAnswer> whole = new CompletableFuture<>();
        final List<CompletableFuture<InferAnswer>> parts = new ArrayList<>();
        for (int start = 0, part = 0; start < rows && !whole.isDone(); start += chunkRows, part++)
        {
            final int n = Math.min(chunkRows, rows - start);
            final CompletableFuture<InferAnswer> sent =
                sender.send(new RequestPart(request, firstId + part, part, start, n, start / groupSize), whole);
            parts.add(sent);
            sent.thenAccept(a ->
            {
                if (!a.ok() && !a.degraded())
                {
                    whole.complete(a);
                }
            });
        }
        if (parts.size() == count)
        {
            CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenAccept(ignored ->
                whole.complete(AnswerJoin.join(parts, rows, d, request.wantRouting(), request.output())));
        }
        return whole;
    }

    /** Checks the request and returns the messages it needs. */
    private int parts(final ClientRequest request)
    {
        final int rows = request.rows();
        if (rows < 1 || request.tokens().length < (long)rows * d)
        {
            throw new BadInputException("request needs 1 or more tokens of " + d + " floats (got " + rows +
                " rows in " + request.tokens().length + " floats)");
        }
        if (request.importance() != null && request.importance().length < rows)
        {
            throw new BadInputException("importance has " + request.importance().length + " values for " + rows +
                " tokens");
        }
        if (request.output() != null && request.output().length < (long)rows * d)
        {
            throw new BadInputException("output has " + request.output().length + " floats for " + rows +
                " tokens of " + d);
        }
        if (chunkRows < 1)
        {
            // Refused before any part is sent: splitting elsewhere than between groups would change the routing.
            throw new BadInputException("a group of " + groupSize + " tokens of " + d + " floats does not fit " +
                "one request message of " + maxMessageLength + " bytes");
        }
        final int count = (rows + chunkRows - 1) / chunkRows;
        if (count - 1 > RequestFrame.MAX_PART)
        {
            throw new BadInputException("a request of " + rows + " tokens needs " + count + " messages of " +
                chunkRows + " tokens; one request may have " + (RequestFrame.MAX_PART + 1));
        }
        return count;
    }
}
