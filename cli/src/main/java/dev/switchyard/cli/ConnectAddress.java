package dev.switchyard.cli;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

import dev.switchyard.wire.BadInputException;

/**
 * The {@code --connect} values, checked before anything connects: a HOST:PORT whose host resolves and
 * whose port is a port, so that a scheme, a missing port or a typo is one line naming the flag rather
 * than an "Unresolved address" from the transport.
 */
final class ConnectAddress
{
    private ConnectAddress()
    {
    }

    /**
     * {@code value} as HOST:PORT.
     *
     * @param flag what the user typed the value after ("--connect")
     * @param what what the address is of, for the error ("a gateway's Aeron endpoint")
     */
    static String hostPort(final String flag, final String value, final String what)
    {
        return hostPort(flag, value, what, "");
    }

    /** As {@link #hostPort(String, String, String)}; {@code schemeNote} ends the error of a value with a scheme. */
    static String hostPort(final String flag, final String value, final String what, final String schemeNote)
    {
        if (value.contains("://"))
        {
            throw new BadInputException(flag + " takes HOST:PORT of " + what + ", without a scheme (got '" + value +
                "'" + schemeNote + ")");
        }
        final int colon = value.lastIndexOf(':');
        if (colon < 1 || colon == value.length() - 1)
        {
            throw new BadInputException(flag + " takes HOST:PORT of " + what + " (got '" + value + "')");
        }
        port(flag, value, value.substring(colon + 1));
        resolvable(flag, value, value.substring(0, colon));
        return value;
    }

    /**
     * {@code value} as one HOST:PORT or several, comma-separated (gateways of one cluster, each checked
     * as {@link #hostPort(String, String, String, String)} does).
     */
    static String hostPorts(final String flag, final String value, final String what, final String schemeNote)
    {
        for (final String one : value.split(",", -1))
        {
            hostPort(flag, one.strip(), what, schemeNote);
        }
        return value;
    }

    /** {@code value} as http://HOST:PORT, the root of a gateway's HTTP API. */
    static String httpRoot(final String flag, final String value)
    {
        final URI uri;
        try
        {
            uri = new URI(value);
        }
        catch (final URISyntaxException ex)
        {
            throw new BadInputException(flag + " takes http://HOST:PORT (got '" + value + "': " + ex.getReason() + ")");
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0)
        {
            throw new BadInputException(flag + " takes http://HOST:PORT, with a port (got '" + value + "')");
        }
        resolvable(flag, value, uri.getHost());
        return value;
    }

    private static void port(final String flag, final String value, final String port)
    {
        final int p;
        try
        {
            p = Integer.parseInt(port);
        }
        catch (final NumberFormatException ex)
        {
            throw new BadInputException(flag + " " + value + ": port '" + port + "' is not a number");
        }
        if (p < 1 || p > 65535)
        {
            throw new BadInputException(flag + " " + value + ": port " + p + " is not from 1 to 65535");
        }
    }

    private static void resolvable(final String flag, final String value, final String host)
    {
        try
        {
            InetAddress.getByName(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) :
                host);
        }
        catch (final UnknownHostException ex)
        {
            throw new BadInputException(flag + " " + value + ": unknown host '" + host + "'");
        }
    }
}
