package dev.switchyard.dataplane;

import java.util.concurrent.atomic.AtomicLong;

import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

/**
 * The lifecycle of one data-plane agent. The agent runs on a thread of its own, named after its role,
 * or joins a runner that several agents share (a {@code CompositeAgent} its owner starts). An exception
 * that escapes a duty cycle is counted ({@link AgentErrors}) and the agent carries on. Closing the host
 * stops the thread, which closes the agent there; an agent that never ran is closed by the caller's
 * thread instead, so its resources are released either way.
 */
public final class AgentHost implements AutoCloseable
{
    private final Agent agent;
    private final String name;
    private final AtomicLong errors;
    private volatile AgentRunner runner;
    private volatile boolean closed;

    /**
     * @param agent  the agent hosted
     * @param name   the agent as the error log names it when it runs on its own thread
     * @param errors where exceptions out of its duty cycle are counted when it runs on its own thread
     */
    public AgentHost(final Agent agent, final String name, final AtomicLong errors)
    {
        this.agent = agent;
        this.name = name;
        this.errors = errors;
    }

    /** Starts the agent on a thread of its own, idling with {@code idle} when a cycle found no work. */
    public void start(final IdleStrategy idle)
    {
        final AgentRunner own = new AgentRunner(idle, new AgentErrors(name, errors), null, agent);
        runner = own;
        AgentRunner.startOnThread(own);
    }

    /**
     * Runs the agent on {@code shared}, a runner of several agents that its owner starts, rather than
     * on a thread of its own. Errors are counted by the shared runner's handler; closing this host
     * closes the shared runner, and so every agent on it.
     */
    public void runOn(final AgentRunner shared)
    {
        runner = shared;
    }

    /** Whether the thread that runs the agent (its own or a shared one) is running it. */
    public boolean running()
    {
        return !closed && AgentErrors.running(runner);
    }

    /** Whether {@link #close()} was called. */
    public boolean closed()
    {
        return closed;
    }

    /**
     * Whether the agent was given a thread that has stopped while this host is still open: the
     * agent's thread failed, or the runner it shared was closed by another agent. Nothing runs the
     * agent's duty cycle then, so work queued for it would never be done.
     */
    public boolean abandoned()
    {
        final AgentRunner current = runner;
        return current != null && !closed && !AgentErrors.running(current);
    }

    @Override
    public void close()
    {
        closed = true;
        final AgentRunner current = runner;
        if (current != null)
        {
            CloseHelper.quietClose(current);
        }
        else
        {
            agent.onClose();
        }
    }
}
