package dev.switchyard.node.http;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.node.system.LocalReferenceAccess;
import dev.switchyard.node.system.SwitchyardNode;
import dev.switchyard.testkit.Tokens;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP API of a running node, through a real HTTP client: npy and JSON round trips equal to the
 * in-process layer bit for bit, every error with its status and JSON body, and the node's
 * /v1/model, /health, /ready and /metrics.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpApiTest
{
    private static final int D = 16;
    private static final int MAX_TOKENS = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static SwitchyardNode node;
    static ModelDirectory model;
    static HttpClient http;
    static String base;

    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    @BeforeAll
    static void start() throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 4, Activation.RELU, true,
            new RoutingConfig(8, 1.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L)), 2, 17);
        model = ModelDirectory.open(modelDir);
        final int port = freePort();
        node = SwitchyardNode.start(ConfigFactory.parseString(
            "switchyard.model = \"" + modelDir.toString().replace("\\", "/") + "\"\n" +
            "switchyard.cluster.port = 0\n" +
            "switchyard.gateway.bind = \"127.0.0.1:0\"\n" +
            "switchyard.http.port = " + port + "\n" +
            "switchyard.http.max-tokens = " + MAX_TOKENS + "\n" +
            "switchyard.http.max-body = 256k\n" +
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"));
        node.awaitReady(Duration.ofSeconds(60));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        base = "http://127.0.0.1:" + node.httpPort();
    }

    @AfterAll
    static void stop()
    {
        CloseHelper.quietCloseAll(http, node, model);
    }

    private static float[] tokens(final int rows, final long seed)
    {
        return Tokens.gaussian(rows, D, seed);
    }

    private static HttpResponse<byte[]> post(final String path, final String type, final byte[] body) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<byte[]> get(final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] npy(final float[] x, final int rows, final int cols)
    {
        return Npy.bytes(NpyArray.matrix(rows, cols, x));
    }

    private static String jsonTokens(final float[] x, final int rows, final boolean routing)
    {
        final StringBuilder out = new StringBuilder("{\"routing\": ").append(routing).append(", \"tokens\": [");
        for (int t = 0; t < rows; t++)
        {
            out.append(t == 0 ? "[" : ", [");
            for (int c = 0; c < D; c++)
            {
                out.append(c == 0 ? "" : ", ").append(x[t * D + c]);
            }
            out.append(']');
        }
        return out.append("]}").toString();
    }

    /** The response is {"error": code, "message": ...} with {@code status}; returns the message. */
    private static String assertError(final HttpResponse<byte[]> response, final int status, final String code)
        throws IOException
    {
        final String body = new String(response.body());
        assertEquals(status, response.statusCode(), body);
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), body);
        final JsonNode error = JSON.readTree(body);
        assertEquals(code, error.path("error").asText(), body);
        final String message = error.path("message").asText();
        assertTrue(!message.isEmpty() && !message.contains("\n"), body);
        return message;
    }

    @Test
    void npyRoundTripEqualsTheInProcessLayer() throws Exception
    {
        for (int layer = 0; layer < 2; layer++)
        {
            final int rows = 37;
            final float[] x = tokens(rows, 3 + layer);
            final HttpResponse<byte[]> response = post("/v1/layers/" + layer + ":infer", "application/x-npy",
                npy(x, rows, D));
            assertEquals(200, response.statusCode(), new String(response.body()));
            assertEquals("application/x-npy", response.headers().firstValue("Content-Type").orElse(""));
            final NpyArray y = Npy.read("answer", response.body());
            assertArrayEquals(new long[] {rows, D}, y.shape());
            assertArrayEquals(LocalReferenceAccess.run(model, layer, x, rows).y(), y.data(), "layer " + layer);
        }
    }

    @Test
    void jsonRoundTripWithRoutingEqualsTheInProcessLayer() throws Exception
    {
        final int rows = 21;
        final float[] x = tokens(rows, 8);
        final HttpResponse<byte[]> response = post("/v1/layers/1:infer", "application/json",
            jsonTokens(x, rows, true).getBytes());
        assertEquals(200, response.statusCode(), new String(response.body()));
        final JsonNode answer = JSON.readTree(response.body());
        final LocalReferenceAccess.Routed local = LocalReferenceAccess.run(model, 1, x, rows);
        final float[] y = new float[rows * D];
        final int[] expert = new int[2 * rows];
        final int[] position = new int[2 * rows];
        final float[] gate = new float[2 * rows];
        for (int t = 0; t < rows; t++)
        {
            for (int c = 0; c < D; c++)
            {
                y[t * D + c] = Float.parseFloat(answer.path("output").path(t).path(c).asText());
            }
            for (int k = 0; k < 2; k++)
            {
                expert[2 * t + k] = answer.path("routing").path("expert").path(t).path(k).asInt();
                position[2 * t + k] = answer.path("routing").path("position").path(t).path(k).asInt();
                gate[2 * t + k] = Float.parseFloat(answer.path("routing").path("gate").path(t).path(k).asText());
            }
        }
        assertArrayEquals(local.y(), y);
        assertArrayEquals(local.expert(), expert);
        assertArrayEquals(local.position(), position);
        assertArrayEquals(local.gate(), gate);
        assertEquals(local.capacity().length, answer.path("routing").path("capacity").size());
        assertEquals(local.capacity()[0], answer.path("routing").path("capacity").path(0).asInt());
    }

    @Test
    void badRequestsGetTheirStatusAndOneLineError() throws Exception
    {
        final float[] x = tokens(4, 1);
        assertTrue(assertError(post("/v1/layers/0:infer", "application/x-npy", npy(x, 8, 8)), 400, "bad_request")
            .contains("[T, 16]"));
        final float[] nan = tokens(4, 2);
        nan[2 * D + 5] = Float.NaN;
        assertTrue(assertError(post("/v1/layers/0:infer", "application/x-npy", npy(nan, 4, D)), 400, "bad_request")
            .contains("token 2 has NaN at column 5"));
        assertTrue(assertError(post("/v1/layers/0:infer", "application/json", "{\"tokens\": [[1, 2]]}".getBytes()),
            400, "bad_request").contains("token 0 has 2 values"));
        assertTrue(assertError(post("/v1/layers/0:infer", "application/json", "{\"tokens\": [[1, 2".getBytes()),
            400, "bad_request").contains("not valid JSON"));
        assertTrue(assertError(post("/v1/layers/0:infer", "application/json", "{\"tokens\": [], \"x\": 1}".getBytes()),
            400, "bad_request").contains("unknown field \"x\""));
        assertTrue(assertError(post("/v1/layers/0:infer", "application/x-npy", new byte[] {1, 2, 3}), 400,
            "bad_request").contains("npy"));
        assertTrue(assertError(post("/v1/layers/7:infer", "application/x-npy", npy(x, 4, D)), 404, "not_found")
            .contains("layer 7"));
        assertTrue(assertError(post("/v1/layers/0:infer", "text/csv", "1,2".getBytes()), 415,
            "unsupported_media_type").contains("text/csv"));
        assertError(get("/v1/layers/0:infer"), 405, "method_not_allowed");
        assertError(get("/v2/nothing"), 404, "not_found");
        assertTrue(assertError(post("/v1/layers/0:infer?deadline_ms=soon", "application/x-npy", npy(x, 4, D)), 400,
            "bad_request").contains("deadline_ms"));
    }

    @Test
    void oversizedRequestsAreRefusedWith413() throws Exception
    {
        // 3001 tokens of 16 floats: under the body limit, over the token limit.
        final int rows = MAX_TOKENS + 1;
        assertTrue(assertError(post("/v1/layers/0:infer", "application/x-npy", npy(tokens(rows, 4), rows, D)), 413,
            "too_large").contains("3001 tokens"));
        // 5000 tokens: 320 KB, over the 256 KiB body limit.
        assertError(post("/v1/layers/0:infer", "application/x-npy", npy(tokens(5000, 5), 5000, D)), 413, "too_large");
        // The listener still serves after refusing.
        assertEquals(200, post("/v1/layers/0:infer", "application/x-npy", npy(tokens(3, 6), 3, D)).statusCode());
    }

    @Test
    void aPassedDeadlineIs504() throws Exception
    {
        final int rows = MAX_TOKENS;
        assertTrue(assertError(post("/v1/layers/0:infer?deadline_ms=1", "application/x-npy",
            npy(tokens(rows, 7), rows, D)), 504, "deadline").contains("no answer within"));
    }

    @Test
    void concurrentRequestsPastTheLimitAre429AndTheRestExact() throws Exception
    {
        final int rows = 2000;
        final int requests = 96;
        final float[] x = tokens(rows, 9);
        final float[] expected = LocalReferenceAccess.run(model, 0, x, rows).y();
        final byte[] body = npy(x, rows, D);
        final List<CompletableFuture<HttpResponse<byte[]>>> futures = new ArrayList<>();
        for (int i = 0; i < requests; i++)
        {
            futures.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/layers/0:infer"))
                .header("Content-Type", "application/x-npy").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray()));
        }
        int ok = 0;
        int overloaded = 0;
        for (final CompletableFuture<HttpResponse<byte[]>> f : futures)
        {
            final HttpResponse<byte[]> response = f.get(60, TimeUnit.SECONDS);
            if (response.statusCode() == 200)
            {
                assertArrayEquals(expected, Npy.read("answer", response.body()).data());
                ok++;
            }
            else
            {
                assertError(response, 429, "overloaded");
                overloaded++;
            }
        }
        assertEquals(requests, ok + overloaded);
        assertTrue(ok > 0, "no request was served");
        assertTrue(overloaded > 0, requests + " requests at once never passed the limit of 64 in progress");
    }

    @Test
    void modelHealthReadyAndMetrics() throws Exception
    {
        final JsonNode m = JSON.readTree(get("/v1/model").body());
        assertEquals(D, m.path("d_model").asInt());
        assertEquals(4, m.path("num_experts").asInt());
        assertEquals(2, m.path("layers").asInt());
        assertEquals(8, m.path("routing").path("group_size").asInt());
        assertEquals(200, get("/health").statusCode());
        assertEquals(200, get("/ready").statusCode());

        final PrometheusText before = PrometheusText.parse(scrape());
        assertEquals(200, post("/v1/layers/0:infer", "application/x-npy", npy(tokens(5, 10), 5, D)).statusCode());
        assertEquals(400, post("/v1/layers/0:infer", "application/x-npy", npy(new float[] {Float.NaN}, 1, 1))
            .statusCode());
        final PrometheusText after = PrometheusText.parse(scrape());
        assertTrue(after.value("switchyard_gateway_tokens_in_total") >= before.value("switchyard_gateway_tokens_in_total") + 5);
        assertTrue(after.value("switchyard_gateway_answers_total{status=\"ok\"}") >
            before.value("switchyard_gateway_answers_total{status=\"ok\"}"));
        assertTrue(after.value("switchyard_gateway_request_latency_seconds_count") >
            before.value("switchyard_gateway_request_latency_seconds_count"));
        assertTrue(after.value("switchyard_gateway_request_latency_seconds_sum") >
            before.value("switchyard_gateway_request_latency_seconds_sum"));
        assertEquals(after.value("switchyard_gateway_request_latency_seconds_count"),
            after.value("switchyard_gateway_request_latency_seconds_bucket{le=\"+Inf\"}"));
        double rows = 0;
        for (int e = 0; e < 4; e++)
        {
            rows += after.value("switchyard_gateway_expert_rows_total{layer=\"0\",expert=\"" + e + "\"}") -
                before.value("switchyard_gateway_expert_rows_total{layer=\"0\",expert=\"" + e + "\"}");
        }
        assertTrue(rows >= 5, "rows dispatched: " + rows);
        assertTrue(after.value("switchyard_expert_rows_total") >= before.value("switchyard_expert_rows_total") + 5);
        assertEquals(1, after.value("switchyard_cluster_members"));
        assertEquals(0, after.value("switchyard_cluster_unreachable_members"));
        assertEquals(0, after.value("switchyard_aeron_errors_total"));
        // A lone node: placement has nothing to move or copy.
        assertEquals(0, after.value("switchyard_placement_moving_copies"));
        assertEquals(0, after.value("switchyard_placement_extra_copies"));
        assertEquals("counter", after.type("switchyard_placement_decisions"));
        assertEquals("counter", after.type("switchyard_gateway_dropped"));
        assertEquals("histogram", after.type("switchyard_gateway_request_latency_seconds"));
    }

    @Test
    void perExpertCountersAndStageHistogramsMoveWithTraffic() throws Exception
    {
        // 16 equal tokens make two full groups of 8 (capacity max(2, 8·1.0/4) = 2) that all choose the
        // same two experts: per group 2 first choices kept and 6 dropped by capacity, then 2 second
        // choices kept (the second expert has no first choices) and 6 dropped by capacity.
        final int rows = 16;
        final float[] one = tokens(1, 99);
        final float[] x = new float[rows * D];
        for (int t = 0; t < rows; t++)
        {
            System.arraycopy(one, 0, x, t * D, D);
        }
        final PrometheusText before = PrometheusText.parse(scrape());
        final HttpResponse<byte[]> response = post("/v1/layers/1:infer", "application/json",
            jsonTokens(x, rows, true).getBytes());
        assertEquals(200, response.statusCode(), new String(response.body()));
        final JsonNode routing = JSON.readTree(response.body()).path("routing");
        final int first = routing.path("expert").path(0).path(0).asInt();
        final int second = routing.path("expert").path(0).path(1).asInt();
        assertTrue(first >= 0 && second >= 0 && first != second, routing.toString());
        final PrometheusText after = PrometheusText.parse(scrape());

        for (int e = 0; e < 4; e++)
        {
            final String cell = "{layer=\"1\",expert=\"" + e + "\"}";
            final int routed = e == first || e == second ? 4 : 0;
            assertEquals(routed, delta(before, after, "switchyard_routing_routed_total" + cell), "routed " + e);
            assertEquals(e == first ? rows : 0, delta(before, after, "switchyard_routing_first_choices_total" + cell));
            assertEquals(e == second ? rows : 0, delta(before, after, "switchyard_routing_second_choices_total" + cell));
            assertEquals(e == first ? 1.0 : 0.0, after.value("switchyard_routing_density1" + cell));
            assertEquals(e == second ? 1.0 : 0.0, after.value("switchyard_routing_density2" + cell));
            for (final String cause : List.of("first_capacity", "second_capacity", "second_policy", "importance", "unavailable"))
            {
                final int expected = e == first && cause.equals("first_capacity") ? 12 :
                    e == second && cause.equals("second_capacity") ? 12 : 0;
                assertEquals(expected, delta(before, after, "switchyard_routing_dropped_total{layer=\"1\",expert=\"" + e +
                    "\",cause=\"" + cause + "\"}"), "expert " + e + " dropped by " + cause);
            }
        }
        assertEquals(2, delta(before, after, "switchyard_routing_groups_total{layer=\"1\"}"));
        assertEquals(rows, delta(before, after, "switchyard_routing_tokens_total{layer=\"1\"}"));
        assertEquals(1.0, after.value("switchyard_routing_group_fill{layer=\"1\"}"));
        // Equal groups have equal losses: density₁ = one-hot, so loss = gate of the first expert · E.
        final double loss = after.value("switchyard_routing_last_aux_loss{layer=\"1\"}");
        assertTrue(loss > 1.0 && loss <= 4.0, "aux loss " + loss);
        assertEquals(2 * loss, delta(before, after, "switchyard_routing_aux_loss_total{layer=\"1\"}"), 1e-9);
        assertEquals(0, delta(before, after, "switchyard_routing_groups_total{layer=\"0\"}"));

        final String stage = "switchyard_gateway_stage_latency_seconds_count{stage=\"";
        assertEquals(2, delta(before, after, stage + "queue_wait\"}"));
        assertEquals(2, delta(before, after, stage + "gating\"}"));
        assertEquals(2, delta(before, after, stage + "dispatch\"}"));
        assertEquals(4, delta(before, after, stage + "expert_round_trip\"}"));
        assertEquals(4, delta(before, after, stage + "combine\"}"));
        assertEquals(1, delta(before, after, stage + "total\"}"));
        assertTrue(delta(before, after, "switchyard_gateway_stage_latency_seconds_sum{stage=\"expert_round_trip\"}") > 0);
        assertEquals(after.value(stage + "total\"}"),
            after.value("switchyard_gateway_stage_latency_seconds_bucket{stage=\"total\",le=\"+Inf\"}"));
        assertEquals("histogram", after.type("switchyard_gateway_stage_latency_seconds"));

        final String firstCell = "{layer=\"1\",expert=\"" + first + "\"}";
        assertEquals(4, after.value("switchyard_expert_computed_rows_total" + firstCell) -
            valueOrZero(before, "switchyard_expert_computed_rows_total" + firstCell));
        assertTrue(after.value("switchyard_expert_compute_seconds_total" + firstCell) >
            valueOrZero(before, "switchyard_expert_compute_seconds_total" + firstCell));
    }

    private static double delta(final PrometheusText before, final PrometheusText after, final String sample)
    {
        return after.value(sample) - before.value(sample);
    }

    /** A per-expert compute sample appears once the expert has computed on this node. */
    private static double valueOrZero(final PrometheusText scrape, final String sample)
    {
        return scrape.has(sample) ? scrape.value(sample) : 0;
    }

    private static String scrape() throws Exception
    {
        final HttpResponse<byte[]> response = get("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return new String(response.body());
    }
}
