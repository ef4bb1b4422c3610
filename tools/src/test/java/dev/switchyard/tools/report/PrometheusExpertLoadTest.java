package dev.switchyard.tools.report;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.switchyard.node.http.PrometheusText;
import dev.switchyard.node.http.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load-test report reads a node's rows and drops per expert exactly as the node's /metrics exposes them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrometheusExpertLoadTest
{
    private static final int EXPERTS = 4;
    private static final List<String> CAUSES =
        List.of("first_capacity", "second_capacity", "second_policy", "importance", "unavailable");

    @TempDir
    Path dir;

    @Test
    void readsTheRowsAndDropsOfEveryExpertAsTheNodeCountsThem() throws Exception
    {
        try (TestNode node = new TestNode(dir, "");
            HttpClient http = HttpClient.newHttpClient())
        {
            // 16 equal tokens: every group sends its tokens to the same two experts and drops by capacity.
            final byte[] body = TestNode.npyTokens(1, 99);
            for (int i = 0; i < 16; i++)
            {
                final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create(node.base() + "/v1/layers/0:infer")).header("Content-Type", "application/x-npy")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), response.body());
            }
            final long[] rows = new long[EXPERTS];
            final long[] drops = new long[EXPERTS];
            final PrometheusExpertLoad load = new PrometheusExpertLoad("127.0.0.1:" + node.port, EXPERTS);
            assertTrue(load.sample(rows, drops) >= 0, "the report reaches the node's /metrics");
            final PrometheusText metrics = PrometheusText.parse(http.send(HttpRequest.newBuilder(
                URI.create(node.base() + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString()).body());

            long allRows = 0;
            for (int e = 0; e < EXPERTS; e++)
            {
                double dropped = 0;
                for (final String cause : CAUSES)
                {
                    dropped += metrics.value("switchyard_routing_dropped_total{layer=\"0\",expert=\"" + e +
                        "\",cause=\"" + cause + "\"}");
                }
                assertEquals(dropped, drops[e], "drops of expert " + e + " as the report reads them");
                assertEquals(metrics.value("switchyard_gateway_expert_rows_total{layer=\"0\",expert=\"" + e + "\"}"),
                    rows[e], "rows of expert " + e + " as the report reads them");
                allRows += rows[e];
            }
            assertTrue(allRows > 0, "the traffic reached the experts");
        }
    }
}
