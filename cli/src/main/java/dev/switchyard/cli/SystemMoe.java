package dev.switchyard.cli;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.node.system.SwitchyardNode;
import dev.switchyard.tools.moe.ServedMoeLayers;
import dev.switchyard.transformer.moe.MoeLayers;
import dev.switchyard.wire.BadInputException;
import org.agrona.CloseHelper;

/**
 * A language model's MoE layers through the serving system: this process runs a node (gateway, and
 * experts unless its role says otherwise; other nodes may join it and host experts), and every MoE
 * layer of every step is one exact request to its gateway over IPC. The dropless families are
 * batch-invariant, so the answers are the in-process layers' bits (docs/contracts.md §9).
 */
final class SystemMoe implements AutoCloseable
{
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final SwitchyardNode node;
    private final SwitchyardClient client;
    private final MoeLayers layers;

    private SystemMoe(final SwitchyardNode node, final SwitchyardClient client)
    {
        this.node = node;
        this.client = client;
        this.layers = new ServedMoeLayers(client, false);
    }

    /**
     * Starts the node of {@code config} (its HTTP listener off: the language model's takes the port)
     * and waits until every expert of the checkpoint is hosted.
     */
    static SystemMoe start(final Config config, final Checkpoint checkpoint)
    {
        final SwitchyardNode node = SwitchyardNode.start(config
            .withValue("switchyard.http.port", ConfigValueFactory.fromAnyRef(0)));
        SwitchyardClient client = null;
        try
        {
            node.awaitReady(READY_TIMEOUT);
            client = SwitchyardClient.ipc(node.dataPlane());
            if (client.layers() != checkpoint.layers().size() || client.dModel() != checkpoint.layer(0).dModel())
            {
                throw new BadInputException("the gateway serves " + client.layers() + " MoE layers of d_model " +
                    client.dModel() + "; checkpoint " + checkpoint.dir() + " has " + checkpoint.layers().size() +
                    " of d_model " + checkpoint.layer(0).dModel());
            }
            return new SystemMoe(node, client);
        }
        catch (final TimeoutException ex)
        {
            CloseHelper.quietCloseAll(client, node);
            throw new BadInputException("the experts were not all hosted within " + READY_TIMEOUT.toSeconds() +
                " s: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(client, node);
            throw ex;
        }
    }

    MoeLayers layers()
    {
        return layers;
    }

    /** The node's cluster address, for the serving line. */
    String clusterAddress()
    {
        return node.clusterAddress();
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(client, node);
    }
}
