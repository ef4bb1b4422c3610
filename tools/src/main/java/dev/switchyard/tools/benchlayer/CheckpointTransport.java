package dev.switchyard.tools.benchlayer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.layer.CheckpointMoeLayer;
import dev.switchyard.model.checkpoint.Checkpoint;

/**
 * A served layer of a Hugging Face checkpoint in process; passes queue for one thread (plus the compute
 * pool's helpers). A pass is one routing group, so the capacity families see the whole pass as their
 * sequence.
 */
public final class CheckpointTransport implements BenchTransport
{
    private final ComputePool pool;
    private final CheckpointMoeLayer layer;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r ->
    {
        final Thread t = new Thread(r, "bench-checkpoint-layer");
        t.setDaemon(true);
        return t;
    });
    private float[] y = new float[0];
    private int[] expert = new int[0];
    private float[] gate = new float[0];

    /**
     * Experts packed as the checkpoint stores them (bfloat16 stays bfloat16).
     *
     * @param backend the compute backend's name ({@link ComputeBackends#byName})
     */
    public CheckpointTransport(final Checkpoint checkpoint, final int layer, final int threads, final String backend)
    {
        this.pool = ComputePool.ofThreads(threads);
        this.layer = CheckpointMoeLayer.load(checkpoint, layer, ComputeBackends.byName(backend, pool), null);
    }

    /** The layer it times. */
    public CheckpointMoeLayer layer()
    {
        return layer;
    }

    @Override
    public CompletableFuture<Void> submit(final float[] x, final int rows)
    {
        return CompletableFuture.runAsync(() -> forward(x, rows), thread);
    }

    private void forward(final float[] x, final int rows)
    {
        final int length = rows * layer.spec().dModel();
        if (y.length < length)
        {
            y = new float[length];
            expert = new int[rows * layer.k()];
            gate = new float[rows * layer.k()];
        }
        layer.forward(x, rows, rows, y, expert, gate);
    }

    @Override
    public void close()
    {
        thread.shutdownNow();
        pool.close();
    }
}
