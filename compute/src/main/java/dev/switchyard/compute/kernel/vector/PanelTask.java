package dev.switchyard.compute.kernel.vector;

import dev.switchyard.compute.kernel.LinearCallTask;

/** One call's panels split into chunks of consecutive panels, each run by whichever thread claims it. */
final class PanelTask extends LinearCallTask<VectorPackedLinear>
{
    private final VectorBackend backend;

    PanelTask(final VectorBackend backend)
    {
        this.backend = backend;
    }

    @Override
    protected void runChunk(final int chunk)
    {
        final int panels = weights.panels();
        final int first = (int)((long)chunk * panels / chunks);
        final int end = (int)((long)(chunk + 1) * panels / chunks);
        backend.computePanels(weights, epilogue, x, xOffset, rows, y, yOffset, yMemory, yMemoryOffset, first, end,
            backend.scratch());
    }
}
