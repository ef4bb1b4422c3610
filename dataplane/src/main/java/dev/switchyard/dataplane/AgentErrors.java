package dev.switchyard.dataplane;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The error handler of a data-plane agent: an exception that escapes a duty cycle is counted and
 * logged (the first with its stack, then at most once per interval) and the agent carries on with
 * its next cycle. Handling never throws, so it cannot be what stops the agent.
 */
public final class AgentErrors implements ErrorHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(AgentErrors.class);
    private static final long LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final String agent;
    private final AtomicLong count;
    private long lastLogNs;
    private long suppressed;

    /** @param count where the errors are counted (a metric of the agent's owner) */
    public AgentErrors(final String agent, final AtomicLong count)
    {
        this.agent = agent;
        this.count = count;
    }

    @Override
    public void onError(final Throwable throwable)
    {
        final long n = count.incrementAndGet();
        try
        {
            final long now = System.nanoTime();
            if (n == 1 || now - lastLogNs > LOG_INTERVAL_NS)
            {
                LOG.error("{}: a duty cycle failed ({} so far, {} not logged); carrying on", agent, n, suppressed,
                    throwable);
                lastLogNs = now;
                suppressed = 0;
            }
            else
            {
                suppressed++;
            }
        }
        catch (final Throwable ignored)
        {
            // Logging itself failed (out of memory, a closed appender): the count above still tells.
        }
    }

    public long count()
    {
        return count.get();
    }

    /**
     * Whether {@code runner} runs its agent: not closed, and its thread (once it has taken the
     * runner: a moment after it is started) still alive.
     */
    public static boolean running(final AgentRunner runner)
    {
        if (runner == null || runner.isClosed())
        {
            return false;
        }
        final Thread thread = runner.thread();
        return thread == null || thread != AgentRunner.TOMBSTONE && thread.isAlive();
    }
}
