package dev.switchyard.cli;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.node.system.EmbeddedSystem;
import dev.switchyard.tools.moe.ServedMoeLayers;
import dev.switchyard.transformer.decoder.CheckpointDecoder;
import dev.switchyard.wire.BadInputException;
import org.agrona.CloseHelper;

/**
 * The language model of a decoder-only checkpoint folder for {@code score} and {@code generate}, its MoE
 * layers in this process ({@code --local}), in an embedded system started for the run, or through a
 * running gateway ({@code --connect HOST:PORT}). Each MoE layer of each pass is one exact request:
 * the served layers are the in-process layers' bits (docs/contracts.md §9), so all three agree.
 */
final class DecoderSession implements AutoCloseable
{
    private final ComputePool pool;
    private final EmbeddedSystem system;
    private final SwitchyardClient client;
    private final CheckpointDecoder decoder;
    private final String where;

    private DecoderSession(final ComputePool pool, final EmbeddedSystem system, final SwitchyardClient client,
        final CheckpointDecoder decoder, final String where)
    {
        this.pool = pool;
        this.system = system;
        this.client = client;
        this.decoder = decoder;
        this.where = where;
    }

    static DecoderSession open(final Checkpoint checkpoint, final boolean local, final String connect,
        final ComputeOptions compute)
    {
        final ComputePool pool = compute.pool();
        EmbeddedSystem system = null;
        SwitchyardClient client = null;
        try
        {
            if (local)
            {
                return new DecoderSession(pool, null, null, CheckpointDecoder.load(checkpoint, compute.backend(pool),
                    compute.checkpointWeightFormat()), "in process");
            }
            if (connect != null)
            {
                client = SwitchyardClient.connect(connect);
            }
            else
            {
                system = EmbeddedSystem.start(checkpoint.dir(), ConfigFactory.parseString(
                    compute.systemSettings()));
                client = system.client();
            }
            if (client.layers() != checkpoint.layers().size() || client.dModel() != checkpoint.layer(0).dModel())
            {
                throw new BadInputException("gateway " + connect + " serves " + client.layers() + " MoE layers of " +
                    "d_model " + client.dModel() + "; checkpoint " + checkpoint.dir() + " has " +
                    checkpoint.layers().size() + " of d_model " + checkpoint.layer(0).dModel());
            }
            final String where = connect != null ? "through gateway " + connect : "through the embedded system";
            return new DecoderSession(pool, system, connect != null ? client : null,
                CheckpointDecoder.load(checkpoint, new ServedMoeLayers(client, false), compute.backend(pool)), where);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(connect != null ? client : null, system, pool);
            throw ex;
        }
    }

    CheckpointDecoder decoder()
    {
        return decoder;
    }

    /** "in process", "through the embedded system" or "through gateway HOST:PORT", for the summary line. */
    String where()
    {
        return where;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(client, system, pool);
    }
}
