package dev.switchyard.experts.endpoint;

import dev.switchyard.dataplane.Outlet;
import dev.switchyard.dataplane.TermClaim;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.dataplane.DataPlane;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ways back from an expert endpoint to the gateways that send it blocks, one per gateway,
 * opened by its hello. A result is offered once; one that finds its gateway back-pressured, or
 * whose outlet is still connecting, waits in that gateway's {@link OfferBacklog} and is retried
 * every pass, so the endpoint never waits on one gateway while the others' blocks queue behind it.
 * Results held past {@code stallNs} without progress are dropped (counted: their gateway re-sends
 * or times the request out), and an outlet whose gateway has been gone past {@code goneNs} is
 * closed, so what the endpoint holds follows the gateways it has. Used by the endpoint's thread only.
 * <p>
 * A gateway whose outlet was closed is remembered (its channel, bounded): when its blocks come again
 * (a partition healed, a stopped gateway resumed), the way back is opened again on the first of
 * them, since a gateway that never left on its side has no reason to say hello again.
 */
final class GatewayReplies implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(GatewayReplies.class);
    private static final long SWEEP_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Results held for one gateway. */
    private static final int BACKLOG = 64;
    /** Memory all held results may take, over every gateway. */
    private static final long HELD_BYTES = 64L << 20;
    /** Departed gateways remembered for {@link #reopen}; past it all are forgotten at once (bounded). */
    private static final int MAX_DEPARTED = 1024;

    /** One gateway's way back. */
    private static final class Gateway
    {
        final long id;
        final String channel;
        final int streamId;
        final Outlet outlet;
        final long openedNs;
        final OfferBacklog backlog = new OfferBacklog(BACKLOG);
        long disconnectedSinceNs;

        Gateway(final long id, final String channel, final int streamId, final Outlet outlet, final long openedNs)
        {
            this.id = id;
            this.channel = channel;
            this.streamId = streamId;
            this.outlet = outlet;
            this.openedNs = openedNs;
        }
    }

    private final DataPlane dataPlane;
    private final int maxGateways;
    private final long stallNs;
    private final long goneNs;
    private final FramePool held;
    private final Long2ObjectHashMap<Gateway> gateways = new Long2ObjectHashMap<>();
    /** Gateways whose outlets were closed as gone, by id: where to answer them if they come back. */
    private final Long2ObjectHashMap<Gateway> departed = new Long2ObjectHashMap<>();
    private final ArrayList<Gateway> all = new ArrayList<>();
    private final ArrayList<Gateway> backlogged = new ArrayList<>();
    private final AtomicLong failures;
    private long released;
    private long reopened;
    private long lastSweepNs;

    /**
     * @param frameLength bytes of the largest result frame
     * @param stallNs     results a gateway takes none of for this long are dropped; also how long a
     *                    new outlet may take to connect
     * @param goneNs      an outlet disconnected this long is closed
     * @param failures    counts the results dropped
     */
    GatewayReplies(
        final DataPlane dataPlane, final int maxGateways, final int frameLength, final long stallNs, final long goneNs,
        final AtomicLong failures)
    {
        this.failures = failures;
        this.dataPlane = dataPlane;
        this.maxGateways = maxGateways;
        this.stallNs = stallNs;
        this.goneNs = goneNs;
        this.held = new FramePool(frameLength, (int)Math.max(BACKLOG, Math.min(4096, HELD_BYTES / frameLength)));
    }

    enum Opened
    {
        KNOWN, OPENED, TOO_MANY, BAD_CHANNEL
    }

    /** Takes a gateway's hello: opens its outlet, or keeps the one it has on the same channel. */
    Opened hello(final long gatewayId, final String channel, final int streamId, final long nowNs)
    {
        final Gateway existing = gateways.get(gatewayId);
        if (existing != null && !existing.outlet.isClosed() && channel.equals(existing.channel))
        {
            return Opened.KNOWN;
        }
        if (existing == null && gateways.size() >= maxGateways)
        {
            return Opened.TOO_MANY;
        }
        final long openStartNs = System.nanoTime();
        final Outlet outlet = ReplyChannels.open(dataPlane, channel, streamId);
        if (outlet == null)
        {
            return Opened.BAD_CHANNEL;
        }
        // The time to connect counts from when the publication exists: making its log buffers on a
        // loaded machine can itself take longer than the stall time.
        final long openedNs = nowNs + (System.nanoTime() - openStartNs);
        if (existing != null)
        {
            release(existing);
        }
        final Gateway gateway = new Gateway(gatewayId, channel, streamId, outlet, openedNs);
        departed.remove(gatewayId);
        gateways.put(gatewayId, gateway);
        all.add(gateway);
        return Opened.OPENED;
    }

    boolean knows(final long gatewayId)
    {
        return gateways.containsKey(gatewayId);
    }

    /**
     * Opens the way back to a gateway whose outlet was closed as gone, now that a block of its came:
     * as its hello did, on the channel it named then.
     *
     * @return whether the gateway is known again
     */
    boolean reopen(final long gatewayId, final long nowNs)
    {
        final Gateway gone = departed.get(gatewayId);
        if (gone == null || hello(gatewayId, gone.channel, gone.streamId, nowNs) != Opened.OPENED)
        {
            return false;
        }
        reopened++;
        LOG.info("gateway {} is back: its results go to {} again", gatewayId, gone.channel);
        return true;
    }

    /** Outlets opened again for gateways that came back. */
    long reopened()
    {
        return reopened;
    }

    /**
     * The outlet a result of {@code length} bytes for {@code gatewayId} can be written straight into
     * now: the gateway is connected, nothing of its is held before it, and the frame is one fragment.
     * Null otherwise: then {@link #send} it.
     */
    Outlet direct(final long gatewayId, final int length)
    {
        final Gateway gateway = gateways.get(gatewayId);
        return gateway != null && gateway.backlog.isEmpty() && gateway.outlet.publication().isConnected() &&
            TermClaim.fits(gateway.outlet, length) ? gateway.outlet : null;
    }

    /**
     * Sends a result to {@code gatewayId} now or holds it; never waits.
     *
     * @return true when sent or held, false when it was dropped (counted in {@link #failures()})
     */
    boolean send(final long gatewayId, final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        final Gateway gateway = gateways.get(gatewayId);
        if (gateway == null)
        {
            failures.incrementAndGet();
            return false;
        }
        // A gateway not connected is waited for only while its outlet is new (the connection is being
        // set up, its first blocks already here); after that it is gone, and its results go nowhere.
        if (!gateway.outlet.publication().isConnected() && nowNs - gateway.openedNs > stallNs)
        {
            fail(gateway, 1, "not connected");
            return false;
        }
        final boolean wasEmpty = gateway.backlog.isEmpty();
        final long result = gateway.backlog.offer(gateway.outlet, held, buffer, offset, length, nowNs);
        if (result == OfferBacklog.QUEUED)
        {
            if (wasEmpty)
            {
                backlogged.add(gateway);
            }
            return true;
        }
        if (result > 0)
        {
            return true;
        }
        fail(gateway, 1, result == OfferBacklog.FULL ? "too many results held" : Offers.describe(result));
        return false;
    }

    /** Retries the results held, drops those stuck, and now and then closes the outlets of gateways gone. */
    int poll(final long nowNs)
    {
        int work = 0;
        for (int i = backlogged.size() - 1; i >= 0; i--)
        {
            final Gateway gateway = backlogged.get(i);
            final int sent = gateway.backlog.drain(gateway.outlet, held, nowNs);
            if (sent > 0)
            {
                work += sent;
            }
            if (sent < 0 || gateway.backlog.stuck(nowNs, stallNs))
            {
                fail(gateway, gateway.backlog.clear(held), sent < 0 ? "publication closed" :
                    "no result taken for " + TimeUnit.NANOSECONDS.toMillis(stallNs) + " ms");
                work++;
            }
            if (gateway.backlog.isEmpty())
            {
                backlogged.remove(i);
            }
        }
        if (nowNs - lastSweepNs > SWEEP_INTERVAL_NS)
        {
            lastSweepNs = nowNs;
            work += sweep(nowNs);
        }
        return work;
    }

    private int sweep(final long nowNs)
    {
        int closed = 0;
        for (int i = all.size() - 1; i >= 0; i--)
        {
            final Gateway gateway = all.get(i);
            if (gateway.outlet.publication().isConnected())
            {
                gateway.disconnectedSinceNs = 0;
            }
            else if (gateway.disconnectedSinceNs == 0)
            {
                gateway.disconnectedSinceNs = nowNs;
            }
            else if (nowNs - gateway.disconnectedSinceNs > goneNs && nowNs - gateway.openedNs > goneNs)
            {
                gateways.remove(gateway.id);
                release(gateway);
                if (departed.size() >= MAX_DEPARTED)
                {
                    departed.clear();
                }
                departed.put(gateway.id, gateway);
                closed++;
            }
        }
        return closed;
    }

    private void release(final Gateway gateway)
    {
        final int dropped = gateway.backlog.clear(held);
        failures.addAndGet(dropped);
        backlogged.remove(gateway);
        all.remove(gateway);
        gateway.outlet.close();
        released++;
    }

    private void fail(final Gateway gateway, final int results, final String why)
    {
        failures.addAndGet(results);
        if (results > 0)
        {
            LOG.warn("{} result(s) for gateway {} not sent: {}", results, gateway.id, why);
        }
    }

    /** Outlets closed because their gateway left (or said hello again on another channel). */
    long released()
    {
        return released;
    }

    int size()
    {
        return gateways.size();
    }

    @Override
    public void close()
    {
        for (int i = all.size() - 1; i >= 0; i--)
        {
            all.get(i).outlet.close();
        }
        all.clear();
        gateways.clear();
        departed.clear();
        backlogged.clear();
    }
}
