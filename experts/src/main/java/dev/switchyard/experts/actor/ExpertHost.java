package dev.switchyard.experts.actor;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.switchyard.experts.endpoint.ExpertEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an expert actor needs from its node: the endpoint that serves its blocks, the loader of its
 * weights and an executor for that blocking load; the copies of experts it hosts; and when the node started, so that
 * the node's log tells how long joining took until its first expert could be served.
 */
public record ExpertHost(
    ExpertEndpoint endpoint, ExpertLoader loader, Executor loadExecutor, long startedNs, AtomicBoolean served,
    LocalCopies copies)
{
    /** Joins, leaves, crashes and recoveries: what an operator reads in a node's log (INFO). */
    public static final Logger MEMBERSHIP = LoggerFactory.getLogger("dev.switchyard.membership");

    public ExpertHost(final ExpertEndpoint endpoint, final ExpertLoader loader, final Executor loadExecutor)
    {
        this(endpoint, loader, loadExecutor, System.nanoTime(), new AtomicBoolean(), new LocalCopies());
    }

    /** Logs, once per node, that its first expert is ready to serve and how long after the node started. */
    void firstServed(final String entityId)
    {
        if (served.compareAndSet(false, true))
        {
            MEMBERSHIP.info("first expert served: {} ready {} ms after this node started", entityId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNs));
        }
    }
}
