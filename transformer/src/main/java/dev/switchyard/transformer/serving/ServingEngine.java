package dev.switchyard.transformer.serving;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

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
    private final CheckpointDecoder decoder;
    private final int[] eos;
    private final EngineLimits limits;
    private final EngineObserver observer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Running> waiting = new ArrayDeque<>(); // guarded by lock
    private final List<Running> admitted = new ArrayList<>();       // guarded by lock: to prefill
    private final List<Running> running = new ArrayList<>();        // engine thread only
    private final Thread thread;
    private long reserved;   // guarded by lock: positions held by admitted and running sequences
    private int holding;     // guarded by lock: admitted and running sequences
    private long submitted;  // guarded by lock
    private boolean closed;  // guarded by lock

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
        lock.lock();
        try
        {
            if (closed)
            {
                return new Admission.Overloaded("the engine is closed");
            }
            final Running r = new Running(request, listener, new SequenceHandle(++submitted, this::wake));
            if (waiting.isEmpty() && fits(r))
            {
                admit(r);
            }
            else if (waiting.size() < limits.maxQueued())
            {
                waiting.add(r);
            }
            else
            {
                return new Admission.Overloaded("overloaded: " + holding + " sequences running and " +
                    waiting.size() + " waiting (at most " + limits.maxRunning() + " and " + limits.maxQueued() + ")");
            }
            work.signal();
            return new Admission.Accepted(r.handle);
        }
        finally
        {
            lock.unlock();
        }
    }

    private boolean fits(final Running r)
    {
        return holding < limits.maxRunning() && reserved + r.request.positions() <= limits.tokenBudget();
    }

    private void admit(final Running r)
    {
        holding++;
        reserved += r.request.positions();
        admitted.add(r);
        observer.admitted(System.nanoTime() - r.submittedNanos);
    }

    private void wake()
    {
        lock.lock();
        try
        {
            work.signal();
        }
        finally
        {
            lock.unlock();
        }
    }

    private void loop()
    {
        while (true)
        {
            final List<Running> fresh = new ArrayList<>();
            final List<Running> dropped = new ArrayList<>();
            lock.lock();
            try
            {
                while (!closed && admitted.isEmpty() && running.isEmpty() && !anyCancelled(waiting))
                {
                    work.awaitUninterruptibly();
                }
                if (closed)
                {
                    return;
                }
                for (final Iterator<Running> i = waiting.iterator(); i.hasNext();)
                {
                    final Running r = i.next();
                    if (r.handle.cancelled())
                    {
                        i.remove();
                        dropped.add(r);
                    }
                }
                fresh.addAll(admitted);
                admitted.clear();
            }
            finally
            {
                lock.unlock();
            }
            dropped.forEach(r -> r.listener.end(r.end(End.Reason.CANCELLED, null)));
            step(fresh);
        }
    }

    private static boolean anyCancelled(final Iterable<Running> rs)
    {
        for (final Running r : rs)
        {
            if (r.handle.cancelled())
            {
                return true;
            }
        }
        return false;
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
            if (r.choose(logits, i * v, v, eos))
            {
                done.add(r);
            }
        }
        observer.tokens(rows);
        running.removeAll(done);
        done.forEach(r -> finish(r, r.ended, null));
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
        if (r.choose(logits, (n - 1) * v, v, eos))
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
        lock.lock();
        try
        {
            holding--;
            reserved -= r.request.positions();
            while (!waiting.isEmpty() && fits(waiting.peek()))
            {
                admit(waiting.poll());
            }
        }
        finally
        {
            lock.unlock();
        }
        r.listener.end(r.end(reason, error));
    }

    /** Stops the engine thread; sequences not ended end {@link End.Reason#CANCELLED}. */
    @Override
    public void close()
    {
        lock.lock();
        try
        {
            closed = true;
            work.signal();
        }
        finally
        {
            lock.unlock();
        }
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        final List<Running> left = new ArrayList<>(running);
        lock.lock();
        try
        {
            left.addAll(admitted);
            left.addAll(waiting);
            admitted.clear();
            waiting.clear();
        }
        finally
        {
            lock.unlock();
        }
        running.clear();
        left.forEach(r -> r.listener.end(r.end(End.Reason.CANCELLED, null)));
    }
}
