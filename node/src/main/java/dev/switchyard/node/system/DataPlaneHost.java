package dev.switchyard.node.system;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

import dev.switchyard.wire.BadInputException;

/**
 * The address other nodes reach this node's Aeron endpoints at, chosen so that it cannot be wrong
 * silently. Unset ({@code switchyard.data-plane.host = ""}, no {@code --data-host}) it is the
 * cluster host: a node reached by Pekko at an address is reached there by Aeron too. A wildcard
 * cluster host (0.0.0.0, ::) names no address; then it is the address of the interface that reaches
 * the first seed node, or the gateway's bind host, or loopback for a lone node.
 *
 * <p>A node that advertises its data plane at loopback while its cluster address is not loopback
 * would be joined by nodes on other hosts whose every block to it is lost: it refuses to start.
 */
final class DataPlaneHost
{
    private DataPlaneHost()
    {
    }

    /**
     * The data-plane host to advertise.
     *
     * @param configured  {@code switchyard.data-plane.host}, empty when unset
     * @param clusterHost {@code switchyard.cluster.host}
     * @param seedNodes   HOST:PORT of the seed nodes
     * @param bindHost    the gateway's client bind host
     */
    static String resolve(final String configured, final String clusterHost, final List<String> seedNodes,
        final String bindHost)
    {
        final String host = configured.isBlank() ? derive(clusterHost, seedNodes, bindHost) : configured.strip();
        if (isLoopback(host) && !isLoopback(clusterHost) && !isWildcard(clusterHost))
        {
            throw new BadInputException("the data plane would be advertised at loopback " + host +
                " while the cluster address " + clusterHost + " is not: nodes on other hosts could not reach " +
                "this node's experts; set --data-host (switchyard.data-plane.host) to an address they reach");
        }
        if (isWildcard(host))
        {
            throw new BadInputException("--data-host (switchyard.data-plane.host) must be an address other nodes " +
                "reach, not the wildcard " + host);
        }
        return host;
    }

    private static String derive(final String clusterHost, final List<String> seedNodes, final String bindHost)
    {
        if (!isWildcard(clusterHost))
        {
            return clusterHost;
        }
        if (!seedNodes.isEmpty())
        {
            final String towardSeed = interfaceToward(seedNodes.getFirst());
            if (towardSeed != null)
            {
                return towardSeed;
            }
        }
        return isWildcard(bindHost) ? "127.0.0.1" : bindHost;
    }

    /** The local address the route to a seed node leaves from (a connected UDP socket sends nothing). */
    private static String interfaceToward(final String seed)
    {
        final int colon = seed.lastIndexOf(':');
        if (colon < 1)
        {
            return null;
        }
        try (DatagramSocket socket = new DatagramSocket())
        {
            final int port = Integer.parseInt(seed.substring(colon + 1));
            socket.connect(new InetSocketAddress(seed.substring(0, colon), port));
            final InetAddress local = socket.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? null : local.getHostAddress();
        }
        catch (final IOException | RuntimeException ex)
        {
            // Unresolvable or unroutable seed: fall back to the next choice.
            return null;
        }
    }

    /** Loopback by its literal form or the name localhost; other names are not looked up (no DNS at start). */
    static boolean isLoopback(final String host)
    {
        final String h = host.strip();
        if (h.equalsIgnoreCase("localhost"))
        {
            return true;
        }
        final InetAddress literal = literal(h);
        return literal != null && literal.isLoopbackAddress();
    }

    static boolean isWildcard(final String host)
    {
        final InetAddress literal = literal(host.strip());
        return literal != null && literal.isAnyLocalAddress();
    }

    private static InetAddress literal(final String host)
    {
        final String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        final boolean ipv4 = h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (!ipv4 && !h.contains(":"))
        {
            return null;
        }
        try
        {
            // A literal is parsed, never looked up.
            return InetAddress.getByName(h);
        }
        catch (final UnknownHostException ex)
        {
            return null;
        }
    }
}
