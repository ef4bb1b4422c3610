package dev.switchyard.tools.benchlayer;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.node.system.EmbeddedSystem;
import dev.switchyard.wire.BadInputException;

/** The embedded system: a client sends each pass to the gateway over Aeron IPC. */
public final class AeronTransport implements BenchTransport
{
    private final EmbeddedSystem system;
    private final SwitchyardClient client;
    private float[] outputs = new float[0];

    /** @param identity experts answer their blocks unchanged ({@code switchyard.experts.network = identity}) */
    public AeronTransport(final Path model, final int threads, final boolean identity, final String backend)
    {
        this.system = EmbeddedSystem.start(model, ConfigFactory.parseString(
            "switchyard.experts.compute-threads = " + threads + "\n" +
            "switchyard.experts.compute-backend = " + backend + "\n" +
            "switchyard.experts.network = " + (identity ? "identity" : "model")));
        this.client = system.client();
    }

    @Override
    public CompletableFuture<Void> submit(final float[] x, final int rows)
    {
        // One output array, as a serving loop would keep, so that passes allocate no answers. Passes in
        // flight at once share it: the bench times them and keeps no output.
        final float[] y = output(rows * client.dModel());
        return client.infer(x, rows, null, false, RequestOptions.exact(), y).thenAccept(answer ->
        {
            if (!answer.ok())
            {
                throw new BadInputException("the system answered " + answer.status() + ": " + answer.detail());
            }
        });
    }

    private synchronized float[] output(final int length)
    {
        if (outputs.length < length)
        {
            outputs = new float[length];
        }
        return outputs;
    }

    @Override
    public void close()
    {
        system.close();
    }
}
