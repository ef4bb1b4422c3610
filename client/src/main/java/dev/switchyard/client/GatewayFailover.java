package dev.switchyard.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchyard.wire.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens several gateways of one cluster, and sends each request to one of them, and again to
 * another when the first did not serve it: it was lost ({@link AnswerStatus#GATEWAY_UNAVAILABLE}) or
 * stopping, did not answer ({@link AnswerStatus#UNAVAILABLE}), or had no room
 * ({@link AnswerStatus#OVERLOADED}). The caller gets one answer, the
 * last gateway's; each gateway is tried once per request, within the request's deadline (what is left
 * of it goes with the request).
 * <p>
 * Each client prefers one gateway, chosen at random, so that clients spread over the gateways; a
 * request goes to the first gateway that is {@link GatewaySession#usable() usable} from there. A
 * request is sent again on a thread of the failover's own: the receiving thread that took the
 * failed answer must not wait for room on another gateway's stream.
 * <p>
 * Each gateway is opened (said hello to until it welcomes the client) on a thread of its own, until
 * it answers or the client closes: the client connects as soon as one answers, and a gateway down
 * at that moment joins when it comes up. Requests are cut to the first one's welcome; a gateway
 * that serves another model is never sent any.
 */
final class GatewayFailover implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(GatewayFailover.class);

    private final List<GatewaySession> gateways;
    private final int preferred;
    /** The first gateway to answer: requests are cut to its welcome. */
    private final CompletableFuture<GatewaySession> first = new CompletableFuture<>();
    private final AtomicInteger failedFirstTries = new AtomicInteger();
    private final List<Thread> openers = new ArrayList<>();
    private volatile boolean closed;
    private final ExecutorService resends = Executors.newSingleThreadExecutor(r ->
    {
        final Thread t = new Thread(r, "switchyard-client-failover");
        t.setDaemon(true);
        return t;
    });

    private GatewayFailover(final List<GatewaySession> gateways)
    {
        this.gateways = List.copyOf(gateways);
        this.preferred = ThreadLocalRandom.current().nextInt(gateways.size());
    }

    /**
     * Opens every gateway of {@code gateways} (their agents already running), returning once one has
     * answered.
     *
     * @throws BadInputException when none answers its first connection's time, or the caller is interrupted
     */
    static GatewayFailover open(final List<GatewaySession> gateways)
    {
        final GatewayFailover failover = new GatewayFailover(gateways);
        for (final GatewaySession g : failover.gateways)
        {
            failover.openers.add(Thread.ofVirtual().name("switchyard-client-open").start(() -> failover.open(g)));
        }
        try
        {
            failover.first.get();
            return failover;
        }
        catch (final ExecutionException ex)
        {
            failover.close();
            throw ex.getCause() instanceof RuntimeException r ? r : new BadInputException(ex.getCause().toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            failover.close();
            throw new BadInputException("interrupted while connecting to the gateways");
        }
    }

    /** Says hello to {@code g} until it welcomes the client (or the client closes), then admits it. */
    private void open(final GatewaySession g)
    {
        boolean firstTry = true;
        while (!closed)
        {
            try
            {
                g.open();
            }
            catch (final BadInputException ex)
            {
                if (firstTry && failedFirstTries.incrementAndGet() == gateways.size())
                {
                    // Under the lock: a gateway answering at this moment is either the first or too late.
                    synchronized (first)
                    {
                        first.completeExceptionally(new BadInputException("no gateway answered: " +
                            ex.getMessage() + " (and " + (gateways.size() - 1) + " more)"));
                    }
                }
                firstTry = false;
                continue;
            }
            synchronized (first)
            {
                if (!first.isDone())
                {
                    // Admitted before connecting returns: the caller's first request may go here.
                    g.admit();
                    first.complete(g);
                    return;
                }
            }
            if (first.isCompletedExceptionally())
            {
                return;
            }
            final String differs = g.differsFrom(first.join());
            if (differs != null)
            {
                LOG.error("{}: no request goes to the second", differs);
                return;
            }
            g.admit();
            return;
        }
    }

    /** The first gateway to answer: requests are cut to its welcome. */
    GatewaySession first()
    {
        return first.join();
    }

    /**
     * Sends {@code request} to the first usable gateway from the preferred one; the future answers it
     * once.
     *
     * @throws dev.switchyard.wire.BadInputException when the request is malformed
     */
    CompletableFuture<InferAnswer> send(final ClientRequest request)
    {
        final int usable = usableFrom(preferred, gateways.size());
        // None usable: the first to answer, which fails the request at once as its gateway's loss.
        final int first = usable < 0 ? gateways.indexOf(first()) : usable;
        final CompletableFuture<InferAnswer> answer = new CompletableFuture<>();
        follow(gateways.get(first).send(request), request, first, 1, System.nanoTime(), answer);
        return answer;
    }

    /** Completes {@code answer} with {@code sent}'s answer, or sends the request again elsewhere. */
    private void follow(
        final CompletableFuture<InferAnswer> sent, final ClientRequest request, final int at, final int tries,
        final long startNs, final CompletableFuture<InferAnswer> answer)
    {
        sent.whenComplete((a, ex) ->
        {
            if (ex != null)
            {
                answer.completeExceptionally(ex);
                return;
            }
            final int next = tries < gateways.size() && notServed(a) ? usableFrom(at + 1, gateways.size() - 1) : -1;
            final ClientRequest again = next < 0 ? null : withDeadlineLeft(request, startNs);
            if (again == null)
            {
                answer.complete(a);
                return;
            }
            resends.execute(() ->
            {
                try
                {
                    follow(gateways.get(next).send(again), again, next, tries + 1, startNs, answer);
                }
                catch (final RuntimeException failed)
                {
                    answer.complete(a);
                }
            });
        });
    }

    /**
     * Whether the gateway did not serve the request: lost, stopping, silent, or its queue full (admission
     * is each gateway's own: another may have room).
     */
    private static boolean notServed(final InferAnswer a)
    {
        return a.status() == AnswerStatus.GATEWAY_UNAVAILABLE || a.status() == AnswerStatus.UNAVAILABLE ||
            a.status() == AnswerStatus.OVERLOADED;
    }

    /** The first usable of {@code count} gateways from {@code start}, in turn; -1 when none is. */
    private int usableFrom(final int start, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final int g = (start + i) % gateways.size();
            if (gateways.get(g).usable())
            {
                return g;
            }
        }
        return -1;
    }

    /** {@code request} with what is left of its deadline; null when nothing is. */
    private static ClientRequest withDeadlineLeft(final ClientRequest request, final long startNs)
    {
        final Duration deadline = request.options().deadline();
        if (deadline == null)
        {
            return request;
        }
        final Duration left = deadline.minusNanos(System.nanoTime() - startNs);
        return left.toMillis() < 1 ? null : new ClientRequest(request.tokens(), request.rows(), request.importance(),
            request.wantRouting(), request.options().withDeadline(left), request.output());
    }

    @Override
    public void close()
    {
        closed = true;
        openers.forEach(Thread::interrupt);
        resends.shutdownNow();
    }
}
