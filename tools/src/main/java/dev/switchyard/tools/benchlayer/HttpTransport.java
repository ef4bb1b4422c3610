package dev.switchyard.tools.benchlayer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.node.system.EmbeddedSystem;
import dev.switchyard.wire.BadInputException;

/**
 * The embedded system reached through its HTTP API: each pass is one {@code POST
 * /v1/layers/0:infer} of {@code .npy} tokens over loopback, so that beside {@code aeron} it shows
 * what HTTP (encoding, the listener, TCP) adds to the same requests.
 */
public final class HttpTransport implements BenchTransport
{
    private final EmbeddedSystem system;
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI infer;
    private final int d;

    /** @param identity experts answer their blocks unchanged ({@code switchyard.experts.network = identity}) */
    public HttpTransport(final Path model, final int threads, final boolean identity)
    {
        this.system = EmbeddedSystem.start(model, ConfigFactory.parseString(
            "switchyard.experts.compute-threads = " + threads + "\n" +
            "switchyard.experts.network = " + (identity ? "identity" : "model") + "\n" +
            "switchyard.http.port = " + freePort()));
        this.infer = URI.create("http://127.0.0.1:" + system.node().httpPort() + "/v1/layers/0:infer");
        this.d = system.client().dModel();
    }

    private static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public CompletableFuture<Void> submit(final float[] x, final int rows)
    {
        // The body is the one copy HTTP needs; x is copied first only when it holds more than the pass.
        final float[] tokens = x.length == rows * d ? x : Arrays.copyOf(x, rows * d);
        final byte[] body = Npy.bytes(NpyArray.matrix(rows, d, tokens));
        return http.sendAsync(HttpRequest.newBuilder(infer).header("Content-Type", "application/x-npy")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray())
            .thenAccept(response ->
            {
                if (response.statusCode() != 200)
                {
                    throw new BadInputException("the HTTP API answered " + response.statusCode() + ": " +
                        new String(response.body()));
                }
            });
    }

    @Override
    public void close()
    {
        http.close();
        system.close();
    }
}
