package dev.switchyard.dataplane;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.switchyard.wire.frame.FrameFault;
import org.agrona.collections.Int2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames one receiver refused, counted per cause and per peer (the Aeron session that sent them),
 * and logged at most once per peer per interval, so that a hostile or broken peer is visible
 * without flooding the log. Written by the receiver's thread, read by metrics and tests.
 * <p>
 * Peers beyond {@link #MAX_PEERS} share one entry: a sender that opens session after session cannot
 * grow this table without bound.
 */
public final class FrameFaults
{
    private static final Logger LOG = LoggerFactory.getLogger(FrameFaults.class);
    public static final int MAX_PEERS = 1024;
    /** The peer every session beyond {@link #MAX_PEERS} is counted as. */
    public static final int OTHER_PEERS = Integer.MIN_VALUE;
    private static final long LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final String receiver;
    private final AtomicLongArray byCause = new AtomicLongArray(FrameFault.count());
    private final Int2ObjectHashMap<Peer> peers = new Int2ObjectHashMap<>();

    private static final class Peer
    {
        final long[] counts = new long[FrameFault.count()];
        long lastLogNs;
        long sinceLog;
        boolean logged;
    }

    /** @param receiver what receives the frames, as log lines name it ("gateway client intake") */
    public FrameFaults(final String receiver)
    {
        this.receiver = receiver;
    }

    /** Counts a refused frame of {@code length} bytes from session {@code peer}. */
    public void count(final int peer, final FrameFault cause, final int length)
    {
        byCause.incrementAndGet(cause.ordinal());
        final long now = System.nanoTime();
        final long suppressed;
        synchronized (this)
        {
            Peer p = peers.get(peer);
            if (p == null)
            {
                final int key = peers.size() < MAX_PEERS ? peer : OTHER_PEERS;
                p = peers.get(key);
                if (p == null)
                {
                    p = new Peer();
                    peers.put(key, p);
                }
            }
            p.counts[cause.ordinal()]++;
            p.sinceLog++;
            if (p.logged && now - p.lastLogNs < LOG_INTERVAL_NS)
            {
                return;
            }
            p.logged = true;
            p.lastLogNs = now;
            suppressed = p.sinceLog - 1;
            p.sinceLog = 0;
        }
        LOG.warn("{}: dropped a frame of {} bytes from session {}: {} ({} more from it since the last report)",
            receiver, length, peer, cause.label(), suppressed);
    }

    /** Counts a frame whose handling threw: a defect, logged with its stack at the same rate. */
    public void countException(final int peer, final int length, final RuntimeException ex)
    {
        final long before = count(FrameFault.EXCEPTION);
        count(peer, FrameFault.EXCEPTION, length);
        if (before == 0)
        {
            LOG.error("{}: a frame from session {} could not be handled", receiver, peer, ex);
        }
    }

    public long count(final FrameFault cause)
    {
        return byCause.get(cause.ordinal());
    }

    /** Frames refused from session {@code peer} for {@code cause}. */
    public synchronized long count(final int peer, final FrameFault cause)
    {
        final Peer p = peers.get(peer);
        return p == null ? 0 : p.counts[cause.ordinal()];
    }

    public long total()
    {
        long sum = 0;
        for (int i = 0; i < byCause.length(); i++)
        {
            sum += byCause.get(i);
        }
        return sum;
    }

    /** Peers with at least one frame refused (sessions beyond the bound count as one). */
    public synchronized int peers()
    {
        return peers.size();
    }
}
