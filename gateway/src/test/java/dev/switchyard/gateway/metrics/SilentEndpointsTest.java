package dev.switchyard.gateway.metrics;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An endpoint whose blocks go unanswered is named by address until it answers or its node is gone. */
class SilentEndpointsTest
{
    private static final String CHANNEL = "aeron:udp?endpoint=10.77.0.12:40123|term-length=1m";

    @Test
    void anUnansweredEndpointIsNamedByItsAddressUntilItAnswers()
    {
        final SilentEndpoints silent = new SilentEndpoints();
        assertEquals(List.of(), silent.describe());
        silent.unanswered(CHANNEL, "/dev/shm/aeron@10.77.0.12", "no reply within 2000 ms");
        silent.unanswered(CHANNEL, "/dev/shm/aeron@10.77.0.12", "no reply within 2000 ms");
        final List<String> lines = silent.describe();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.getFirst().startsWith("10.77.0.12:40123: 2 blocks unanswered for "), lines.getFirst());
        assertTrue(lines.getFirst().endsWith("(no reply within 2000 ms)"), lines.getFirst());
        silent.answered("aeron:udp?endpoint=10.77.0.13:40123");
        assertEquals(1, silent.describe().size());
        silent.answered(CHANNEL);
        assertEquals(List.of(), silent.describe());
    }

    @Test
    void anEndpointWhoseNodeIsGoneIsForgotten()
    {
        final SilentEndpoints silent = new SilentEndpoints();
        silent.unanswered(CHANNEL, "d", "not connected");
        silent.forget(CHANNEL);
        assertEquals(List.of(), silent.describe());
        assertEquals("10.77.0.12:40123", SilentEndpoints.endpointOf(CHANNEL));
        assertEquals("ipc", SilentEndpoints.endpointOf("ipc"));
    }
}
