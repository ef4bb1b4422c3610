package dev.switchyard.tools.replay;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.tools.report.RunStats;
import dev.switchyard.tools.report.SecondSample;

/**
 * Sends a schedule open loop: each request leaves at its intended time whatever the answers do,
 * and its latency counts from that intended time, so that queueing in the system shows and no
 * coordinated omission hides it. How late each request actually left is measured too: a sender
 * that cannot keep up shows there. A progress line goes out every second.
 */
public final class OpenLoopRunner
{
    private static final long SPIN_BELOW_NS = 60_000;
    private static final long PARK_MARGIN_NS = 50_000;
    /** After the last send, how long answers may stop coming before the run gives up on the rest. */
    private static final long ANSWER_SILENCE_NS = TimeUnit.SECONDS.toNanos(30);
    /** After the last send, the longest wait for answers however they trickle in. */
    private static final long DRAIN_LIMIT_NS = TimeUnit.SECONDS.toNanos(90);
    /** Between two looks at the gateway while waiting for a request's time. */
    private static final long LOST_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Once the gateway is gone, how long the requests the client has ended may take to be counted. */
    /** What a gateway's answer says when it is closing: it will answer nothing more. */
    private static final String SHUTTING_DOWN = "shutting down";
    private static final long SETTLE_NS = TimeUnit.SECONDS.toNanos(2);

    private final SwitchyardClient client;
    private final RunStats stats;
    private final AnswerCheck check;
    private final PrintStream progress;
    private SendObserver observer = SendObserver.NONE;
    private long sendWindowNs = Long.MAX_VALUE;
    /** When the run first saw the gateway gone (System.nanoTime()), 0 while it has not. */
    private long lostAtNs;
    /** The gateway's own word that it is going away (an answer saying it shuts down), or null. */
    private volatile String goingAway;

    /**
     * @param check    compares answers with the recorded ones, or null
     * @param progress where the line of every second goes, or null
     */
    public OpenLoopRunner(
        final SwitchyardClient client, final RunStats stats, final AnswerCheck check, final PrintStream progress)
    {
        this.client = client;
        this.stats = stats;
        this.check = check;
        this.progress = progress;
    }

    /** Shows every request sent and every answer to {@code observer} (set before {@link #run}). */
    public OpenLoopRunner observe(final SendObserver observer)
    {
        this.observer = observer;
        return this;
    }

    /**
     * Requests not yet sent when the run is {@code windowNs} old are not sent: a sender that fell
     * behind its schedule ends on time instead of catching up for as long as it is behind.
     * Unbounded unless set (before {@link #run}).
     */
    public OpenLoopRunner sendWindow(final long windowNs)
    {
        this.sendWindowNs = windowNs;
        return this;
    }

    /**
     * Sends the schedule, then waits for the answers. Ends early once the gateway is going or gone:
     * when it answers that it is shutting down, or, within the client's gateway timeout, once the
     * client has given it up (a killed gateway answers nothing more).
     */
    public RunEnd run(final Iterable<ScheduledRequest> schedule) throws InterruptedException
    {
        final ExecutorService checker = Executors.newSingleThreadExecutor(r -> daemon(r, "replay-check"));
        final long start = System.nanoTime();
        stats.start(start);
        final Thread ticker = daemon(() -> tick(start), "replay-progress");
        ticker.start();
        long behind = -1;
        final Iterator<ScheduledRequest> requests = schedule.iterator();
        try
        {
            while (requests.hasNext() && !lost())
            {
                final ScheduledRequest r = requests.next();
                final long due = start + r.offsetNs();
                if (System.nanoTime() - start >= sendWindowNs)
                {
                    behind = System.nanoTime() - due;
                    break;
                }
                if (waitUntil(due))
                {
                    send(r, due, checker);
                }
            }
            drain();
            stats.finish(System.nanoTime());
        }
        finally
        {
            if (requests instanceof AutoCloseable closeable)
            {
                closeQuietly(closeable);
            }
            ticker.interrupt();
            ticker.join();
            checker.shutdown();
            checker.awaitTermination(1, TimeUnit.MINUTES);
        }
        stats.sampleSecond((int)((System.nanoTime() - start) / 1_000_000_000L));
        final String why = client.lostGateway() != null ? client.lostGateway() : goingAway;
        return new RunEnd(stats.sent() - stats.answered(), why, why == null ? -1 : lostAtNs - start, behind);
    }

