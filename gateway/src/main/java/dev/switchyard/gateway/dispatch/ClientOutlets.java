package dev.switchyard.gateway.dispatch;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.experts.endpoint.FramePool;
import dev.switchyard.experts.endpoint.OfferBacklog;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.dataplane.Outlet;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.BufferUtil;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way back to clients: one outlet per client, opened by its hello, and the frames sent on it
 * (the welcome, then every answer, written into one reused buffer).
 * <p>
 * Nothing here waits on a client that is not there. A hello starts a handshake
 * ({@link ClientHandshakes}); a welcomed client whose publication stays disconnected past
 * {@code idleTimeoutNs} (it left, or died) is closed, so that what the gateway holds follows the
 * clients it has.
 * <p>
 * Answers are offered once; one that finds its client back-pressured waits in that client's
 * {@link OfferBacklog} (pooled buffers, bounded) and is retried every pass, behind which the
 * client's later answers queue in order. A client that takes nothing for {@code answerStallNs},
 * or whose backlog is full when another answer is due, is dropped: its held answers and those
 * still to come are counted as undelivered, and nobody else waited on it.
 * <p>
 * A welcomed client that was sent nothing for {@link ClientSignals#HEARTBEAT_INTERVAL_MS} gets a heartbeat
 * (the interval is announced in its welcome): a client that hears nothing for longer knows the
 * gateway has stopped serving even while Aeron still reaches its media driver.
 */
final class ClientOutlets implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientOutlets.class);
    /** Memory all held answers may take, over every client. */
    private static final long HELD_ANSWER_BYTES = 64L << 20;
    private static final long SWEEP_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final GatewayMetrics metrics;
    private final int d;
    private final long idleTimeoutNs;
    private final Long2ObjectHashMap<ClientHandshake> clients = new Long2ObjectHashMap<>();
    private final Long2LongHashMap disconnectedSinceNs = new Long2LongHashMap(0);
    private final LongArrayList leaving = new LongArrayList();
    private final AnswerFrame answerFrame = new AnswerFrame();
    private final ClientSignals signals = new ClientSignals();
    private final UnsafeBuffer answerBuffer;
    private final AnswerInPlace inPlace;
    private final int answerQueue;
    private final long answerStallNs;
    private final FramePool heldAnswers;
    /** Welcomed clients with answers held back, drained each pass. */
    private final ArrayList<ClientHandshake> backlogged = new ArrayList<>();
    private final ClientHandshakes handshakes;
    /** Held, not made per pass: a method reference is a new object each time it is evaluated. */
    private final ClientHandshakes.Welcomed onWelcomed = this::welcomed;
    private final NanoClock clock;
    private long lastSweepNs;
    TrafficTap tap = TrafficTap.NONE;

    /**
     * @param policy timeouts of handshakes, idle and stalled clients, and the answers held per client
     * @param clock  when an answer is sent, which a heartbeat is timed from
     */
    ClientOutlets(
        final DataPlane dataPlane,
        final int experts,
        final int groupSize,
        final int layers,
        final int d,
        final FrameSizes sizes,
        final GatewayMetrics metrics,
        final ClientPolicy policy,
        final NanoClock clock)
    {
        this.clock = clock;
        this.metrics = metrics;
        this.d = d;
        final int maxRequestRows = sizes.maxRequestRows();
        this.handshakes = new ClientHandshakes(dataPlane, metrics, new HelloFrame.Welcome(0, d, experts, groupSize,
            layers, maxRequestRows, (int)WireLayout.requestFrameLength(maxRequestRows, d, true),
            ClientSignals.HEARTBEAT_INTERVAL_MS), policy.handshakeTimeout().toNanos());
        this.answerBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(sizes.answerFrameLength(), 64));
        this.inPlace = new AnswerInPlace(d, metrics);
        this.idleTimeoutNs = policy.idleTimeout().toNanos();
        this.answerQueue = policy.answerQueue();
        this.answerStallNs = policy.answerStallTimeout().toNanos();
        final int frameLength = sizes.answerFrameLength();
        this.heldAnswers = new FramePool(frameLength,
            (int)Math.max(policy.answerQueue(), Math.min(4096, HELD_ANSWER_BYTES / frameLength)));
    }

    /** The outlet of a client that has been welcomed, or null. */
    Outlet outlet(final long clientId)
    {
        final ClientHandshake welcomed = clients.get(clientId);
        return welcomed == null ? null : welcomed.outlet;
    }

    /** Answers held back for {@code clientId} that it has not taken yet (0 for a client not welcomed). */
    int answersHeld(final long clientId)
    {
        final ClientHandshake welcomed = clients.get(clientId);
        return welcomed == null || welcomed.backlog == null ? 0 : welcomed.backlog.size();
    }

    /** Answers one client may have held back at once; more and it is dropped. */
    int answerQueue()
    {
        return answerQueue;
    }

    /** Clients welcomed and not yet closed. */
    int connected()
    {
        return clients.size();
    }

    /** Clients between hello and welcome. */
    int handshaking()
    {
        return handshakes.size();
    }

    /**
     * Starts (or keeps) the handshake of a client that said hello; returns at once.
     *
     * @return false when the hello cannot be taken: its channel is not one to answer on, or too many
     * handshakes are under way
     */
    boolean connect(final HelloFrame.Hello hello, final long nowNs)
    {
        final long id = hello.senderId();
        if (handshakes.underWay(hello))
        {
            return true;  // a repeated hello: the handshake under way answers it
        }
        final ClientHandshake welcomed = clients.get(id);
        if (welcomed != null && welcomed.sameAs(hello.channel(), hello.streamId()))
        {
            // Sent before our welcome reached it: the welcome is on its way, in order, on this outlet.
            return true;
        }
        if (!handshakes.start(hello, nowNs))
        {
            return false;
        }
        // A client that says hello again (a new answer channel, or it lost ours) starts afresh.
        final ClientHandshake replaced = clients.remove(id);
        if (replaced != null)
        {
            release(replaced);
        }
        disconnectedSinceNs.remove(id);
        metrics.clientsConnected.set(clients.size());
        return true;
    }

    /**
     * One pass over the handshakes (each tries at most one offer) and, now and then, over the
     * welcomed clients, closing those gone. Never waits.
     */
    int poll(final long nowNs)
    {
        int work = handshakes.poll(nowNs, onWelcomed);
        work += drainBacklogs(nowNs);
        if (nowNs - lastSweepNs > SWEEP_INTERVAL_NS)
        {
            lastSweepNs = nowNs;
            work += sweep(nowNs);
        }
        return work;
    }

    private void welcomed(final ClientHandshake client, final long nowNs)
    {
        client.backlog = new OfferBacklog(answerQueue);
        client.lastSentNs = nowNs;
        clients.put(client.clientId, client);
        metrics.clientsConnected.set(clients.size());
    }

    /**
     * Closes welcomed clients whose publication has been disconnected past the idle timeout, and
     * sends a heartbeat to each connected one that has had nothing for an interval.
     */
    private int sweep(final long nowNs)
    {
        leaving.clear();
        final Long2ObjectHashMap<ClientHandshake>.EntryIterator it = clients.entrySet().iterator();
        while (it.hasNext())
        {
            it.next();
            final long id = it.getLongKey();
            if (it.getValue().outlet.publication().isConnected())
            {
                disconnectedSinceNs.remove(id);
                signals.heartbeat(it.getValue(), nowNs);
            }
            else
            {
                final long since = disconnectedSinceNs.get(id);
                if (since == 0)
                {
                    disconnectedSinceNs.put(id, nowNs);
                }
                else if (nowNs - since > idleTimeoutNs)
                {
                    leaving.addLong(id);
                }
            }
        }
        for (int i = 0; i < leaving.size(); i++)
        {
            final long id = leaving.getLong(i);
            disconnectedSinceNs.remove(id);
            release(clients.remove(id));
            metrics.clientsReleased.incrementAndGet();
        }
        metrics.clientsConnected.set(clients.size());
        return leaving.size();
    }

    /** Tells every welcomed client, once, that this gateway is shutting down ({@link ClientSignals}). */
    void announceShutdown()
    {
        signals.shuttingDown(clients.values());
    }

    /** Answers a request that was never admitted. */
    void refuse(final long clientId, final long requestId, final BlockStatus status, final String detail)
    {
        metrics.answers.increment(status);
        final ClientHandshake client = clients.get(clientId);
        if (client == null)
        {
            metrics.answersUndelivered.incrementAndGet();
            return;
        }
        final int len = answerFrame.writeError(
            answerBuffer, 0, clientId, requestId, status, FrameSizes.clip(detail));
        deliver(client, requestId, len, clock.nanoTime());
    }

    /** Answers an admitted request: its outputs (and routing, if asked for) or why it failed. */
    void answer(final PendingRequest request)
    {
        final ClientHandshake client = clients.get(request.clientId);
        if (client == null)
        {
            metrics.answersUndelivered.incrementAndGet();
            return;
        }
        if (request.status == BlockStatus.OK || request.status == BlockStatus.DEGRADED)
        {
            metrics.tokensAnswered.addAndGet(request.rows);
        }
        final long nowNs = clock.nanoTime();
        if (!client.backlog.isEmpty() || !inPlace.write(request, client.outlet, tap, nowNs))
        {
            deliver(client, request.requestId, request.writeAnswer(answerFrame, answerBuffer, 0, d), nowNs);
        }
        client.lastSentNs = nowNs;
    }

    /** Sends an answer now, or holds it behind the client's earlier ones; never waits. */
    private void deliver(final ClientHandshake client, final long requestId, final int length, final long nowNs)
    {
        tap.answer(nowNs, answerBuffer, 0, length);
        // A client whose channel is not connected for a moment (a UDP peer late with its status
        // messages under load) still gets its answer: it is held like a back-pressured one, and a
        // client that has really gone is released by the idle or stall timeout, which counts it.
        client.lastSentNs = nowNs;
        final boolean wasEmpty = client.backlog.isEmpty();
        long result = client.backlog.offer(client.outlet, heldAnswers, answerBuffer, 0, length, nowNs);
        if (result == Offers.TOO_LARGE)
        {
            // An answer the channel cannot carry still ends its request, as an error that fits.
            final int errorLength = answerFrame.writeError(answerBuffer, 0, client.clientId, requestId,
                BlockStatus.INTERNAL, "the answer (" + length + " bytes) is larger than " +
                    "the answer channel carries (" + client.outlet.publication().maxMessageLength() + ")");
            result = client.backlog.offer(client.outlet, heldAnswers, answerBuffer, 0, errorLength, nowNs);
        }
        if (result == OfferBacklog.QUEUED)
        {
            if (wasEmpty)
            {
                backlogged.add(client);
            }
            return;
        }
        if (result < 0)
        {
            metrics.answersUndelivered.incrementAndGet();
            if (result == OfferBacklog.FULL)
            {
                drop(client, nowNs, "its answer queue is full (" + client.backlog.size() + " answers held)");
            }
        }
    }

    /** Retries the answers held back, each client's in order; drops the clients stuck past the stall timeout. */
    private int drainBacklogs(final long nowNs)
    {
        int work = 0;
        for (int i = backlogged.size() - 1; i >= 0; i--)
        {
            final ClientHandshake client = backlogged.get(i);
            if (clients.get(client.clientId) != client)
            {
                backlogged.remove(i);  // released meanwhile; its buffers went back to the pool then
                continue;
            }
            final int sent = client.backlog.drain(client.outlet, heldAnswers, nowNs);
            work += Math.max(0, sent);
            if (sent < 0 || client.backlog.stuck(nowNs, answerStallNs))
            {
                drop(client, nowNs, sent < 0 ? "its answer channel closed" : "it took no answer for " +
                    TimeUnit.NANOSECONDS.toMillis(answerStallNs) + " ms");
                work++;
            }
            else if (client.backlog.isEmpty())
            {
                backlogged.remove(i);
            }
        }
        return work;
    }

    /** Gives a welcomed client up: it is not taking its answers, and holding more for it would cost the others. */
    private void drop(final ClientHandshake client, final long nowNs, final String why)
    {
        if (clients.get(client.clientId) != client)
        {
            return;
        }
        clients.remove(client.clientId);
        disconnectedSinceNs.remove(client.clientId);
        release(client);
        handshakes.giveUp(client, nowNs);
        metrics.clientsConnected.set(clients.size());
        LOG.warn("client {} dropped: {}", client.clientId, why);
    }

    /** Closes a welcomed client's outlet and counts the answers it still held as undelivered. */
    private void release(final ClientHandshake client)
    {
        if (client.backlog != null)
        {
            final int dropped = client.backlog.clear(heldAnswers);
            if (dropped > 0)
            {
                metrics.answersUndelivered.addAndGet(dropped);
            }
        }
        client.outlet.close();
    }

    /** Answers held back for clients now (a gauge for tests and health). */
    int heldAnswers()
    {
        return heldAnswers.held();
    }

    @Override
    public void close()
    {
        clients.values().forEach(this::release);
        clients.clear();
        handshakes.close();
    }
}
