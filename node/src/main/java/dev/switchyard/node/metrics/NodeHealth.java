package dev.switchyard.node.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What {@code /health} reports: every data-plane agent of the node and its media driver, each alive
 * or not, and whether the node is ready (every expert located). A watcher thread checks the vital
 * parts every {@link #WATCH_INTERVAL_MS} ms; once one has stopped, {@link #failed()} completes with
 * its name and stays so: a node whose data plane stopped does not serve again, it is restarted.
 */
public final class NodeHealth implements AutoCloseable
{
    static final long WATCH_INTERVAL_MS = 100;

    private record Part(String name, BooleanSupplier alive)
    {
    }

    private final List<Part> vital = new ArrayList<>();
    private final BooleanSupplier ready;
    private final CompletableFuture<String> failed = new CompletableFuture<>();
    private volatile boolean closed;
    private Thread watcher;

    /** @param ready whether the node serves yet (not ready is "starting", not a failure) */
    public NodeHealth(final BooleanSupplier ready)
    {
        this.ready = ready;
    }

    /** Adds a part that must stay alive ({@code "gateway agent"}, {@code "media driver"}...). */
    public NodeHealth vital(final String name, final BooleanSupplier alive)
    {
        vital.add(new Part(name, alive));
        return this;
    }

    /** Starts checking the vital parts on a daemon thread of its own. */
    public NodeHealth watch()
    {
        watcher = new Thread(() ->
        {
            while (!closed && !failed.isDone())
            {
                check();
                try
                {
                    Thread.sleep(WATCH_INTERVAL_MS);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }, "switchyard-health");
        watcher.setDaemon(true);
        watcher.start();
        return this;
    }

    /** Checks every vital part now; the first found stopped fails the node. */
    public void check()
    {
        if (closed)
        {
            return;
        }
        for (final Part p : vital)
        {
            if (!p.alive().getAsBoolean())
            {
                failed.complete(p.name());
                return;
            }
        }
    }

    /** Completes with the name of the first vital part found stopped. */
    public CompletableFuture<String> failed()
    {
        return failed;
    }

    /** Whether nothing vital has stopped: the process is alive ({@code /health}), ready or not. */
    public boolean alive()
    {
        check();
        return !failed.isDone();
    }

    /** Whether the node serves: nothing vital stopped, and ready. */
    public boolean healthy()
    {
        check();
        return !failed.isDone() && ready.getAsBoolean();
    }

    /** The {@code /health} body: one line per part, then the verdict. */
    public String report()
    {
        check();
        final StringBuilder out = new StringBuilder();
        for (final Part p : vital)
        {
            out.append(p.name()).append(p.alive().getAsBoolean() ? ": up\n" : ": STOPPED\n");
        }
        if (failed.isDone())
        {
            out.append("failed: ").append(failed.join()).append(" stopped\n");
        }
        else
        {
            out.append(ready.getAsBoolean() ? "ok\n" : "starting\n");
        }
        return out.toString();
    }

    /** Stops watching (the node is closing: its parts stop on purpose). */
    @Override
    public void close()
    {
        closed = true;
        if (watcher != null)
        {
            watcher.interrupt();
            try
            {
                watcher.join(TimeUnit.SECONDS.toMillis(1));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
