package dev.switchyard.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.node.http.HttpApi;
import dev.switchyard.node.http.HttpSettings;
import dev.switchyard.node.metrics.NodeHealth;
import dev.switchyard.transformer.serving.EngineLimits;
import dev.switchyard.transformer.serving.EngineObserver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** A real HTTP listener on an ephemeral port serving a checkpoint folder's engine, and a real client. */
final class OpenAiServer implements AutoCloseable
{
    static final ObjectMapper JSON = new ObjectMapper();

    final EngineLanguageModel model;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    private final ActorSystem<Void> system;
    private final NodeHealth health = new NodeHealth(() -> true);
    private final HttpApi api;

    OpenAiServer(final Path folder, final EngineLimits limits)
    {
        this(folder, limits, EngineObserver.NONE, Duration.ofSeconds(30));
    }

    /** @param timeout how long a whole answer may take */
    OpenAiServer(final Path folder, final EngineLimits limits, final EngineObserver observer, final Duration timeout)
    {
        model = EngineLanguageModel.open(folder, ComputeBackends.scalar(), null, limits, observer);
        system = ActorSystem.create(Behaviors.empty(), "openai-test", ConfigFactory.parseString(
            "pekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
        api = new HttpApi(system, new HttpSettings("127.0.0.1", 0, 1 << 20, 65536, 64, 64, timeout,
            Duration.ofSeconds(10), Duration.ofSeconds(10), 64), null, null, health, () -> true, Optional::empty,
            () -> "", model);
    }

    URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + api.port() + path);
    }

    HttpResponse<String> post(final String path, final String body) throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(final HttpResponse<String> response) throws IOException
    {
        return JSON.readTree(response.body());
    }

    @Override
    public void close()
    {
        api.close();
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
        model.close();
        health.close();
        client.close();
    }
}
