package dev.switchyard.tools.benchlayer;

import java.util.concurrent.CompletableFuture;

/**
 * One way of running a whole MoE layer for {@code switchyard bench layer}: in process, through the
 * embedded system over Aeron, or with the same blocks carried by Pekko Artery. Passes may be
 * submitted while others are in flight; each completes when its output is whole.
 */
public interface BenchTransport extends AutoCloseable
{
    /**
     * Runs the layer over {@code rows} tokens; the future fails when the pass does.
     *
     * @param x [rows, d_model], not changed until the future completes
     */
    CompletableFuture<Void> submit(float[] x, int rows);

    @Override
    void close();
}
