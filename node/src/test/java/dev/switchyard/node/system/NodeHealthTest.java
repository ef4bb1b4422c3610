package dev.switchyard.node.system;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.node.http.PrometheusText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /health} tells the truth about the data plane: up while it serves, failed at once when an agent stops. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeHealthTest
{
    @TempDir
    Path dir;

    @Test
    void healthNamesEveryDataPlanePartAndFailsWhenTheGatewayAgentStops() throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(8, 16, 2, Activation.RELU, true,
            new RoutingConfig(4, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 0L)), 1, 1);
        final int port;
        try (ServerSocket free = new ServerSocket(0))
        {
            port = free.getLocalPort();
        }
        try (EmbeddedSystem system = EmbeddedSystem.start(modelDir,
            ConfigFactory.parseString("switchyard.http.port = " + port)))
        {
            final HttpClient http = HttpClient.newHttpClient();
            final HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
            final HttpResponse<String> up = http.send(health, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, up.statusCode(), up.body());
            assertTrue(up.body().contains("gateway agent: up"), up.body());
            assertTrue(up.body().contains("expert endpoint agent: up"), up.body());
            assertTrue(up.body().contains("media driver: up"), up.body());
            assertTrue(up.body().endsWith("ok\n"), up.body());

            // The data-plane thread stops (as it would if its agent died): the node is failed at once.
            system.node().gateway().close();
            final String stopped = system.node().health().failed().get(5, TimeUnit.SECONDS);
            assertEquals("gateway agent", stopped);
            final HttpResponse<String> down = http.send(health, HttpResponse.BodyHandlers.ofString());
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.body().contains("gateway agent: STOPPED"), down.body());
            assertTrue(down.body().contains("failed: gateway agent stopped"), down.body());

            final HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            final PrometheusText scrape = PrometheusText.parse(metrics.body());
            assertEquals(0, scrape.value("switchyard_gateway_refused_frames_total{receiver=\"client\",cause=\"too_short\"}"));
            assertEquals(0, scrape.value("switchyard_gateway_agent_errors_total"));
        }
    }
}
