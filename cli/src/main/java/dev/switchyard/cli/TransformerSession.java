package dev.switchyard.cli;

import java.nio.file.Path;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.node.system.EmbeddedSystem;
import dev.switchyard.tools.moe.ServedMoeLayers;
import dev.switchyard.transformer.forward.Transformer;
import dev.switchyard.transformer.model.TransformerModel;
import dev.switchyard.transformer.moe.LocalMoeLayers;
import dev.switchyard.transformer.moe.MoeLayers;
import org.agrona.CloseHelper;

/**
 * A transformer model ready to run for {@code score} and {@code generate}: the dense parts in this process,
 * the MoE layers in process ({@code --local}), through an embedded system, or through a running gateway.
 */
final class TransformerSession implements AutoCloseable
{
    private final ModelDirectory dir;
    private final ComputePool pool;
    private final ComputeBackend backend;
    private final TransformerModel model;
    private EmbeddedSystem system;
    private SwitchyardClient client;
    private final MoeLayers moe;
    private final String where;

    /**
     * @param connect HOST:PORT of a running gateway, or null
     * @param shared  MoE requests share groups with other traffic (not exact)
     */
    TransformerSession(final Path modelPath, final boolean local, final String connect, final boolean shared,
        final ComputeOptions compute)
    {
        dir = ModelDirectory.open(CliArgs.existingDirectory("--model", modelPath));
        try
        {
            pool = compute.pool();
            backend = compute.backend(pool);
            model = TransformerModel.load(dir, backend);
            final boolean anyMoe = dir.layerCount() > 0;
            if (local || !anyMoe)
            {
                moe = new LocalMoeLayers(dir, backend);
                where = "in process";
            }
            else if (connect != null)
            {
                client = SwitchyardClient.connect(connect);
                ServedMoeLayers.checkServes(client, dir.config(), connect);
                moe = new ServedMoeLayers(client, shared);
                where = "through gateway " + connect;
            }
            else
            {
                system = EmbeddedSystem.start(modelPath, ConfigFactory.parseString(
                    compute.systemSettings()));
                moe = new ServedMoeLayers(system.client(), shared);
                where = "through the embedded system";
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    TransformerModel model()
    {
        return model;
    }

    ComputeBackend backend()
    {
        return backend;
    }

    MoeLayers moe()
    {
        return moe;
    }

    Transformer transformer()
    {
        return new Transformer(model, backend, moe);
    }

    String where()
    {
        return where;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(client);
        CloseHelper.quietClose(system);
        CloseHelper.quietClose(pool);
        dir.close();
    }
}
