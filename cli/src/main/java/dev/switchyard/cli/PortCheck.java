package dev.switchyard.cli;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import dev.switchyard.node.system.NodeSettings;
import dev.switchyard.wire.BadInputException;

/**
 * The fixed ports a node is configured to take, each bound once and let go before the node starts: a
 * port another process holds is one line naming it and the key or flag that sets it, at once, instead
 * of a failure deep inside remoting, the HTTP server or the media driver.
 */
final class PortCheck
{
    /** One port the node will bind. */
    record Port(String what, String host, int port, boolean udp, String setting)
    {
    }

    private PortCheck()
    {
    }

    /** The fixed (non-zero) ports of a node with these settings. */
    static List<Port> of(final NodeSettings s)
    {
        final List<Port> ports = new ArrayList<>();
        add(ports, new Port("cluster port", s.clusterHost(), s.clusterPort(), false,
            "switchyard.cluster.port, --cluster"));
        if (s.runsGateway())
        {
            add(ports, new Port("client port", s.bindHost(), s.gateway().clientPort(), true,
                "switchyard.gateway.bind, --bind"));
            add(ports, new Port("gateway result port", s.dataPlane().host(), s.dataPlane().gatewayPort(), true,
                "switchyard.data-plane.gateway-port"));
        }
        if (s.runsExperts())
        {
            add(ports, new Port("expert port", s.dataPlane().host(), s.dataPlane().expertPort(), true,
                "switchyard.data-plane.expert-port"));
        }
        add(ports, new Port("HTTP port", s.http().host(), s.http().port(), false, "switchyard.http.port, --http-port"));
        return ports;
    }

    /** @throws BadInputException naming the first port that cannot be bound */
    static void check(final NodeSettings settings)
    {
        for (final Port p : of(settings))
        {
            final String at = p.what() + " " + p.host() + ":" + p.port() + " (" + (p.udp() ? "UDP" : "TCP") + ")";
            try
            {
                bind(p);
            }
            catch (final BindException ex)
            {
                throw new BadInputException(at + (ex.getMessage() != null && ex.getMessage().contains("in use") ?
                    " is in use by another process" : " cannot be bound: " + ex.getMessage()) + "; set another with " +
                    p.setting());
            }
            catch (final IOException | IllegalArgumentException | SecurityException ex)
            {
                throw new BadInputException(at + " cannot be bound: " + ex.getMessage() + "; set another with " +
                    p.setting());
            }
        }
    }

    private static void add(final List<Port> ports, final Port p)
    {
        if (p.port() > 0)
        {
            ports.add(p);
        }
    }

    private static void bind(final Port p) throws IOException
    {
        final InetSocketAddress address = new InetSocketAddress(p.host(), p.port());
        if (address.isUnresolved())
        {
            throw new IOException("unknown host '" + p.host() + "'");
        }
        if (p.udp())
        {
            try (DatagramSocket socket = new DatagramSocket(null))
            {
                socket.bind(address);
            }
        }
        else
        {
            try (ServerSocket socket = new ServerSocket())
            {
                // As the node's own listeners: a port left in TIME_WAIT by a node just stopped is free.
                socket.setReuseAddress(true);
                socket.bind(address);
            }
        }
    }
}
