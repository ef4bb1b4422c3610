package dev.switchyard.node.config;

import java.time.Duration;
import java.util.Map;

/** The range of every {@code switchyard.*} key that has one; keys not named here take any value of their type. */
final class Ranges
{
    private static final Range PORT = new Range.Integers(0, 65535);
    private static final Range POSITIVE = new Range.Integers(1, Integer.MAX_VALUE);
    private static final Range INTERVAL = new Range.Durations(Duration.ofMillis(10), Duration.ofHours(1));

    private static final Map<String, Range> RANGES = Map.ofEntries(
        Map.entry("switchyard.cluster.port", PORT),
        Map.entry("switchyard.gateway.group-size", new Range.Integers(0, 1 << 20)),
        Map.entry("switchyard.gateway.max-wait-us", new Range.Integers(0, 60_000_000)),
        Map.entry("switchyard.gateway.max-queued-requests", new Range.Integers(1, 1 << 20)),
        Map.entry("switchyard.gateway.max-queued-tokens", POSITIVE),
        Map.entry("switchyard.gateway.max-groups-in-flight", new Range.Integers(1, 1 << 16)),
        Map.entry("switchyard.gateway.deadline-ms", new Range.Integers(1, 86_400_000)),
        Map.entry("switchyard.gateway.block-resend-ms", new Range.Integers(1, 3_600_000)),
        Map.entry("switchyard.gateway.relocate-interval", INTERVAL),
        Map.entry("switchyard.experts.compute-threads", new Range.Integers(1, 1024)),
        Map.entry("switchyard.experts.keep-alive-interval", INTERVAL),
        Map.entry("switchyard.placement.window", new Range.Durations(Duration.ofSeconds(1), Duration.ofSeconds(60))),
        Map.entry("switchyard.placement.publish-interval", INTERVAL),
        Map.entry("switchyard.placement.max-concurrent-moves", new Range.Integers(1, 16)),
        Map.entry("switchyard.placement.improve-margin", new Range.Fractions(0, 1)),
        Map.entry("switchyard.placement.hot-share", new Range.Fractions(0, 1)),
        Map.entry("switchyard.placement.cool-share", new Range.Fractions(0, 1)),
        Map.entry("switchyard.placement.cool-after", INTERVAL),
        Map.entry("switchyard.data-plane.expert-port", PORT),
        Map.entry("switchyard.data-plane.gateway-port", PORT),
        // Aeron: a multiple of the 32-byte frame alignment, at most a UDP datagram's payload.
        Map.entry("switchyard.data-plane.mtu", new Range.Integers(1024, 65504, 32)),
        Map.entry("switchyard.data-plane.pause-tolerance",
            new Range.Durations(Duration.ofSeconds(1), Duration.ofHours(1))),
        Map.entry("switchyard.http.port", PORT),
        Map.entry("switchyard.http.max-tokens", POSITIVE),
        Map.entry("switchyard.http.max-concurrent", new Range.Integers(1, 1 << 16)),
        Map.entry("switchyard.http.request-timeout", INTERVAL));

    private Ranges()
    {
    }

    static Range of(final String key)
    {
        return RANGES.get(key);
    }
}
