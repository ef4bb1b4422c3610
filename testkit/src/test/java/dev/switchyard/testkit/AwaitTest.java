package dev.switchyard.testkit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AwaitTest
{
    @Test
    void returnsOnceTheConditionHolds()
    {
        final AtomicInteger polls = new AtomicInteger();
        Await.until(() -> polls.incrementAndGet() == 3, Duration.ofSeconds(10), () -> "never counted to three");
        assertEquals(3, polls.get());
    }

    @Test
    void failsWithTheMessageAndTheTimeWaitedAtTheDeadline()
    {
        final long start = System.nanoTime();
        final AssertionError error = assertThrows(AssertionError.class,
            () -> Await.until(() -> false, Duration.ofMillis(50), () -> "the door stayed shut"));
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(50).toNanos(), "gave up before the deadline");
        assertTrue(error.getMessage().startsWith("the door stayed shut (waited "), error.getMessage());
        assertTrue(error.getMessage().endsWith(" ms)"), error.getMessage());
    }

    @Test
    void buildsTheMessageOnlyOnFailure()
    {
        Await.until(() -> true, Duration.ofMillis(1), () ->
        {
            throw new IllegalStateException("message built although the condition held");
        });
        assertTrue(true);
    }

    @Test
    void asksACostlyConditionAtMostOncePerInterval()
    {
        final AtomicInteger asked = new AtomicInteger();
        assertThrows(AssertionError.class, () -> Await.until(() -> asked.incrementAndGet() < 0, Duration.ofMillis(200),
            Duration.ofMillis(50), () -> "never"));
        assertTrue(asked.get() >= 2 && asked.get() <= 5, "asked " + asked.get() + " times in 200 ms");
    }
}
