package dev.switchyard.dataplane;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchyard.testkit.Await;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An exception out of a duty cycle is counted and the agent goes on; a stopped runner is seen. */
class AgentErrorsTest
{
    @Test
    void anAgentThatThrowsIsCountedAndCarriesOn()
    {
        final AtomicLong errors = new AtomicLong();
        final AtomicLong cycles = new AtomicLong();
        final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), new AgentErrors("test", errors),
            null, new Agent()
            {
                @Override
                public int doWork()
                {
                    if (cycles.incrementAndGet() % 2 == 0)
                    {
                        throw new IllegalStateException("every other cycle fails");
                    }
                    return 0;
                }

                @Override
                public String roleName()
                {
                    return "thrower";
                }
            });
        AgentRunner.startOnThread(runner);
        Await.until(() -> errors.get() >= 5, Duration.ofSeconds(10), () -> "errors were not counted: " + errors.get());
        assertTrue(AgentErrors.running(runner));
        assertTrue(cycles.get() >= 2 * errors.get() - 1);
        runner.close();
        assertFalse(AgentErrors.running(runner));
    }
}