    /** Waits for the answers: until all came, the gateway is gone, or none came for a while. */
    private void drain() throws InterruptedException
    {
        long answered = stats.answered();
        long lastChange = System.nanoTime();
        final long begin = lastChange;
        while (stats.answered() < stats.sent() && !lost() && System.nanoTime() - lastChange < ANSWER_SILENCE_NS &&
            System.nanoTime() - begin < DRAIN_LIMIT_NS)
        {
            Thread.sleep(5);
            if (stats.answered() != answered)
            {
                answered = stats.answered();
                lastChange = System.nanoTime();
            }
        }
        if (lost())
        {
            // The client has ended every request in flight; their answers are being counted.
            final long settle = System.nanoTime();
            while (stats.answered() < stats.sent() && System.nanoTime() - settle < SETTLE_NS)
            {
                Thread.sleep(1);
            }
        }
    }

    private boolean lost()
    {
        if (lostAtNs == 0 && (client.lostGateway() != null || goingAway != null))
        {
            lostAtNs = System.nanoTime();
        }
        return lostAtNs != 0;
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        try
        {
            closeable.close();
        }
        catch (final Exception ex)
        {
            // The schedule's source is read-only: nothing is lost when closing it fails.
        }
    }

    private void send(final ScheduledRequest r, final long due, final ExecutorService checker)
    {
        final RequestOptions options = new RequestOptions(r.keepApart(), r.layer(),
            r.deadlineMicros() > 0 ? Duration.ofNanos(r.deadlineMicros() * 1000) : null);
        try
        {
            observer.sent(r, System.nanoTime());
            client.infer(r.tokens(), r.rows(), r.importance(), r.wantRouting(), options)
                .whenComplete((answer, failure) -> onAnswer(r, due, answer, failure, checker));
            // A request has left once the client has offered it (which waits while the way to the gateway is full).
            stats.onSent(System.nanoTime() - due);
        }
        catch (final RuntimeException ex)
        {
            stats.onSent(System.nanoTime() - due);
            stats.onAnswer(AnswerStatus.INTERNAL, r.rows(), System.nanoTime() - due);
        }
    }

    private void onAnswer(
        final ScheduledRequest r, final long due, final InferAnswer answer, final Throwable failure,
        final ExecutorService checker)
    {
        final long latency = System.nanoTime() - due;
        if (failure != null || answer == null)
        {
            stats.onAnswer(AnswerStatus.INTERNAL, r.rows(), latency);
            return;
        }
        if (answer.status() == AnswerStatus.UNAVAILABLE && answer.detail() != null &&
            answer.detail().contains(SHUTTING_DOWN) && goingAway == null)
        {
            goingAway = "it answered: " + answer.detail();
        }
        observer.answered(r, answer, System.nanoTime());
        if (check != null)
        {
            checker.execute(() -> check.check(r, answer));
        }
        stats.onAnswer(answer.status(), r.rows(), latency);
    }

    /** Waits until {@code due}, looking at the gateway now and then; false when it is gone meanwhile. */
    private boolean waitUntil(final long due)
    {
        long left;
        while ((left = due - System.nanoTime()) > 0)
        {
            if (left > SPIN_BELOW_NS)
            {
                if (lost())
                {
                    return false;
                }
                LockSupport.parkNanos(Math.min(left - PARK_MARGIN_NS, LOST_CHECK_NS));
            }
            else
            {
                Thread.onSpinWait();
            }
        }
        return true;
    }

    private void tick(final long start)
    {
        int second = 0;
        while (!Thread.currentThread().isInterrupted())
        {
            final long next = start + (second + 1) * 1_000_000_000L;
            long left;
            while ((left = next - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(left);
                if (Thread.currentThread().isInterrupted())
                {
                    return;
                }
            }
            final SecondSample s = stats.sampleSecond(second++);
            if (progress != null)
            {
                long errors = 0;
                for (final var e : stats.statuses().entrySet())
                {
                    errors += e.getKey().equals("OK") ? 0 : e.getValue();
                }
                progress.printf(Locale.ROOT,
                    "%4ds  sent %d  answered %d  in flight %d  errors %d  p99 of this second %.2f ms%n",
                    second, stats.sent(), stats.answered(), s.inFlight(), errors, s.p99Ms());
                progress.flush();
            }
        }
    }

    private static Thread daemon(final Runnable r, final String name)
    {
        final Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
