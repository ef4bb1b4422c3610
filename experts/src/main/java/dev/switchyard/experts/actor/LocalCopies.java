package dev.switchyard.experts.actor;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The copies of each expert hosted on this node. Placement keeps an expert's replicas on distinct
 * nodes, but while there are fewer nodes than replicas (a cluster starting, a node lost) two copies
 * share one: they then share one loaded expert and one registration with the node's endpoint, which
 * serves an expert once per node. The last copy to leave drains and closes it.
 */
public final class LocalCopies
{
    private static final class Shared
    {
        final CompletableFuture<LoadedExpert> loaded;
        int copies;

        Shared(final CompletableFuture<LoadedExpert> loaded)
        {
            this.loaded = loaded;
        }
    }

    private final Map<String, Shared> shared = new HashMap<>();

    /** The loaded expert for a copy: loaded (and registered) by {@code load} for the first copy here. */
    synchronized CompletableFuture<LoadedExpert> acquire(
        final ExpertId id, final Supplier<CompletableFuture<LoadedExpert>> load)
    {
        final Shared s = shared.computeIfAbsent(id.expertKey(), k -> new Shared(load.get()));
        s.copies++;
        return s.loaded;
    }

    /** A copy leaves; returns whether it was the last here (its caller then drains and closes the expert). */
    synchronized boolean release(final ExpertId id)
    {
        final Shared s = shared.get(id.expertKey());
        if (s == null)
        {
            return true;
        }
        if (--s.copies > 0)
        {
            return false;
        }
        shared.remove(id.expertKey());
        return true;
    }
}
