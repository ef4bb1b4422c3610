package dev.switchyard.node.http;

import java.time.Duration;

import com.typesafe.config.Config;
import dev.switchyard.wire.BadInputException;

/**
 * The node's HTTP listener ({@code switchyard.http}): the inference API, {@code /metrics},
 * {@code /health} and {@code /ready} on one port.
 *
 * @param host              interface to bind (loopback unless configured)
 * @param port              port, 0 for no listener
 * @param maxBodyBytes      largest request body; a larger one is read and discarded, then refused with 413
 * @param maxTokens         most tokens in one request (413 past it)
 * @param maxConcurrent     most inference requests in progress at once (429 past it)
 * @param maxPerCaller      most inference requests in progress from one remote address (429 past it)
 * @param timeout           a request's deadline when it names none
 * @param headerTimeout     time a connection has to send a request's headers (408 and closed past it)
 * @param bodyTimeout       time a request has to send its whole body once its headers are in (408 and closed past it)
 * @param maxConnections    connections open at once; a further one is answered 503 and closed at once
 */
public record HttpSettings(
    String host, int port, long maxBodyBytes, int maxTokens, int maxConcurrent, int maxPerCaller, Duration timeout,
    Duration headerTimeout, Duration bodyTimeout, int maxConnections)
{
    public HttpSettings
    {
        requirePositive("max-concurrent", maxConcurrent);
        requirePositive("max-concurrent-per-caller", maxPerCaller);
        requirePositive("max-connections", maxConnections);
        requirePositive("header-timeout", headerTimeout.toMillis());
        requirePositive("body-timeout", bodyTimeout.toMillis());
    }

    public static HttpSettings from(final Config root)
    {
        final Config c = root.getConfig("switchyard.http");
        return new HttpSettings(c.getString("host"), c.getInt("port"), c.getBytes("max-body"), c.getInt("max-tokens"),
            c.getInt("max-concurrent"), c.getInt("max-concurrent-per-caller"), c.getDuration("request-timeout"),
            c.getDuration("header-timeout"), c.getDuration("body-timeout"), c.getInt("max-connections"));
    }

    private static void requirePositive(final String key, final long value)
    {
        if (value < 1)
        {
            throw new BadInputException("switchyard.http." + key + " must be positive (got " + value + ")");
        }
    }
}
