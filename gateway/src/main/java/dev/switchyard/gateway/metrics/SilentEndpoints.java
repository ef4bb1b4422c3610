package dev.switchyard.gateway.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expert endpoints this gateway's blocks go to without an answer: one never connected (nothing
 * answers at the address it advertised, e.g. loopback on another host, or a port a firewall drops),
 * or one whose blocks stay unanswered for the resend time while its route is current (a cut link,
 * a frozen node). The gateway says so once per endpoint, naming its address, when the silence
 * begins and when it ends; {@code cluster status} lists those silent now. Written by the gateway's
 * thread, read by any.
 */
public final class SilentEndpoints
{
    private static final Logger LOG = LoggerFactory.getLogger("dev.switchyard.membership");

    /** One silent endpoint: since when (wall clock), why, and how many blocks found it silent. */
    private record Silence(String address, String channel, String why, long sinceMs, AtomicLong blocks)
    {
    }

    private final Map<String, Silence> silent = new ConcurrentHashMap<>();

    /**
     * A block to the endpoint at {@code channel} was not answered (or not taken) for {@code why}.
     *
     * @param channel  the endpoint's UDP channel ({@code aeron:udp?endpoint=HOST:PORT...})
     * @param driverId the endpoint's media driver (names its node)
     */
    public void unanswered(final String channel, final String driverId, final String why)
    {
        silent.computeIfAbsent(channel, c ->
        {
            final String address = endpointOf(c);
            LOG.warn("blocks to expert endpoint {} (driver {}) go unanswered: {}; check that this gateway reaches " +
                "{} over UDP (that node's --data-host and data-plane ports)", address, driverId, why, address);
            return new Silence(address, c, why, System.currentTimeMillis(), new AtomicLong());
        }).blocks().incrementAndGet();
    }

    /** The endpoint at {@code channel} answered a block: its silence, if any, is over. */
    public void answered(final String channel)
    {
        if (silent.isEmpty())
        {
            return;
        }
        final Silence s = silent.remove(channel);
        if (s != null)
        {
            LOG.info("expert endpoint {} answers again, {} ms after its blocks went unanswered ({} blocks)",
                s.address(), System.currentTimeMillis() - s.sinceMs(), s.blocks().get());
        }
    }

    /** The endpoint is no one's home any more (its node left or moved): nothing waits on it. */
    public void forget(final String channel)
    {
        silent.remove(channel);
    }

    /** Each silent endpoint in a line: its address, why, for how long, how many blocks. */
    public List<String> describe()
    {
        final List<String> lines = new ArrayList<>();
        final long now = System.currentTimeMillis();
        silent.values().forEach(s -> lines.add(s.address() + ": " + s.blocks().get() + " blocks unanswered for " +
            (now - s.sinceMs()) + " ms (" + s.why() + ")"));
        lines.sort(null);
        return lines;
    }

    /** HOST:PORT of an Aeron UDP channel, or the channel itself. */
    static String endpointOf(final String channel)
    {
        final int at = channel.indexOf("endpoint=");
        if (at < 0)
        {
            return channel;
        }
        final int end = channel.indexOf('|', at);
        return channel.substring(at + "endpoint=".length(), end < 0 ? channel.length() : end);
    }
}
