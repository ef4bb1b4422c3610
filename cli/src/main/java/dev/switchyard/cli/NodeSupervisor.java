package dev.switchyard.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.switchyard.node.system.SwitchyardNode;

/**
 * Runs {@code serve}'s node, one at a time, until the process is told to stop. A node that the
 * cluster removed (downed while it stood still or was cut off, then quarantined by the others)
 * cannot come back as the same member: rather than exit, the supervisor closes it and starts a fresh
 * one from the same configuration, which joins as a new member and is given experts again. A
 * data-plane part that stopped is not restarted here: the process exits non-zero so that its own
 * supervisor starts a clean one.
 */
final class NodeSupervisor
{
    /** How a run of {@link #run} ended: its exit status. */
    static final int STOPPED = 0;
    static final int DATA_PLANE_FAILED = 1;

    private enum End
    {
        STOP, REMOVED, FAILED
    }

    private final Supplier<SwitchyardNode> start;
    private final Consumer<SwitchyardNode> started;
    private final CompletableFuture<End> stopRequested = new CompletableFuture<>();
    private final Object lock = new Object();
    private SwitchyardNode current;
    private int rejoins;

    /**
     * @param start   starts a node from the command's configuration
     * @param started told of every node once it serves (the first and each that rejoins)
     */
    NodeSupervisor(final Supplier<SwitchyardNode> start, final Consumer<SwitchyardNode> started)
    {
        this.start = start;
        this.started = started;
    }

    /** Serves until {@link #stop}, or until a data-plane part stops; returns the exit status. */
    int run() throws InterruptedException
    {
        while (true)
        {
            final SwitchyardNode node;
            synchronized (lock)
            {
                if (stopRequested.isDone())
                {
                    return STOPPED;
                }
                node = start.get();
                current = node;
            }
            started.accept(node);
            final End end = awaitEnd(node);
            if (end == End.STOP)
            {
                return STOPPED;
            }
            if (end == End.FAILED)
            {
                System.err.println("switchyard: " + node.health().failed().join() + " stopped; exiting so that the " +
                    "node can be started again");
                closeCurrent();
                return DATA_PLANE_FAILED;
            }
            rejoins++;
            System.err.println("switchyard: the cluster removed this node (unreachable for too long, e.g. paused " +
                "or cut off); starting it again as a new member (rejoin " + rejoins + ")");
            closeCurrent();
        }
    }

    /** How many times the node was removed by the cluster and started again. */
    int rejoins()
    {
        return rejoins;
    }

    private End awaitEnd(final SwitchyardNode node) throws InterruptedException
    {
        final CompletableFuture<End> removed = node.actorSystem().getWhenTerminated().toCompletableFuture()
            .thenApply(ignored -> End.REMOVED);
        final CompletableFuture<End> failed = node.health().failed().thenApply(ignored -> End.FAILED);
        try
        {
            // A stop wins over the removal its own shutdown causes: both complete as the node closes.
            final End end = (End)CompletableFuture.anyOf(stopRequested, failed, removed).get();
            return stopRequested.isDone() ? End.STOP : end;
        }
        catch (final ExecutionException ex)
        {
            return stopRequested.isDone() ? End.STOP : End.REMOVED;
        }
    }

    /** Stops serving: closes the node that runs (or the one being started, once it has started). */
    void stop()
    {
        stopRequested.complete(End.STOP);
        closeCurrent();
    }

    private void closeCurrent()
    {
        synchronized (lock)
        {
            if (current != null)
            {
                current.close();
                current = null;
            }
        }
    }
}
