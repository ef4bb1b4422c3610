package dev.switchyard.gateway.dispatch;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a gateway tells a welcomed client besides its answers: that it is still there (a heartbeat
 * when it has had nothing else for an interval), and that it is shutting down. Each is offered
 * once; a client that misses one learns the same from what follows (the gateway's next frame, its
 * refusals, or its silence). A version-0 client gets neither.
 */
final class ClientSignals
{
    /** How often a client with nothing else coming hears from the gateway. */
    static final int HEARTBEAT_INTERVAL_MS = 250;
    private static final long HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_INTERVAL_MS);

    private final HelloFrame helloFrame = new HelloFrame();
    private final AnswerFrame answerFrame = new AnswerFrame();
    private final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(256, 64));

    /**
     * A heartbeat, when {@code client} has been sent nothing for an interval. A client whose answers
     * are held back is receiving (or not taking) those, and one whose window is full has answers to
     * read; either way a heartbeat would add nothing.
     */
    void heartbeat(final ClientHandshake client, final long nowNs)
    {
        if (client.version < 1 || nowNs - client.lastSentNs < HEARTBEAT_INTERVAL_NS || !client.backlog.isEmpty())
        {
            return;
        }
        final int length = helloFrame.writeHeartbeat(buffer, 0, client.clientId);
        if (client.outlet.publication().offer(buffer, 0, length) > 0)
        {
            client.outlet.bell().ring();
            client.lastSentNs = nowNs;
        }
    }

    /**
     * Tells every client that this gateway is shutting down: an answer to no request (id 0) with
     * status SHUTTING_DOWN. A client that knows other gateways sends its new requests there until
     * this address serves it anew.
     */
    void shuttingDown(final Collection<ClientHandshake> clients)
    {
        for (final ClientHandshake client : clients)
        {
            final int length = answerFrame.writeError(buffer, 0, client.clientId, 0, BlockStatus.SHUTTING_DOWN,
                "the gateway is shutting down");
            if (client.version >= 1 && client.outlet.publication().offer(buffer, 0, length) > 0)
            {
                client.outlet.bell().ring();
            }
        }
    }
}
