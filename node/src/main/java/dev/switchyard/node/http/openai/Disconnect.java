package dev.switchyard.node.http.openai;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One HTTP connection's end as its client sees it: the listener calls {@link #clientGone()} when the client
 * stops sending (closed or reset its connection), and every answer still being made for it is given up. A
 * client that half-closes its side while it waits for an answer is taken as gone too, as nginx takes it.
 */
public final class Disconnect
{
    /** For callers with no connection to watch. */
    public static final Disconnect NEVER = new Disconnect();

    private final Set<Runnable> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean gone;

    /** Runs {@code onGone} when the client goes (at once if it has); the answer returned stops watching. */
    public Runnable watch(final Runnable onGone)
    {
        waiting.add(onGone);
        if (gone && waiting.remove(onGone))
        {
            onGone.run();
        }
        return () -> waiting.remove(onGone);
    }

    /** The client went away. */
    public void clientGone()
    {
        if (this == NEVER)
        {
            return;
        }
        gone = true;
        for (final Runnable r : waiting)
        {
            if (waiting.remove(r))
            {
                r.run();
            }
        }
    }
}
