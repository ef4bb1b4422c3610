package dev.switchyard.node.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.node.system.SwitchyardNode;
import dev.switchyard.testkit.Await;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /ready} of a gateway node tells whether every expert is hosted and reachable: 503 naming
 * the missing experts while the only expert node is gone, 200 again once another one hosts them, and
 * 503 again once the gateway drains (it is stopping). {@code /health} stays 200 throughout: the
 * gateway itself is alive.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ReadinessTest
{
    @TempDir
    Path dir;

    private static Config node(final Path model, final String role, final String seed, final int httpPort)
    {
        return ConfigFactory.parseString(
            "switchyard.model = \"" + model.toString().replace("\\", "/") + "\"\n" +
            "switchyard.role = " + role + "\n" +
            "switchyard.cluster.port = 0\n" +
            "switchyard.cluster.seed-nodes = [" + (seed == null ? "" : "\"" + seed + "\"") + "]\n" +
            "switchyard.gateway.bind = \"127.0.0.1:0\"\n" +
            "switchyard.gateway.relocate-interval = 500ms\n" +
            "switchyard.experts.keep-alive-interval = 500ms\n" +
            "switchyard.http.port = " + httpPort + "\n" +
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n" +
            "pekko.cluster.sharding.rebalance-interval = 1s\n");
    }

    @Test
    void readyFlipsWhileNoNodeHostsTheExperts() throws Exception
    {
        final Path model = dir.resolve("model");
        ModelGenerator.generate(model, new ModelConfig(8, 16, 3, Activation.RELU, true,
            new RoutingConfig(8, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L)), 1, 5);
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        SwitchyardNode gateway = null;
        SwitchyardNode first = null;
        SwitchyardNode second = null;
        try
        {
            gateway = SwitchyardNode.start(node(model, "gateway", null, HttpApiTest.freePort()));
            final String base = "http://127.0.0.1:" + gateway.httpPort();
            final JsonNode waiting = awaitReady(http, base, 503, 30);
            assertEquals("not_ready", waiting.path("error").asText());
            assertTrue(waiting.path("message").asText().contains("0/0"), waiting.toString());

            first = SwitchyardNode.start(node(model, "experts", gateway.clusterAddress(), 0));
            awaitReady(http, base, 200, 60);

            first.close();
            final JsonNode gone = awaitReady(http, base, 503, 60);
            assertTrue(gone.path("message").asText().contains("experts not hosted or not reachable"), gone.toString());
            assertEquals(200, send(http, base + "/health").statusCode());

            second = SwitchyardNode.start(node(model, "experts", gateway.clusterAddress(), 0));
            awaitReady(http, base, 200, 60);

            // A gateway that drains (it is stopping) sends its load balancer elsewhere.
            gateway.gateway().drain();
            final JsonNode draining = awaitReady(http, base, 503, 10);
            assertTrue(draining.path("message").asText().contains("shutting down"), draining.toString());
            assertEquals(200, send(http, base + "/health").statusCode());
        }
        finally
        {
            CloseHelper.quietCloseAll(http, second, first, gateway);
        }
    }

    private static HttpResponse<String> send(final HttpClient http, final String url) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls /ready until it answers {@code status}; returns its JSON body (null for 200). */
    private static JsonNode awaitReady(final HttpClient http, final String base, final int status, final int seconds)
        throws Exception
    {
        final AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        Await.until(() ->
        {
            try
            {
                last.set(send(http, base + "/ready"));
            }
            catch (final Exception ex)
            {
                throw new AssertionError("/ready could not be asked", ex);
            }
            return last.get().statusCode() == status;
        }, Duration.ofSeconds(seconds), Duration.ofMillis(100), () -> "/ready never answered " + status + ": " + last.get().body());
        return status == 200 ? null : new ObjectMapper().readTree(last.get().body());
    }
}
