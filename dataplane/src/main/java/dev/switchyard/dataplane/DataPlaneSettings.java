package dev.switchyard.dataplane;

import dev.switchyard.wire.BadInputException;

/**
 * How a node runs its data plane.
 *
 * @param host           address other nodes reach this node's UDP endpoints at
 * @param expertPort     UDP port of the expert endpoint (0: any free port)
 * @param gatewayPort    UDP port where a gateway receives results (0: any free port)
 * @param embeddedDriver start a media driver in this JVM (else connect to one at {@code aeronDir})
 * @param aeronDir       the driver's directory: required with an external driver; with an embedded one,
 *                       null for a fresh one per start, else a fixed one cleaned at start
 * @param idle           idle strategy of the data-plane threads: backoff, sleeping, yielding or busy-spin
 * @param ipcTermLength  IPC term length; the largest message is an eighth of it; 0: sized by {@link #sizedFor}
 * @param udpTermLength  UDP term length; the largest message is an eighth of it; 0: sized by {@link #sizedFor}
 * @param mtu            UDP MTU (1408 crosses any network; loopback takes up to 64 KiB)
 * @param pauseToleranceMs how long this process may stand still (a stop-the-world pause, a frozen VM,
 *                       SIGSTOP) and still find its media driver and Aeron clients alive when it resumes;
 *                       Aeron judges liveness by wall-clock gaps, so a pause longer than its timeouts
 *                       would end a healthy process
 */
public record DataPlaneSettings(
    String host,
    int expertPort,
    int gatewayPort,
    boolean embeddedDriver,
    String aeronDir,
    String idle,
    int ipcTermLength,
    int udpTermLength,
    int mtu,
    long pauseToleranceMs)
{
    /** What a process survives standing still by default: a long GC pause or a VM migration, with margin. */
    public static final long DEFAULT_PAUSE_TOLERANCE_MS = 60_000;

    public DataPlaneSettings
    {
        if (pauseToleranceMs < 1_000)
        {
            throw new BadInputException("switchyard.data-plane.pause-tolerance must be at least 1s (got " +
                pauseToleranceMs + " ms)");
        }
    }

    /** Settings that tolerate pauses of {@link #DEFAULT_PAUSE_TOLERANCE_MS}. */
    public DataPlaneSettings(
        final String host, final int expertPort, final int gatewayPort, final boolean embeddedDriver,
        final String aeronDir, final String idle, final int ipcTermLength, final int udpTermLength, final int mtu)
    {
        this(host, expertPort, gatewayPort, embeddedDriver, aeronDir, idle, ipcTermLength, udpTermLength, mtu,
            DEFAULT_PAUSE_TOLERANCE_MS);
    }

    /** Aeron's shortest and longest term. */
    public static final long MIN_TERM_LENGTH = 64 << 10;
    public static final long MAX_TERM_LENGTH = 1L << 30;
    /**
     * What is wrong with a term of {@code termLength} bytes carrying frames of {@code mtu}, by the
     * media driver's own rules, or null: a power of two from 64 KiB to 1 GiB whose largest message
     * (an eighth, at most 16 MiB) holds one MTU, or the driver refuses every publication on it.
     */
    public static String termProblem(final long termLength, final int mtu)
    {
        if (termLength < MIN_TERM_LENGTH || termLength > MAX_TERM_LENGTH || Long.bitCount(termLength) != 1)
        {
            return "a power of two from 64k to 1g";
        }
        if (Math.min(termLength / 8, 16 << 20) < mtu)
        {
            final long least = Long.highestOneBit(8L * mtu - 1) << 1;
            return "at least " + (least >> 10) + "k: an eighth of the term (the largest message) must hold " +
                "the MTU of " + mtu + " bytes";
        }
        return null;
    }

    public static DataPlaneSettings loopback()
    {
        return new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff", 16 << 20, 16 << 20, 1408);
    }

    public DataPlaneSettings withIdle(final String name)
    {
        return new DataPlaneSettings(host, expertPort, gatewayPort, embeddedDriver, aeronDir, name, ipcTermLength,
            udpTermLength, mtu, pauseToleranceMs);
    }

    /**
     * These settings with every term length left at 0 set to the smallest that carries
     * {@code largestMessage}: a term eight times as long, a power of two, at least 1 MiB. Terms no
     * longer than needed keep the pages to touch at start, and the memory held, in proportion to
     * the model.
     */
    public DataPlaneSettings sizedFor(final long largestMessage)
    {
        final int needed = termFor(largestMessage);
        return new DataPlaneSettings(host, expertPort, gatewayPort, embeddedDriver, aeronDir, idle,
            ipcTermLength == 0 ? needed : ipcTermLength, udpTermLength == 0 ? needed : udpTermLength, mtu,
            pauseToleranceMs);
    }

    /**
     * The term whose largest message (an eighth of it) is at least {@code largestMessage}: a power of
     * two, 1 MiB at least.
     */
    public static int termFor(final long largestMessage)
    {
        final long term = Math.max(1L << 20, Long.highestOneBit(Math.max(1, largestMessage * 8 - 1)) << 1);
        if (term > 1L << 30)
        {
            throw new IllegalArgumentException("a message of " + largestMessage + " bytes needs a term above 1 GiB");
        }
        return (int)term;
    }

    /** The largest message a publication of this node can carry. */
    public int maxMessageLength()
    {
        return Math.min(Math.min(ipcTermLength, udpTermLength) / 8, 16 << 20);
    }
}
