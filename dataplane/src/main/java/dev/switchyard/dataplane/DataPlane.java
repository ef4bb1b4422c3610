package dev.switchyard.dataplane;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.switchyard.wire.BadInputException;
import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.CncFileDescriptor;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * A node's data plane: its media driver (embedded by default, sharing one thread between conductor,
 * sender and receiver) and the Aeron client every part of the node uses.
 */
public final class DataPlane implements AutoCloseable
{
    public static final String IPC_CHANNEL = "aeron:ipc";
    /** The largest MTU Aeron takes (64 KiB less a frame header, 32-byte aligned). */
    public static final int IPC_MTU = 65504;
    /**
     * A publication whose subscriber has sent no status message for this long is disconnected: the
     * sign a peer uses to learn that the other side is gone (Aeron's default is 5 s).
     */
    public static final long PEER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    /** A driver that has not beaten for this long of this process's running time is dead. */
    private static final long DRIVER_TIMEOUT_MS = 5_000;
    /** How often the node's health watcher checks the driver, about. */
    private static final long DRIVER_CHECK_INTERVAL_MS = 100;
    /**
     * How much longer than a client's liveness timeout the driver waits before it unblocks a
     * publication whose writer stopped mid-message: Aeron requires it to be the longer of the two.
     */
    private static final long UNBLOCK_MARGIN_NS = TimeUnit.SECONDS.toNanos(10);

    private final DataPlaneSettings settings;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final String driverId;
    private final ConcurrentHashMap<Integer, Doorbell> ipcBells = new ConcurrentHashMap<>();

    private final Doorbell driverBell;
    private final DriverLiveness driverLiveness;

    private DataPlane(
        final DataPlaneSettings settings, final MediaDriver driver, final Aeron aeron, final String dir,
        final Doorbell driverBell)
    {
        this.driverBell = driverBell;
        this.settings = settings;
        this.driver = driver;
        this.aeron = aeron;
        this.driverId = new File(dir).getAbsolutePath() + "@" + settings.host();
        this.driverLiveness = new DriverLiveness(driverHeartbeat(aeron.context().cncFile()),
            DRIVER_TIMEOUT_MS, DRIVER_CHECK_INTERVAL_MS, System.nanoTime());
    }

