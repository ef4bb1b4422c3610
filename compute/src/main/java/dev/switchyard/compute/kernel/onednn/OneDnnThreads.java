package dev.switchyard.compute.kernel.onednn;

/**
 * oneDNN's OpenMP runtime would give each calling thread a team as large as the machine. Switchyard
 * decides its own threads (the compute pool splits a call's rows), so every thread that calls oneDNN
 * first bounds its team to itself.
 */
final class OneDnnThreads
{
    private static final ThreadLocal<Boolean> BOUNDED = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private OneDnnThreads()
    {
    }

    static void bound(final OneDnnFunctions dnnl)
    {
        if (!BOUNDED.get())
        {
            dnnl.ompSetNumThreads(1);
            BOUNDED.set(Boolean.TRUE);
        }
    }
}
