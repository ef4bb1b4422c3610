package dev.switchyard.gateway.dispatch;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.dataplane.Outlet;
import dev.switchyard.experts.endpoint.ReplyChannels;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.BufferUtil;
import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way back to clients: one outlet per client, opened by its hello, and the frames sent on it
 * (the welcome, then every answer, written into one reused buffer).
 * <p>
 * Nothing here waits on a client that is not there. A hello starts a {@link ClientHandshake}: the
 * publication is added asynchronously and the welcome offered once per pass, with back-off, until
 * the client takes it or is given up after {@code handshakeTimeoutNs} (and its hellos refused for
 * as long again). Repeated hellos of one client collapse into its handshake. A welcomed client whose publication stays disconnected past
 * {@code idleTimeoutNs} (it left, or died) is closed, so that what the gateway holds follows the
 * clients it has.
 */
final class ClientOutlets implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientOutlets.class);
    private static final long ANSWER_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long FIRST_BACKOFF_NS = TimeUnit.MICROSECONDS.toNanos(500);
    private static final long MAX_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long SWEEP_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Handshakes at once; hellos past it are refused until some finish (each holds a publication). */
    static final int MAX_HANDSHAKES = 256;
    /** Given-up clients remembered for their cool-down. */
    private static final int MAX_GIVEN_UP = 4096;

    private final DataPlane dataPlane;
    private final GatewayMetrics metrics;
    private final int d;
    private final int experts;
    private final int groupSize;
    private final int layers;
    private final int maxRequestRows;
    private final long handshakeTimeoutNs;
    private final long idleTimeoutNs;
    private final Long2ObjectHashMap<ClientHandshake> clients = new Long2ObjectHashMap<>();
    private final Long2LongHashMap disconnectedSinceNs = new Long2LongHashMap(0);
    private final Long2LongHashMap givenUpAtNs = new Long2LongHashMap(0);
    private final Long2ObjectHashMap<ClientHandshake> handshakes = new Long2ObjectHashMap<>();
    private final ArrayList<ClientHandshake> handshakeOrder = new ArrayList<>();
    private final LongArrayList leaving = new LongArrayList();
    private final HelloFrame helloFrame = new HelloFrame();
    private final AnswerFrame answerFrame = new AnswerFrame();
    private final UnsafeBuffer welcomeBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
    private final UnsafeBuffer answerBuffer;
    private final IdleStrategy offerIdle;
    private final Offers.WhileWaiting whileOffering;
    private long lastSweepNs;
    TrafficTap tap = TrafficTap.NONE;

    /**
     * @param offerIdle          how an offer waits for room (shared by the gateway's offers, one thread)
     * @param whileOffering      work done while an offer waits for room
     * @param handshakeTimeoutNs a client that has not taken its welcome by then is given up
     * @param idleTimeoutNs      a welcomed client disconnected this long is closed
     */
    ClientOutlets(
        final DataPlane dataPlane,
        final int experts,
        final int groupSize,
        final int layers,
        final int d,
        final FrameSizes sizes,
        final GatewayMetrics metrics,
        final IdleStrategy offerIdle,
        final Offers.WhileWaiting whileOffering,
        final long handshakeTimeoutNs,
        final long idleTimeoutNs)
    {
        this.dataPlane = dataPlane;
        this.metrics = metrics;
        this.d = d;
        this.experts = experts;
        this.groupSize = groupSize;
        this.layers = layers;
        this.maxRequestRows = sizes.maxRequestRows();
        this.answerBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(sizes.answerFrameLength(), 64));
        this.offerIdle = offerIdle;
        this.whileOffering = whileOffering;
        this.handshakeTimeoutNs = handshakeTimeoutNs;
        this.idleTimeoutNs = idleTimeoutNs;
    }

    /** The outlet of a client that has been welcomed, or null. */
    Outlet outlet(final long clientId)
    {
        final ClientHandshake welcomed = clients.get(clientId);
        return welcomed == null ? null : welcomed.outlet;
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
        final ClientHandshake under = handshakes.get(id);
        if (under != null && under.sameAs(hello.channel(), hello.streamId()))
        {
            return true;  // a repeated hello: the handshake under way answers it
        }
        final ClientHandshake welcomed = clients.get(id);
        if (welcomed != null && welcomed.sameAs(hello.channel(), hello.streamId()))
        {
            // Sent before our welcome reached it: the welcome is on its way, in order, on this outlet.
            return true;
        }
        if (!ReplyChannels.acceptable(hello.channel()) || (under == null && handshakes.size() >= MAX_HANDSHAKES) ||
            coolingDown(id, nowNs))
        {
            return false;
        }
        final long registrationId;
        try
        {
            registrationId = dataPlane.publishAsync(hello.channel(), hello.streamId());
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
        if (under != null)
        {
            abandon(under);
        }
        // A client that says hello again (a new answer channel, or it lost ours) starts afresh.
        final ClientHandshake replaced = clients.remove(id);
        if (replaced != null)
        {
            replaced.outlet.close();
        }
        disconnectedSinceNs.remove(id);
        metrics.clientsConnected.set(clients.size());
        final ClientHandshake handshake =
            new ClientHandshake(id, hello.channel(), hello.streamId(), registrationId, nowNs);
        handshakes.put(id, handshake);
        handshakeOrder.add(handshake);
        return true;
    }

    /**
     * Whether {@code clientId} was given up less than a handshake timeout ago: its hellos, which it
     * keeps sending, are refused meanwhile rather than start one publication after another.
     */
    private boolean coolingDown(final long clientId, final long nowNs)
    {
        final long at = givenUpAtNs.get(clientId);
        if (at == 0)
        {
            return false;
        }
        if (nowNs - at < handshakeTimeoutNs)
        {
            return true;
        }
        givenUpAtNs.remove(clientId);
        return false;
    }

    private void giveUp(final ClientHandshake h, final long nowNs)
    {
        if (givenUpAtNs.size() >= MAX_GIVEN_UP)
        {
            givenUpAtNs.clear();  // bounded: a flood of ids forgets the oldest all at once
        }
        givenUpAtNs.put(h.clientId, nowNs);
        metrics.clientsGivenUp.incrementAndGet();
    }

    /**
     * One pass over the handshakes (each tries at most one offer) and, now and then, over the
     * welcomed clients, closing those gone. Never waits.
     */
    int poll(final long nowNs)
    {
        int work = 0;
        for (int i = handshakeOrder.size() - 1; i >= 0; i--)
        {
            final ClientHandshake h = handshakeOrder.get(i);
            if (nowNs - h.nextTryNs >= 0 && advance(h, nowNs))
            {
                handshakeOrder.remove(i);
                work++;
            }
        }
        if (nowNs - lastSweepNs > SWEEP_INTERVAL_NS)
        {
            lastSweepNs = nowNs;
            work += sweep(nowNs);
        }
        return work;
    }

    /** @return whether the handshake ended (welcomed or given up) */
    private boolean advance(final ClientHandshake h, final long nowNs)
    {
        if (handshakes.get(h.clientId) != h)
        {
            return true;  // replaced by a newer hello, already abandoned
        }
        if (h.outlet == null)
        {
            try
            {
                h.outlet = dataPlane.pollPublication(h.registrationId, h.channel, h.streamId);
            }
            catch (final RuntimeException ex)
            {
                handshakes.remove(h.clientId);
                giveUp(h, nowNs);
                LOG.warn("client {} not connected: its answer channel {} was refused: {}", h.clientId, h.channel,
                    ex.getMessage());
                return true;
            }
        }
        if (h.outlet != null && h.outlet.publication().isConnected())
        {
            final int len = helloFrame.writeWelcome(welcomeBuffer, 0, new HelloFrame.Welcome(
                h.clientId, d, experts, groupSize, layers, maxRequestRows));
            // One try per pass: a welcome that finds no room is tried again after the back-off.
            if (h.outlet.publication().offer(welcomeBuffer, 0, len) > 0)
            {
                h.outlet.bell().ring();
                handshakes.remove(h.clientId);
                clients.put(h.clientId, h);
                metrics.clientsConnected.set(clients.size());
                return true;
            }
        }
        if (nowNs - h.startNs > handshakeTimeoutNs)
        {
            abandon(h);
            giveUp(h, nowNs);
            LOG.warn("client {} given up: no welcome taken on {} within {} ms", h.clientId, h.channel,
                TimeUnit.NANOSECONDS.toMillis(handshakeTimeoutNs));
            return true;
        }
        h.backoffNs = h.backoffNs == 0 ? FIRST_BACKOFF_NS : Math.min(MAX_BACKOFF_NS, 2 * h.backoffNs);
        h.nextTryNs = nowNs + h.backoffNs;
        return false;
    }

    private void abandon(final ClientHandshake h)
    {
        handshakes.remove(h.clientId);
        if (h.outlet != null)
        {
            h.outlet.close();
        }
        else
        {
            dataPlane.cancelPublication(h.registrationId);
        }
    }

    /** Closes welcomed clients whose publication has been disconnected past the idle timeout. */
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
            clients.remove(id).outlet.close();
            metrics.clientsReleased.incrementAndGet();
        }
        metrics.clientsConnected.set(clients.size());
        return leaving.size();
    }

    /** Answers a request that was never admitted. */
    void refuse(
        final Outlet client, final long clientId, final long requestId, final BlockStatus status,
        final String detail)
    {
        metrics.answers.increment(status);
        final int len = answerFrame.writeError(
            answerBuffer, 0, clientId, requestId, status, FrameSizes.clip(detail));
        deliver(client, len);
    }

    /** Answers an admitted request: its outputs (and routing, if asked for) or why it failed. */
    void answer(final PendingRequest request)
    {
        final Outlet client = outlet(request.clientId);
        if (client == null)
        {
            metrics.answersUndelivered.incrementAndGet();
            return;
        }
        final int length;
        if (request.status == BlockStatus.OK || request.status == BlockStatus.DEGRADED)
        {
            metrics.tokensAnswered.addAndGet(request.rows);
            final String detail = FrameSizes.clip(request.detail);
            // y [rows, d]; expert, position, gate [rows, 2]; capacity, auxLoss [groups touched]
            length = request.wantRouting ?
                answerFrame.writeResult(answerBuffer, 0, request.clientId, request.requestId, request.status, detail,
                    request.rows, d, request.y, request.groupsTouched, request.capacity, request.auxLoss,
                    request.expert, request.position, request.gate) :
                answerFrame.writeResult(answerBuffer, 0, request.clientId, request.requestId, request.status, detail,
                    request.rows, d, request.y, 0, null, null, null, null, null);
        }
        else
        {
            length = answerFrame.writeError(answerBuffer, 0, request.clientId, request.requestId,
                request.status, FrameSizes.clip(request.detail));
        }
        deliver(client, length);
    }

    private void deliver(final Outlet client, final int length)
    {
        tap.answer(System.nanoTime(), answerBuffer, 0, length);
        // A client that is not connected is gone (or going): its answer cannot wait for it.
        final long result = client.publication().isConnected() ?
            client.offer(answerBuffer, 0, length, offerIdle, ANSWER_TIMEOUT_NS, whileOffering) :
            Publication.NOT_CONNECTED;
        if (result < 0)
        {
            metrics.answersUndelivered.incrementAndGet();
        }
    }

    @Override
    public void close()
    {
        clients.values().forEach(welcomed -> welcomed.outlet.close());
        clients.clear();
        for (int i = 0; i < handshakeOrder.size(); i++)
        {
            if (handshakes.get(handshakeOrder.get(i).clientId) == handshakeOrder.get(i))
            {
                abandon(handshakeOrder.get(i));
            }
        }
        handshakeOrder.clear();
    }
}
