package dev.switchyard.experts.endpoint;

import java.util.concurrent.CompletableFuture;

import dev.switchyard.compute.network.BlockCompute;
import dev.switchyard.dataplane.AgentHost;
import dev.switchyard.dataplane.Doorbell;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The experts an endpoint serves, and those it has drained. Expert actors register and drain from
 * their own threads; each change is a command that the endpoint's thread applies between frames, so
 * the tables are read and written by that thread only, and a drain completes only when no block of
 * its expert is in progress.
 */
final class ExpertTable
{
    /** An expert served here: what computes its blocks, and the placement epoch it answers with. */
    record Registered(BlockCompute compute, int epoch)
    {
    }

    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(1024);
    private final Int2ObjectHashMap<Registered> experts = new Int2ObjectHashMap<>();
    private final IntHashSet draining = new IntHashSet();
    private final AgentHost host;
    private final Doorbell bell;

    /**
     * @param host the lifecycle of the endpoint whose thread applies the commands
     * @param bell rung when a command is queued, so that an idle endpoint thread wakes for it
     */
    ExpertTable(final AgentHost host, final Doorbell bell)
    {
        this.host = host;
        this.bell = bell;
    }

    /** Serves {@code (layer, expert)} from now on; completes once the endpoint thread has it. */
    CompletableFuture<Void> register(final int layer, final int expert, final int epoch, final BlockCompute compute)
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        submit(done, () ->
        {
            final int key = key(layer, expert);
            draining.remove(key);
            experts.put(key, new Registered(compute, epoch));
        });
        return done;
    }

    /** Stops serving {@code (layer, expert)}; completes when no block of it is in progress. */
    CompletableFuture<Void> drain(final int layer, final int expert)
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        submit(done, () ->
        {
            final int key = key(layer, expert);
            if (experts.remove(key) != null)
            {
                draining.add(key);
            }
        });
        return done;
    }

    private void submit(final CompletableFuture<Void> done, final Runnable command)
    {
        if (host.abandoned())
        {
            // The thread that applies commands has stopped (the node is failing): nothing else
            // touches the endpoint's tables now, and a drain must not wait for a thread that is gone.
            command.run();
            done.complete(null);
            return;
        }
        if (host.closed() || !commands.offer(() ->
        {
            command.run();
            done.complete(null);
        }))
        {
            done.completeExceptionally(new IllegalStateException("expert endpoint is closed or saturated"));
            return;
        }
        bell.ring();
    }

    /** Applies the commands queued; on the endpoint's thread, or by the closer once it has stopped. */
    int applyCommands()
    {
        return commands.drain(Runnable::run);
    }

    /** The expert served as {@code (layer, expert)}, or null. */
    Registered get(final int layer, final int expert)
    {
        return experts.get(key(layer, expert));
    }

    /** OK when {@code (layer, expert)} is served here; otherwise why not, for its sender. */
    BlockStatus availability(final int layer, final int expert)
    {
        final int key = key(layer, expert);
        if (!experts.containsKey(key))
        {
            return draining.contains(key) ? BlockStatus.DRAINING : BlockStatus.EXPERT_UNAVAILABLE;
        }
        return BlockStatus.OK;
    }

    private static int key(final int layer, final int expert)
    {
        return (layer << 16) | expert;
    }
}
