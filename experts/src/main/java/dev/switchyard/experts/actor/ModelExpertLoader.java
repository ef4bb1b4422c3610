package dev.switchyard.experts.actor;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.network.ExpertNetwork;
import dev.switchyard.model.directory.ModelDirectory;

/** Loads experts from an open model directory: weights packed once from the mapping, float32. */
public final class ModelExpertLoader implements ExpertLoader
{
    private static final int WARM_UP_ROUNDS = 3;

    private final AtomicBoolean warmedUp = new AtomicBoolean();
    private final ModelDirectory model;
    private final ComputeBackend backend;

    public ModelExpertLoader(final ModelDirectory model, final ComputeBackend backend)
    {
        this.model = model;
        this.backend = backend;
    }

    @Override
    public LoadedExpert load(final int layer, final int expert)
    {
        final ExpertNetwork network = ExpertNetwork.load(
            model.expert(layer, expert), model.config().activation(), backend, WeightFormat.F32);
        // Compiled before the expert announces itself, so that no request pays for it; the experts
        // loaded after the first share its compiled kernels.
        if (warmedUp.compareAndSet(false, true))
        {
            network.warmUp(WARM_UP_ROUNDS);
        }
        return LoadedExpert.holding(network);
    }
}
