package dev.switchyard.node.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.driver.DataPacketDispatcher;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ReceiveChannelEndpointSupplier;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import io.aeron.driver.media.ReceiveChannelEndpoint;
import io.aeron.driver.media.UdpChannel;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Loss on a node's data plane that a test turns up and down while the node runs: the media driver's
 * UDP receive endpoints (Aeron's {@link DebugReceiveChannelEndpoint}) drop each data frame they
 * receive with the share written in the file named by {@code -Dnetlab.loss.file} (e.g. {@code 0.05};
 * no file or an unreadable one is 0). Aeron's own {@code aeron.debug.receive.data.loss.rate} is read
 * once at start; a lab whose phases differ only in loss needs it switched without restarting nodes.
 * Given to a node's JVM as {@code -Daeron.ReceiveChannelEndpoint.supplier=} this class.
 */
public final class SwitchableLoss implements ReceiveChannelEndpointSupplier
{
    /** The JVM options that put a node's receive loss under {@code file}. */
    static List<String> jvmOptions(final Path file)
    {
        return List.of("-Daeron.ReceiveChannelEndpoint.supplier=" + SwitchableLoss.class.getName(),
            "-Dnetlab.loss.file=" + file);
    }

    /** Sets the share of data frames every node reading {@code file} drops from now on. */
    static void set(final Path file, final double rate) throws IOException
    {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Double.toString(rate));
        // Renamed into place: a node never reads half a number.
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
    }

    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static volatile double rate;

    static
    {
        final String name = System.getProperty("netlab.loss.file");
        if (name != null)
        {
            final Thread watch = new Thread(() -> watch(Path.of(name)), "netlab loss switch");
            watch.setDaemon(true);
            watch.start();
        }
    }

    private static void watch(final Path file)
    {
        while (true)
        {
            try
            {
                rate = Double.parseDouble(Files.readString(file, StandardCharsets.US_ASCII).strip());
            }
            catch (final IOException | NumberFormatException ex)
            {
                rate = 0;
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }

    @Override
    public ReceiveChannelEndpoint newInstance(final UdpChannel channel, final DataPacketDispatcher dispatcher,
        final AtomicCounter statusIndicator, final MediaDriver.Context context)
    {
        // The receiver agent is the one thread that calls a generator: a plain random is enough.
        final SplittableRandom random = new SplittableRandom(7);
        final LossGenerator data = (InetSocketAddress from, UnsafeBuffer buffer, int length) ->
            random.nextDouble() < rate;
        final LossGenerator control = (InetSocketAddress from, UnsafeBuffer buffer, int length) -> false;
        return new DebugReceiveChannelEndpoint(channel, dispatcher, statusIndicator, context, data, control);
    }
}