    public static DataPlane start(final DataPlaneSettings settings)
    {
        MediaDriver driver = null;
        final String dir;
        final Doorbell driverBell = settings.embeddedDriver() ? new Doorbell() : Doorbell.NONE;
        if (settings.embeddedDriver())
        {
            refuseBadTerm("ipc-term-length", settings.ipcTermLength(), IPC_MTU);
            refuseBadTerm("udp-term-length", settings.udpTermLength(), settings.mtu());
            final MediaDriver.Context ctx = new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new WakeableIdleStrategy(IdleStrategies.of(settings.idle()), driverBell))
                // Name resolution and other rare tasks: never worth a spinning thread.
                .asyncExecutorIdleStrategy(IdleStrategies.backoff())
                .ipcTermBufferLength(settings.ipcTermLength())
                // IPC has no network frame to fit: the largest fragment makes a block of a large
                // model a few fragments rather than hundreds of 1408-byte ones.
                .ipcMtuLength(IPC_MTU)
                .publicationTermBufferLength(settings.udpTermLength())
                .mtuLength(settings.mtu())
                // Log files filled when created, by the driver, and each mapping touched by the client
                // when it maps it: else every page of a term's first lap is a page fault on a data
                // thread, which costs more than the whole data plane once the pages are there.
                .termBufferSparseFile(false)
                .publicationConnectionTimeoutNs(PEER_TIMEOUT_NS)
                // The driver frees a client that has not kept itself alive for this long, and the
                // client ends itself when its own duty cycle was away as long: both measure the wall
                // clock, so a process that stood still longer ends itself when it resumes. In one
                // process a dead client and a dead driver die with it, so only pauses are at stake.
                .clientLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.pauseToleranceMs()))
                .publicationUnblockTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.pauseToleranceMs()) +
                    UNBLOCK_MARGIN_NS)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true);
            if (settings.aeronDir() != null)
            {
                ctx.aeronDirectoryName(settings.aeronDir());
            }
            else
            {
                // Directories of this kind left by killed processes: a clean exit deletes its own.
                AeronDirs.reclaimDead();
            }
            driver = MediaDriver.launchEmbedded(ctx);
            dir = driver.aeronDirectoryName();
        }
        else
        {
            if (settings.aeronDir() == null)
            {
                throw new BadInputException("data-plane.aeron-dir is required with an external media driver");
            }
            dir = settings.aeronDir();
        }
        try
        {
            // The client conductor only keeps the client alive and registers publications: Aeron's
            // sleeping default suits it, whatever the data-plane threads use.
            // A driver's death is the health watcher's to judge, by progress (driverActive): Aeron's
            // own driver timeout counts a pause of this process as the driver's silence.
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir).preTouchMappedMemory(true)
                .driverTimeoutMs(settings.pauseToleranceMs()));
            return new DataPlane(settings, driver, aeron, dir, driverBell);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    /** The driver's own refusal of a term, as one clear error before it starts. */
    private static void refuseBadTerm(final String key, final int termLength, final int mtu)
    {
        final String problem = DataPlaneSettings.termProblem(termLength, mtu);
        if (problem != null)
        {
            throw new BadInputException("switchyard.data-plane." + key + " must be " + problem + " (got " +
                termLength + ")");
        }
    }

    /**
     * Whether the media driver is alive: this node's client still holds it and its heartbeat has
     * moved within the last {@link #DRIVER_TIMEOUT_MS} of this process's running time (a pause of the
     * process does not count). Called every {@link #DRIVER_CHECK_INTERVAL_MS} or so by a watcher.
     */
    public boolean driverActive()
    {
        return !aeron.isClosed() && driverLiveness.alive(System.nanoTime());
    }

    /**
     * The driver's heartbeat, read from a mapping of its CnC file of this node's own: the Aeron
     * client unmaps its mapping when it closes, and a read after that would crash the process.
     */
    private static LongSupplier driverHeartbeat(final File cncFile)
    {
        final MappedByteBuffer cnc = IoUtil.mapExistingFile(cncFile, FileChannel.MapMode.READ_ONLY, "CnC");
        final RingBuffer toDriver = new ManyToOneRingBuffer(
            CncFileDescriptor.createToDriverBuffer(cnc, CncFileDescriptor.createMetaDataBuffer(cnc)));
        return toDriver::consumerHeartbeatTime;
    }

    public Aeron aeron()
    {
        return aeron;
    }

    public String driverId()
    {
        return driverId;
    }

    public DataPlaneSettings settings()
    {
        return settings;
    }

    public IdleStrategy newIdleStrategy()
    {
        return IdleStrategies.of(settings.idle());
    }

    /** Subscribes to {@code port} on this node's host (0: a free port). */
    public Subscription subscribeUdp(final int port, final int streamId)
    {
        return subscribeUdp(settings.host(), port, streamId);
    }

    /** Subscribes to {@code host:port} (0: a free port). */
    public Subscription subscribeUdp(final String host, final int port, final int streamId)
    {
        final String channel = new ChannelUriStringBuilder().media("udp").endpoint(host + ":" + port).build();
        return aeron.addSubscription(channel, streamId);
    }

    public Subscription subscribeIpc(final int streamId)
    {
        return aeron.addSubscription(IPC_CHANNEL, streamId);
    }

    /** The UDP channel others publish to for {@code subscription}, once its port is bound. */
    public String resolvedChannel(final Subscription subscription)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String endpoint;
        while ((endpoint = subscription.resolvedEndpoint()) == null)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("UDP endpoint of " + subscription.channel() + " did not bind");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        return new ChannelUriStringBuilder().media("udp").endpoint(endpoint).build();
    }

    /**
     * The doorbell of IPC stream {@code streamId} among this node's parts: its poller attaches, its
     * publishers ring.
     */
    public Doorbell ipcDoorbell(final int streamId)
    {
        return ipcBells.computeIfAbsent(streamId, ignored -> new Doorbell());
    }

    /** A publication on {@code channel} with the doorbell of its poller when that polls in this node. */
    public Outlet outlet(final String channel, final int streamId)
    {
        final Doorbell bell = channel.startsWith(IPC_CHANNEL) ? ipcDoorbell(streamId) : Doorbell.NONE;
        return new Outlet(publish(channel, streamId), bell, driverBell);
    }

    /** The embedded media driver's thread, to ring when a publication is back-pressured ({@link Offers}). */
    public Doorbell driverDoorbell()
    {
        return driverBell;
    }

    /** A publication on {@code channel}; UDP ones get this node's term length and MTU. */
    public ExclusivePublication publish(final String channel, final int streamId)
    {
        return aeron.addExclusivePublication(withNodeTerms(channel), streamId);
    }

    /**
     * Starts adding a publication without waiting for the driver: the returned registration id is
     * then polled with {@link #pollPublication}, so that a data-plane thread never waits on it.
     */
    public long publishAsync(final String channel, final int streamId)
    {
        return aeron.asyncAddExclusivePublication(withNodeTerms(channel), streamId);
    }

    /**
     * The outlet of a publication added by {@link #publishAsync}, or null while the driver has not
     * answered; throws {@link io.aeron.exceptions.RegistrationException} when it refused it.
     */
    public Outlet pollPublication(final long registrationId, final String channel, final int streamId)
    {
        final ExclusivePublication publication = aeron.getExclusivePublication(registrationId);
        if (publication == null)
        {
            return null;
        }
        final Doorbell bell = channel.startsWith(IPC_CHANNEL) ? ipcDoorbell(streamId) : Doorbell.NONE;
        return new Outlet(publication, bell, driverBell);
    }

    /** Abandons a publication added by {@link #publishAsync} that was never taken. */
    public void cancelPublication(final long registrationId)
    {
        aeron.asyncRemovePublication(registrationId);
    }

    private String withNodeTerms(final String channel)
    {
        if (channel.startsWith("aeron:udp"))
        {
            return new ChannelUriStringBuilder(channel)
                .termLength(settings.udpTermLength())
                .mtu(settings.mtu())
                .build();
        }
        return channel;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }
}
