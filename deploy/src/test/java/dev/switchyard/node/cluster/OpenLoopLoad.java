package dev.switchyard.node.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Open-loop load for the scenario: a request every period, on schedule whatever the answers do,
 * each tagged with the phase of the scenario it was sent in. Latency counts from the scheduled send.
 */
final class OpenLoopLoad implements Runnable
{
    enum Phase
    {
        STEADY, JOIN, KILL, LEAVE, DROP,
        // NetworkLabTest's faults and what follows each
        LOSS_NONE, LOSS_1, LOSS_5, CUT, HEALING, HEALED, FROZEN, THAWING, THAWED, SETTLING, FLAPPING, STEADIED,
        FLAPPED, SPLIT, JOINING, JOINED, ROLLING
    }

    /** A request sent, the phase it was sent in, which input it carried, when, and when it was answered. */
    record Sent(Phase phase, int input, long sentNs, CompletableFuture<InferAnswer> answer, AtomicLong answeredNs)
    {
    }

    private final SwitchyardClient client;
    private final float[][] inputs;
    private final List<Sent> sent;
    volatile Phase phase = Phase.STEADY;
    volatile boolean dropUnavailable;
    volatile boolean stop;
    /** Time between two sends; a change takes effect from the next send on. */
    volatile long periodMs;
    /** The options of every request from the next send on. */
    volatile RequestOptions options;
    /** Which inputs are sent, in turn: indices [first, first + count) of the inputs. */
    volatile int[] inputRange;

    private final int d;

    /**
     * @param inputs  the tokens of each request, [rows, d] each, sent in turn
     * @param sent    receives every request sent
     * @param options the options of every request (DROP is added while {@link #dropUnavailable})
     */
    OpenLoopLoad(final SwitchyardClient client, final float[][] inputs, final int d, final long periodMs,
        final RequestOptions options, final List<Sent> sent)
    {
        this.client = client;
        this.inputs = inputs;
        this.d = d;
        this.periodMs = periodMs;
        this.options = options;
        this.sent = sent;
        this.inputRange = new int[] {0, inputs.length};
    }

    @Override
    public void run()
    {
        long due = System.nanoTime();
        for (long n = 0; !stop; n++, due += TimeUnit.MILLISECONDS.toNanos(periodMs))
        {
            long wait;
            while ((wait = due - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(wait);
            }
            final int[] range = inputRange;
            final int i = range[0] + (int)(n % range[1]);
            final RequestOptions now = options;
            final CompletableFuture<InferAnswer> answer = client.infer(inputs[i], inputs[i].length / d, null,
                false, dropUnavailable ? now.withOnUnavailable(RequestOptions.OnUnavailable.DROP) : now);
            final AtomicLong answeredNs = new AtomicLong();
            answer.whenComplete((a, ex) -> answeredNs.set(System.nanoTime()));
            synchronized (sent)
            {
                sent.add(new Sent(phase, i, due, answer, answeredNs));
                sent.notifyAll();
            }
        }
    }

    int sentInPhase()
    {
        final Phase p = phase;
        synchronized (sent)
        {
            return (int)sent.stream().filter(s -> s.phase() == p).count();
        }
    }

    /** Waits until {@code count} requests have been sent in the current phase (the load runs meanwhile). */
    void awaitSentInPhase(final int count) throws InterruptedException
    {
        final Phase p = phase;
        synchronized (sent)
        {
            while (sent.stream().filter(s -> s.phase() == p).count() < count)
            {
                assertTrue(!stop, "load stopped");
                sent.wait(1_000);
            }
        }
    }

    /** Latency from the scheduled send to the answer, over the phase's answered requests, in ms. */
    double percentile(final Phase p, final double q)
    {
        final List<Long> micros = new ArrayList<>();
        synchronized (sent)
        {
            for (final Sent s : sent)
            {
                if (s.phase() == p && s.answeredNs().get() != 0)
                {
                    micros.add(TimeUnit.NANOSECONDS.toMicros(s.answeredNs().get() - s.sentNs()));
                }
            }
        }
        if (micros.isEmpty())
        {
            return Double.NaN;
        }
        micros.sort(null);
        return micros.get(Math.min(micros.size() - 1, (int)Math.ceil(q * micros.size()) - 1)) / 1000.0;
    }
}
