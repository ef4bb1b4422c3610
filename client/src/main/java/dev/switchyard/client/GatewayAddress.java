package dev.switchyard.client;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.wire.BadInputException;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;

/** A gateway's UDP address, and the channels and data plane a client reaches it through. */
record GatewayAddress(InetSocketAddress gateway)
{
    /**
     * Each gateway of {@code hostPorts}, HOST:PORT comma-separated.
     *
     * @throws BadInputException when one is not HOST:PORT, or none is given
     */
    static List<GatewayAddress> parseAll(final String hostPorts)
    {
        final List<GatewayAddress> all = new ArrayList<>();
        for (final String hostPort : hostPorts.split(",", -1))
        {
            all.add(parse(hostPort.strip()));
        }
        return all;
    }

    /** @throws BadInputException when {@code hostPort} is not HOST:PORT */
    static GatewayAddress parse(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        try
        {
            if (colon < 1)
            {
                throw new NumberFormatException();
            }
            return new GatewayAddress(InetSocketAddress.createUnresolved(
                hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
        }
        catch (final RuntimeException ex)
        {
            throw new BadInputException("gateway address must be HOST:PORT (got '" + hostPort + "')");
        }
    }

    /**
     * A data plane on the interface that routes to the gateway, through the media driver that
     * {@code driver} chooses.
     *
     * @param aeronDir the external driver's directory; null for Aeron's default
     * @throws BadInputException when the gateway cannot be routed to, or no driver runs where one must
     */
    DataPlane startPlane(final SwitchyardClient.Driver driver, final String aeronDir)
    {
        final String local = localAddress();
        final String dir = aeronDir != null ? aeronDir : CommonContext.getAeronDirectoryName();
        final boolean external = switch (driver)
        {
            case EMBEDDED -> false;
            case EXTERNAL -> true;
            case AUTO -> driverRunningAt(dir);
        };
        if (external && !driverRunningAt(dir))
        {
            throw new BadInputException("no media driver is running at " + dir);
        }
        // Terms here are for the answer subscription's side only: publications name their own.
        return DataPlane.start(new DataPlaneSettings(
            local, 0, 0, !external, external ? dir : null, "backoff", 1 << 20, 1 << 20, 1408));
    }

    /** The channel requests go to the gateway on. */
    String requestChannel()
    {
        return new ChannelUriStringBuilder().media("udp")
            .endpoint(gateway.getHostString() + ":" + gateway.getPort()).build();
    }

    /** The channel the gateway answers a client on {@code plane} on: any free port of its host. */
    static String answerChannel(final DataPlane plane)
    {
        return new ChannelUriStringBuilder().media("udp").endpoint(plane.settings().host() + ":0").build();
    }

    /** Whether a media driver is alive at {@code dir} (its CnC file there, its heartbeat recent). */
    static boolean driverRunningAt(final String dir)
    {
        return CommonContext.isDriverActive(new File(dir), 5_000, ignored -> { });
    }

    /** This host's address on the interface that routes to the gateway. */
    private String localAddress()
    {
        // Connecting a datagram socket sends nothing; it picks the interface that routes there.
        try (DatagramSocket probe = new DatagramSocket())
        {
            probe.connect(new InetSocketAddress(gateway.getHostString(), gateway.getPort()));
            return probe.getLocalAddress().getHostAddress();
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new BadInputException("cannot reach gateway " + gateway.getHostString() + ":" + gateway.getPort() +
                ": " + ex.getMessage());
        }
    }
}
