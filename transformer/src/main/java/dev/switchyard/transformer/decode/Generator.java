package dev.switchyard.transformer.decode;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.transformer.forward.Transformer;
import dev.switchyard.transformer.model.TransformerModel;
import dev.switchyard.transformer.moe.MoeLayers;

/**
 * Generation as a service: each request decodes on a thread of its own, streams its ids as they are
 * decided, and can be cancelled between steps. The MoE layers are shared by every request and must be
 * thread-safe (the served layers are; exact mode keeps each request's groups apart).
 */
public final class Generator implements AutoCloseable
{
    private final TransformerModel model;
    private final ComputeBackend backend;
    private final MoeLayers moe;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /** One decided id. */
    public record Token(int row, int position, int id)
    {
    }

    /** A running request: its result, and a way to stop it. */
    public record Generation(CompletableFuture<DecodeResult> result, AtomicBoolean cancelled)
    {
        /** Stops the decode before its next step; the result then completes with a CancellationException. */
        public void cancel()
        {
            cancelled.set(true);
        }
    }

    public Generator(final TransformerModel model, final ComputeBackend backend, final MoeLayers moe)
    {
        this.model = model;
        this.backend = backend;
        this.moe = moe;
    }

    /**
     * Decodes {@code input} [rows, cols] (the forced prefix or the source), calling {@code listener} with
     * each id as it is decided, on the request's thread.
     */
    public Generation generate(final int[] input, final int rows, final int cols, final DecodeOptions options,
        final StepListener listener)
    {
        final AtomicBoolean cancelled = new AtomicBoolean();
        final CompletableFuture<DecodeResult> result = new CompletableFuture<>();
        threads.execute(() ->
        {
            try
            {
                result.complete(Decoding.decode(new Transformer(model, backend, moe), input, rows, cols, options,
                    listener, cancelled::get));
            }
            catch (final Throwable ex)
            {
                result.completeExceptionally(ex);
            }
        });
        return new Generation(result, cancelled);
    }

    /**
     * As {@link #generate}, with the ids published to {@code subscriber} as they are decided (subscribed
     * before the first step, so it sees every id); it completes when the decode ends, or with the error
     * that ended it. Cancelling the subscription does not stop the decode: {@link Generation#cancel()}
     * does.
     */
    public Generation stream(final int[] input, final int rows, final int cols, final DecodeOptions options,
        final Flow.Subscriber<? super Token> subscriber)
    {
        final SubmissionPublisher<Token> publisher = new SubmissionPublisher<>(threads, Flow.defaultBufferSize());
        publisher.subscribe(subscriber);
        final Generation g = generate(input, rows, cols, options,
            (row, position, id) -> publisher.submit(new Token(row, position, id)));
        g.result().whenComplete((r, ex) ->
        {
            if (ex != null)
            {
                publisher.closeExceptionally(ex);
            }
            else
            {
                publisher.close();
            }
        });
        return g;
    }

    @Override
    public void close()
    {
        threads.shutdownNow();
    }
}
