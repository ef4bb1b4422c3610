package dev.switchyard.gateway.dispatch;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.experts.endpoint.ReplyChannels;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.wire.frame.HelloFrame;
import org.agrona.BufferUtil;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From a client's hello to its welcome, without waiting on a client that is not there: the
 * publication back to it is added asynchronously and the welcome offered once per pass, with
 * back-off, until the client takes it or is given up after {@code handshakeTimeoutNs}. A client
 * given up has its hellos refused for as long again, rather than start one publication after
 * another. Repeated hellos of one client collapse into its handshake.
 */
final class ClientHandshakes implements AutoCloseable
{
    /** Told of each client that took its welcome; from then on its outlet belongs to the caller. */
    interface Welcomed
    {
        void welcomed(ClientHandshake client, long nowNs);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ClientHandshakes.class);
    private static final long FIRST_BACKOFF_NS = TimeUnit.MICROSECONDS.toNanos(500);
    private static final long MAX_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Handshakes at once; hellos past it are refused until some finish (each holds a publication). */
    static final int MAX_HANDSHAKES = 256;
    /** Given-up clients remembered for their cool-down. */
    private static final int MAX_GIVEN_UP = 4096;

    private final DataPlane dataPlane;
    private final GatewayMetrics metrics;
    private final HelloFrame.Welcome welcome;
    private final long handshakeTimeoutNs;
    private final Long2ObjectHashMap<ClientHandshake> handshakes = new Long2ObjectHashMap<>();
    private final ArrayList<ClientHandshake> handshakeOrder = new ArrayList<>();
    private final Long2LongHashMap givenUpAtNs = new Long2LongHashMap(0);
    private final HelloFrame helloFrame = new HelloFrame();
    private final UnsafeBuffer welcomeBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));

    /** @param welcome what every client is told (its id is each client's own) */
    ClientHandshakes(final DataPlane dataPlane, final GatewayMetrics metrics, final HelloFrame.Welcome welcome,
        final long handshakeTimeoutNs)
    {
        this.dataPlane = dataPlane;
        this.metrics = metrics;
        this.welcome = welcome;
        this.handshakeTimeoutNs = handshakeTimeoutNs;
    }

    /** Clients between hello and welcome. */
    int size()
    {
        return handshakes.size();
    }

    /** Whether a handshake of this client on this channel is under way: it answers the repeated hello. */
    boolean underWay(final HelloFrame.Hello hello)
    {
        final ClientHandshake under = handshakes.get(hello.senderId());
        return under != null && under.sameAs(hello.channel(), hello.streamId());
    }

    /**
     * Starts the handshake of a client that said hello (replacing one under way on another channel);
     * returns at once.
     *
     * @return false when the hello cannot be taken: its channel is not one to answer on, too many
     * handshakes are under way, or the client is cooling down
     */
    boolean start(final HelloFrame.Hello hello, final long nowNs)
    {
        final long id = hello.senderId();
        final ClientHandshake under = handshakes.get(id);
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
        final ClientHandshake handshake =
            new ClientHandshake(id, hello.channel(), hello.streamId(), registrationId, nowNs, hello.version());
        handshakes.put(id, handshake);
        handshakeOrder.add(handshake);
        return true;
    }

    /** One pass: each handshake due tries at most one offer. */
    int poll(final long nowNs, final Welcomed welcomed)
    {
        int work = 0;
        for (int i = handshakeOrder.size() - 1; i >= 0; i--)
        {
            final ClientHandshake h = handshakeOrder.get(i);
            if (nowNs - h.nextTryNs >= 0 && advance(h, nowNs, welcomed))
            {
                handshakeOrder.remove(i);
                work++;
            }
        }
        return work;
    }

    /** Refuses the client's hellos for a handshake timeout from now. */
    void giveUp(final ClientHandshake h, final long nowNs)
    {
        if (givenUpAtNs.size() >= MAX_GIVEN_UP)
        {
            givenUpAtNs.clear();  // bounded: a flood of ids forgets the oldest all at once
        }
        givenUpAtNs.put(h.clientId, nowNs);
        metrics.clientsGivenUp.incrementAndGet();
    }

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

    /** @return whether the handshake ended (welcomed or given up) */
    private boolean advance(final ClientHandshake h, final long nowNs, final Welcomed welcomed)
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
        if (h.outlet != null && h.outlet.publication().isConnected() && offerWelcome(h))
        {
            handshakes.remove(h.clientId);
            welcomed.welcomed(h, nowNs);
            return true;
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

    /** One try per pass: a welcome that finds no room is tried again after the back-off. */
    private boolean offerWelcome(final ClientHandshake h)
    {
        final int len = helloFrame.writeWelcome(welcomeBuffer, 0, new HelloFrame.Welcome(h.clientId, welcome.dModel(),
            welcome.numExperts(), welcome.groupSize(), welcome.layers(), welcome.maxRequestRows(),
            welcome.maxRequestLength(), welcome.heartbeatIntervalMs()), h.version);
        if (h.outlet.publication().offer(welcomeBuffer, 0, len) > 0)
        {
            h.outlet.bell().ring();
            return true;
        }
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

    @Override
    public void close()
    {
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
