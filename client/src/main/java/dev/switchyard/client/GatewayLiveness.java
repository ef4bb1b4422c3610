package dev.switchyard.client;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.ProgressClock;
import org.agrona.concurrent.NanoClock;

/**
 * Whether the welcomed gateway still serves this client: losing it after its silence or a lost
 * connection, and winning it back once it is heard from again. Read and written by the client's
 * receiving thread only, but for {@link #lost()} and {@link #heartbeats()}.
 * <p>
 * Silence and disconnection are measured in the time this process ran (a {@link ProgressClock} on
 * the given {@link NanoClock}), so that a pause of the client's own process is not taken for the
 * gateway's.
 */
final class GatewayLiveness
{
    /** How often, in running time, the connection and the gateway's silence are checked. */
    static final long CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How often a client that lost its gateway says hello again, to be welcomed back. */
    static final long REHELLO_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long HEARTBEAT_GRACE_NS = TimeUnit.SECONDS.toNanos(2);
    /** The longest step of running time one reading counts: the receiving thread reads far more often. */
    private static final long MAX_STEP_NS = TimeUnit.SECONDS.toNanos(1);

    /** The way to the gateway and back, as the liveness checks see it. */
    interface Link
    {
        /** Whether the publication to the gateway is connected. */
        boolean wayThere();

        /** Whether the gateway's publication of answers to this client is connected. */
        boolean wayBack();

        /** Says hello again, to be welcomed back by a gateway that forgot this client. */
        void sayHello();

        /** The gateway's channel, for the reasons given. */
        String channel();
    }

    private final NanoClock clock;
    private final ProgressClock runClock;
    private final long gatewayTimeoutNs;
    private final Link link;
    private final Consumer<String> onLost;
    private volatile boolean watching;
    /**
     * Whether silence ends the gateway: over UDP. Over IPC the gateway shares this process and its
     * driver; a thread of it delayed by a loaded machine must not end this client for good.
     */
    private boolean watchHeartbeats;
    private long heartbeatIntervalMs;
    private long runningNs;
    private long lastCheckNs;
    private long disconnectedSinceNs;
    /** When (running time) a frame of the gateway's for this client was last read (welcome, heartbeat, answer). */
    private long lastHeardNs;
    /** Heartbeats taken (written by the receiving thread only). */
    private volatile long heartbeats;
    private volatile String lost;
    /** When the gateway was lost, and when a hello last went out to win it back. */
    private long lostAtNs;
    private long lastHelloNs;

    /**
     * @param gatewayTimeoutNs how long the connection may be down before the gateway is lost
     * @param onLost           told why, once the gateway is lost: it ends every request in flight
     */
    GatewayLiveness(final NanoClock clock, final long gatewayTimeoutNs, final Link link, final Consumer<String> onLost)
    {
        this.clock = clock;
        this.runClock = new ProgressClock(MAX_STEP_NS, clock.nanoTime());
        this.gatewayTimeoutNs = gatewayTimeoutNs;
        this.link = link;
        this.onLost = onLost;
    }

    /**
     * Starts watching the welcomed gateway: its connection, and its silence when {@code watchHeartbeats}
     * and it announced heartbeats every {@code heartbeatIntervalMs}.
     */
    void watch(final boolean watchHeartbeats, final long heartbeatIntervalMs)
    {
        this.watchHeartbeats = watchHeartbeats;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        watching = true;
    }

    /** Reads the clock: frames heard until the next reading count as heard now. */
    void advance()
    {
        runningNs = runClock.advance(clock.nanoTime());
    }

    /** A frame of the gateway's for this client was read (a welcome, a heartbeat, an answer). */
    void heard()
    {
        lastHeardNs = runningNs;
    }

    void heardHeartbeat()
    {
        lastHeardNs = runningNs;
        heartbeats++;
    }

    long heartbeats()
    {
        return heartbeats;
    }

    /** Why the gateway is considered lost, or null while it serves this client. */
    String lost()
    {
        return lost;
    }

    /**
     * Checks, now and then, that the welcomed gateway is still connected both ways and not silent;
     * once it has been down for the gateway timeout, or silent beyond {@link #silenceLimitNs()}, it is
     * lost. While lost, it is won back or said hello to.
     *
     * @return the work done (0 or 1)
     */
    int check()
    {
        final long nowNs = runningNs;
        if (!watching || nowNs - lastCheckNs < CHECK_INTERVAL_NS)
        {
            return 0;
        }
        lastCheckNs = nowNs;
        if (lost != null)
        {
            return winBack(nowNs);
        }
        final long silentNs = nowNs - lastHeardNs;
        if (watchHeartbeats && heartbeatIntervalMs > 0 && silentNs > silenceLimitNs())
        {
            return lose("gateway-unavailable: the gateway at " + link.channel() + " stopped serving (nothing " +
                "from it for " + TimeUnit.NANOSECONDS.toMillis(silentNs) + " ms, heartbeats due every " +
                heartbeatIntervalMs + " ms)");
        }
        if (link.wayThere() && link.wayBack())
        {
            disconnectedSinceNs = 0;
            return 0;
        }
        if (disconnectedSinceNs == 0)
        {
            disconnectedSinceNs = nowNs;
            return 0;
        }
        if (nowNs - disconnectedSinceNs < gatewayTimeoutNs)
        {
            return 0;
        }
        return lose("gateway-unavailable: the connection to the gateway at " + link.channel() +
            " was lost (no contact for " + TimeUnit.NANOSECONDS.toMillis(nowNs - disconnectedSinceNs) + " ms)");
    }

    /**
     * How long the gateway may send nothing before it is lost: the bound of a lost connection (the
     * peer timeout plus the gateway timeout) and {@link #HEARTBEAT_GRACE_NS} more, so that a busy
     * machine that delays the gateway's thread is not taken for a stopped one; never under four
     * heartbeat intervals. 5 s with the default gateway timeout.
     */
    long silenceLimitNs()
    {
        return Math.max(DataPlane.PEER_TIMEOUT_NS + gatewayTimeoutNs + HEARTBEAT_GRACE_NS,
            4 * TimeUnit.MILLISECONDS.toNanos(heartbeatIntervalMs));
    }

    /**
     * While the gateway is lost: once it has been heard from since (a heartbeat, a welcome) over a
     * connection up both ways, it serves this client again; until then a hello goes out now and then.
     */
    private int winBack(final long nowNs)
    {
        if (link.wayThere() && link.wayBack() && lastHeardNs - lostAtNs > 0)
        {
            disconnectedSinceNs = 0;
            lost = null;
            return 1;
        }
        // Only the way there is needed: a gateway that released this client has closed the way back,
        // and opens it again for the hello.
        if (link.wayThere() && nowNs - lastHelloNs > REHELLO_INTERVAL_NS)
        {
            lastHelloNs = nowNs;
            link.sayHello();
            return 1;
        }
        return 0;
    }

    private int lose(final String why)
    {
        lostAtNs = runningNs;
        lastHelloNs = lostAtNs;
        lost = why;
        onLost.accept(why);
        return 1;
    }
}
