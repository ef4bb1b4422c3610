package dev.switchyard.gateway.http;

import java.time.Duration;

import com.typesafe.config.Config;

/**
 * The node's HTTP listener ({@code switchyard.http}): the inference API, {@code /metrics},
 * {@code /health} and {@code /ready} on one port.
 *
 * @param host          interface to bind (loopback unless configured)
 * @param port          port, 0 for no listener
 * @param maxBodyBytes  largest request body; a larger one is refused with 413 before it is read
 * @param maxTokens     most tokens in one request (413 past it)
 * @param maxConcurrent most inference requests in progress at once (429 past it)
 * @param timeout       a request's deadline when it names none
 */
public record HttpSettings(String host, int port, long maxBodyBytes, int maxTokens, int maxConcurrent, Duration timeout)
{
    public static HttpSettings from(final Config root)
    {
        final Config c = root.getConfig("switchyard.http");
        return new HttpSettings(c.getString("host"), c.getInt("port"), c.getBytes("max-body"), c.getInt("max-tokens"),
            c.getInt("max-concurrent"), c.getDuration("request-timeout"));
    }
}
