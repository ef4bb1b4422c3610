package dev.switchyard.dataplane;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.switchyard.testkit.Await;
import dev.switchyard.testkit.Threads;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An agent's lifecycle: its own thread or a shared one, errors counted and survived, closing ends the thread. */
class AgentHostTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Counts its cycles and lifecycle calls, remembers its thread, and fails the cycles it is told to. */
    private static final class Probe implements Agent
    {
        final String role;
        final AtomicLong cycles = new AtomicLong();
        final AtomicInteger starts = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicReference<Thread> thread = new AtomicReference<>();
        volatile boolean failing;

        Probe(final String role)
        {
            this.role = role;
        }

        @Override
        public void onStart()
        {
            starts.incrementAndGet();
        }

        @Override
        public int doWork()
        {
            thread.set(Thread.currentThread());
            cycles.incrementAndGet();
            if (failing)
            {
                throw new IllegalStateException("a failing cycle");
            }
            return 0;
        }

        @Override
        public void onClose()
        {
            closes.incrementAndGet();
        }

        @Override
        public String roleName()
        {
            return role;
        }
    }

    @Test
    void startsOnAThreadNamedAfterTheRoleAndCloseEndsIt()
    {
        final Probe probe = new Probe("probe");
        final AgentHost host = new AgentHost(probe, "probe agent", new AtomicLong());
        assertFalse(host.running(), "not running before it starts");
        host.start(new SleepingMillisIdleStrategy(1));
        Await.until(() -> probe.cycles.get() > 0, TIMEOUT, () -> "the agent never ran a cycle");
        final Thread thread = probe.thread.get();
        assertEquals("probe", thread.getName());
        assertTrue(host.running());
        assertFalse(host.abandoned());
        assertEquals(1, probe.starts.get());

        host.close();
        Threads.joinOrFail(thread, TIMEOUT);
        assertFalse(host.running());
        assertTrue(host.closed());
        assertFalse(host.abandoned(), "a host closed on purpose is not abandoned");
        assertEquals(1, probe.closes.get(), "the agent is closed once, on its thread");
        host.close();
        assertEquals(1, probe.closes.get(), "closing again closes nothing twice");
    }

    @Test
    void anExceptionInACycleIsCountedAndTheAgentCarriesOn()
    {
        final Probe probe = new Probe("thrower");
        final AtomicLong errors = new AtomicLong();
        final AgentHost host = new AgentHost(probe, "thrower agent", errors);
        probe.failing = true;
        host.start(new SleepingMillisIdleStrategy(1));
        Await.until(() -> errors.get() >= 3, TIMEOUT, () -> "errors were not counted: " + errors.get());
        assertTrue(host.running(), "an error does not stop the agent");

        probe.failing = false;
        final long cyclesBefore = probe.cycles.get();
        Await.until(() -> probe.cycles.get() > cyclesBefore + 2, TIMEOUT, () -> "the agent stopped after its errors");
        final long errorsAfter = errors.get();
        assertTrue(errorsAfter >= 3);
        host.close();
        Threads.joinOrFail(probe.thread.get(), TIMEOUT);
        assertEquals(errorsAfter, errors.get(), "cycles that did not fail are not counted");
    }

    @Test
    void anAgentThatNeverRanIsClosedByTheCaller()
    {
        final Probe probe = new Probe("idle");
        final AgentHost host = new AgentHost(probe, "idle agent", new AtomicLong());
        host.close();
        assertEquals(1, probe.closes.get());
        assertEquals(0, probe.starts.get());
        assertEquals(0, probe.cycles.get());
        assertFalse(host.running());
        assertFalse(host.abandoned());
    }

    @Test
    void agentsSharingAThreadStopTogetherAndTheOtherIsAbandoned()
    {
        final Probe first = new Probe("first");
        final Probe second = new Probe("second");
        final AtomicLong sharedErrors = new AtomicLong();
        final AgentHost firstHost = new AgentHost(first, "first agent", new AtomicLong());
        final AgentHost secondHost = new AgentHost(second, "second agent", new AtomicLong());
        final AgentRunner shared = new AgentRunner(new SleepingMillisIdleStrategy(1),
            new AgentErrors("shared", sharedErrors), null, new CompositeAgent(first, second));
        firstHost.runOn(shared);
        secondHost.runOn(shared);
        AgentRunner.startOnThread(shared);
        Await.until(() -> first.cycles.get() > 0 && second.cycles.get() > 0, TIMEOUT,
            () -> "the shared thread did not run both agents");
        final Thread thread = first.thread.get();
        assertSame(thread, second.thread.get(), "both agents run on one thread");
        assertTrue(firstHost.running());
        assertTrue(secondHost.running());

        second.failing = true;
        Await.until(() -> sharedErrors.get() > 0, TIMEOUT, () -> "the shared runner did not count the error");
        assertTrue(secondHost.running(), "an error does not stop the shared thread");
        second.failing = false;

        firstHost.close();
        Threads.joinOrFail(thread, TIMEOUT);
        assertFalse(firstHost.running());
        assertFalse(secondHost.running(), "closing one host stops the thread both ran on");
        assertTrue(secondHost.abandoned(), "the other agent's thread is gone though it was not closed");
        assertEquals(1, first.closes.get());
        assertEquals(1, second.closes.get());
        secondHost.close();
        assertFalse(secondHost.abandoned());
        assertEquals(1, second.closes.get(), "the shared runner closed it already");
    }
}
