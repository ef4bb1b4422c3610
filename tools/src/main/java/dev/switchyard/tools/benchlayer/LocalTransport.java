package dev.switchyard.tools.benchlayer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.layer.LocalMoeLayer;
import dev.switchyard.model.directory.ModelDirectory;

/** The in-process layer; passes queue for one thread (plus the compute pool's helpers). */
public final class LocalTransport implements BenchTransport
{
    private final ComputePool pool;
    private final LocalMoeLayer layer;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r ->
    {
        final Thread t = new Thread(r, "bench-local-layer");
        t.setDaemon(true);
        return t;
    });
    private float[] y = new float[0];

    /**
     * @param identity experts answer their blocks unchanged (see {@link LocalMoeLayer#loadIdentity})
     * @param backend  the compute backend's name ({@link ComputeBackends#byName})
     */
    public LocalTransport(final ModelDirectory model, final int threads, final boolean identity, final String backend)
    {
        this.pool = ComputePool.ofThreads(threads);
        this.layer = identity ? LocalMoeLayer.loadIdentity(model, 0) :
            LocalMoeLayer.load(model, 0, ComputeBackends.byName(backend, pool), WeightFormat.F32);
    }

    @Override
    public CompletableFuture<Void> submit(final float[] x, final int rows)
    {
        return CompletableFuture.runAsync(() -> forward(x, rows), thread);
    }

    private void forward(final float[] x, final int rows)
    {
        final int length = rows * layer.config().dModel();
        if (y.length < length)
        {
            y = new float[length];
        }
        layer.forward(x, rows, null, y, null);
    }

    @Override
    public void close()
    {
        thread.shutdownNow();
        pool.close();
    }
}
