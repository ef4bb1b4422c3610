package dev.switchyard.cli;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.node.record.RecordedModel;
import dev.switchyard.node.record.TrafficRecorder;
import dev.switchyard.tools.record.SentTrafficRecorder;
import dev.switchyard.tools.replay.SendObserver;
import dev.switchyard.wire.BadInputException;
import org.agrona.CloseHelper;

/**
 * The load generator's connection: a client, and with {@code --record} an archive on the client's
 * own media driver that records what is sent and answered.
 */
final class LoadgenClient implements AutoCloseable
{
    private static final int RECORD_TERM_LENGTH = 32 << 20;
    /**
     * How long a record may wait for the archive's disk writes: the load generator's threads may
     * wait (the delay shows as schedule lateness), so a large request is recorded whole, not lost.
     */
    private static final long RECORD_WAIT_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    private final DataPlane plane;
    private final SwitchyardClient client;
    private final TrafficRecorder recorder;

    private LoadgenClient(final DataPlane plane, final SwitchyardClient client, final TrafficRecorder recorder)
    {
        this.plane = plane;
        this.client = client;
        this.recorder = recorder;
    }

    static LoadgenClient open(final String hostPort, final Path record)
    {
        if (record == null)
        {
            return new LoadgenClient(null, SwitchyardClient.connect(hostPort), null);
        }
        DataPlane plane = null;
        SwitchyardClient client = null;
        try
        {
            Files.createDirectories(record);
            plane = DataPlane.start(new DataPlaneSettings(
                localAddressTowards(hostPort), 0, 0, true, null, "backoff", 16 << 20, 16 << 20, 1408));
            client = SwitchyardClient.connect(plane, hostPort);
            final TrafficRecorder recorder = TrafficRecorder.start(plane.aeron().context().aeronDirectoryName(),
                record, new RecordedModel(client.dModel(), client.numExperts(), client.groupSize(), client.layers(),
                    client.maxRequestRows()), RECORD_TERM_LENGTH, RECORD_WAIT_NS);
            return new LoadgenClient(plane, client, recorder);
        }
        catch (final IOException ex)
        {
            CloseHelper.quietCloseAll(client, plane);
            throw new BadInputException("--record " + record + " cannot be created: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(client, plane);
            throw ex;
        }
    }

    private static String localAddressTowards(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        try (DatagramSocket probe = new DatagramSocket())
        {
            // Connecting a datagram socket sends nothing; it picks the interface that routes there.
            probe.connect(new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1))));
            return probe.getLocalAddress().getHostAddress();
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new BadInputException("cannot reach gateway " + hostPort + ": " + ex.getMessage());
        }
    }

    SwitchyardClient client()
    {
        return client;
    }

    TrafficRecorder recorder()
    {
        return recorder;
    }

    SendObserver observer()
    {
        return recorder == null ? SendObserver.NONE : new SentTrafficRecorder(recorder);
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(client, recorder, plane);
    }
}
