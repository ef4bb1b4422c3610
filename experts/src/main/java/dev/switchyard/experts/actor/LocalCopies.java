package dev.switchyard.experts.actor;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The copies of each expert hosted on this node. Placement keeps an expert's replicas on distinct
 * nodes, but while there are fewer nodes than replicas (a cluster starting, a node lost) two copies
 * share one: they then share one loaded expert and one registration with the node's endpoint, which
 * serves an expert once per node, under the epoch of the copy that registered it: every copy
 * there names that epoch, so that a gateway matches the endpoint's answers to each of them. The
 * last copy to leave drains and closes it.
 * <p>
 * Placement relies on this to move a copy without a gap: a bridge copy starts on the destination
 * first, and the moving copy then joins it there at no cost (see WorkAllocation).
 */
public final class LocalCopies
{
    private static final class Shared
    {
        final CompletableFuture<Hosted> loaded;
        int copies;

        Shared(final CompletableFuture<Hosted> loaded)
        {
            this.loaded = loaded;
        }
    }

    /** An expert loaded and registered on this node, and the epoch it was registered under. */
    record Hosted(LoadedExpert expert, int epoch)
    {
    }

    private final Map<String, Shared> shared = new HashMap<>();

    /**
     * The hosted expert for a copy: loaded and registered under {@code epoch} by {@code load} for
     * the first copy here; a later copy gets the first one's.
     */
    synchronized CompletableFuture<Hosted> acquire(
        final ExpertId id, final int epoch, final Supplier<CompletableFuture<LoadedExpert>> load)
    {
        final Shared s = shared.computeIfAbsent(id.expertKey(),
            k -> new Shared(load.get().thenApply(expert -> new Hosted(expert, epoch))));
        s.copies++;
        return s.loaded;
    }

    /** Whether this node hosts a copy of any expert. */
    public synchronized boolean hosting()
    {
        return !shared.isEmpty();
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
