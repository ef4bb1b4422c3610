package dev.switchyard.transformer.serving;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import dev.switchyard.transformer.decoder.CheckpointDecoder;
import dev.switchyard.transformer.decoder.DecoderCache;
import dev.switchyard.wire.BadInputException;

/**
 * Continuous batching over one {@link CheckpointDecoder}: a single engine thread runs steps; requests join
 * and leave the running batch at step boundaries. A step decodes one id for every running sequence in one
 * {@link CheckpointDecoder#step} (the MoE layers see all rows in one call), then prefills the sequences
 * admitted since, each prompt in one pass. Because every part of the model treats a row alone and sampling
 * depends on (seed, position) alone, each request's ids and logits are the bits it gets running alone.
 * Admission is bounded by {@link EngineLimits}: room goes first come first served, a full queue refuses.
 */
public final class ServingEngine implements AutoCloseable
{
    private static final int[] NO_EOS = {};

    private final CheckpointDecoder decoder;
    private final int[] eos;
    private final EngineLimits limits;
    private final EngineObserver observer;
    private final AdmissionControl admission;
    private final List<Running> running = new ArrayList<>(); // engine thread only
    private final Thread thread;

    /**
     * Starts the engine thread. The engine owns the decoder from here on (it is not thread-safe).
     *
     * @param eos ids that end a sequence (included in its ids)
     */
    public ServingEngine(final CheckpointDecoder decoder, final int[] eos, final EngineLimits limits,
        final EngineObserver observer)
    {
        this.decoder = decoder;
        this.eos = eos.clone();
        this.limits = limits;
        this.observer = observer;
        this.admission = new AdmissionControl(limits, observer);
        this.thread = Thread.ofPlatform().name("switchyard-engine").daemon().start(this::loop);
    }

    /** V, the width of the logits. */
    public int vocab()
    {
        return decoder.vocab();
    }

    /**
     * Queues a request: it runs at the next step boundary when the batch and the token budget have room, else
     * waits in the queue, else is refused.
     *
     * @throws BadInputException when an id is outside the vocabulary or the request alone exceeds the budget
     */
    public Admission submit(final SequenceRequest request, final SequenceListener listener)
    {
        for (final int id : request.prompt())
        {
            if (id < 0 || id >= decoder.vocab())
            {
                throw new BadInputException("prompt: id " + id + " is outside the vocabulary 0.." +
                    (decoder.vocab() - 1));
            }
        }
        if (request.positions() > limits.tokenBudget())
        {
            throw new BadInputException("the prompt (" + request.prompt().length + " tokens) plus the most new " +
                "tokens (" + request.options().maxNewTokens() + ") exceed the engine's token budget " +
                limits.tokenBudget());
        }
        return admission.offer(request, listener);
    }

    private void loop()
    {
        while (true)
        {
            final AdmissionControl.Taken taken = admission.take(!running.isEmpty());
            if (taken == null)
            {
                return;
            }
            taken.cancelled().forEach(r -> r.listener.end(r.end(End.Reason.CANCELLED, null)));
            step(taken.fresh());
        }
    }

    /** Frees cancelled sequences, decodes one id for each running one, then prefills the fresh ones. */
    private void step(final List<Running> fresh)
    {
        for (final Iterator<Running> i = running.iterator(); i.hasNext();)
        {
            final Running r = i.next();
            if (r.handle.cancelled())
            {
                i.remove();
                finish(r, End.Reason.CANCELLED, null);
            }
        }
        if (!running.isEmpty())
        {
            decode();
        }
        for (final Running r : fresh)
        {
            if (r.handle.cancelled())
            {
                finish(r, End.Reason.CANCELLED, null);
            }
            else
            {
                prefill(r);
            }
        }
        observer.running(running.size());
    }

    private void decode()
    {
        final int rows = running.size();
        final int v = decoder.vocab();
        final List<DecoderCache> caches = new ArrayList<>(rows);
        final int[] ids = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            caches.add(running.get(i).cache);
            ids[i] = running.get(i).pending;
        }
        final float[] logits = new float[rows * v]; // [rows, V]
        final long start = System.nanoTime();
        try
        {
            decoder.step(caches, ids, logits);
        }
        catch (final RuntimeException ex)
        {
            final List<Running> failed = new ArrayList<>(running);
            running.clear();
            failed.forEach(r -> finish(r, End.Reason.ERROR, String.valueOf(ex.getMessage())));
            return;
        }
        final List<Running> done = new ArrayList<>();
        for (int i = 0; i < rows; i++)
        {
            final Running r = running.get(i);
            if (r.choose(logits, i * v, v, endsOf(r)))
            {
                done.add(r);
            }
        }
        observer.step(rows, System.nanoTime() - start);
        running.removeAll(done);
        done.forEach(r -> finish(r, r.ended, null));
    }

    /** The ids that end r: none where it ignores EOS. */
    private int[] endsOf(final Running r)
    {
        return r.request.ignoreEos() ? NO_EOS : eos;
    }

    private void prefill(final Running r)
    {
        final int n = r.request.prompt().length;
        final int v = decoder.vocab();
        final float[] logits = new float[n * v]; // [n, V]
        try
        {
            r.cache = decoder.sequence(Math.max(1, r.capacity()));
            decoder.append(r.cache, r.request.prompt(), 0, n, logits);
        }
        catch (final RuntimeException ex)
        {
            finish(r, End.Reason.ERROR, String.valueOf(ex.getMessage()));
            return;
        }
        observer.firstToken(System.nanoTime() - r.submittedNanos);
        if (r.choose(logits, (n - 1) * v, v, endsOf(r)))
        {
            finish(r, r.ended, null);
        }
        else
        {
            running.add(r);
        }
    }

    /** Ends a sequence, frees its room and admits waiting requests that now fit. */
    private void finish(final Running r, final End.Reason reason, final String error)
    {
        r.cache = null;
        observer.ended(reason);
        // Room first: a caller that hears the end and asks again at once finds it free.
        admission.release(r);
        r.listener.end(r.end(reason, error));
    }

    /** Stops the engine thread; sequences not ended end {@link End.Reason#CANCELLED}. */
    @Override
    public void close()
    {
        final List<Running> left = admission.close();
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        left.addAll(0, running);
        running.clear();
        left.forEach(r -> r.listener.end(r.end(End.Reason.CANCELLED, null)));
    }
}
