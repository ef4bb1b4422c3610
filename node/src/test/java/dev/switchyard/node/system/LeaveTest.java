package dev.switchyard.node.system;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.testkit.Await;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node's leave ends when the actor system's shutdown phases do, even if the system never terminates
 * (an Artery stream that stalls does that): the node then stops its data plane cleanly, not after a
 * minute and not with its thread interrupted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaveTest
{
    @Test
    void aSystemThatCannotTerminateDelaysTheLeaveOnlyByItsPhaseTimeout() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(1);
        final ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx ->
        {
            // Holds its dispatcher thread while stopping, so the system cannot finish terminating.
            ctx.spawn(Behaviors.setup(self ->
            {
                started.countDown();
                return Behaviors.receive(Object.class)
                    .onSignal(PostStop.class, stop ->
                    {
                        release.await();
                        return Behaviors.same();
                    })
                    .build();
            }), "stuck");
            return Behaviors.empty();
        }), "leave", ConfigFactory.parseString("""
            pekko.coordinated-shutdown.phases.actor-system-terminate.timeout = 1 s
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            pekko.loglevel = ERROR
            """));
        try
        {
            // The guardian spawns it on its dispatcher after create returns: a leave before that finds
            // nothing stuck.
            assertTrue(started.await(20, TimeUnit.SECONDS), "the stuck actor did not start");
            final long start = System.nanoTime();
            PlacementRole.leave(system, 60);
            final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertFalse(system.getWhenTerminated().toCompletableFuture().isDone(),
                "the scenario needs a system that has not terminated");
            assertTrue(tookMs < 10_000, "the leave took " + tookMs + " ms for a 1 s phase timeout");
            assertFalse(Thread.currentThread().isInterrupted(), "the leave left the caller's thread interrupted");
        }
        finally
        {
            release.countDown();
        }
        Await.until(() -> system.getWhenTerminated().toCompletableFuture().isDone(), Duration.ofSeconds(20),
            () -> "the system did not terminate once its actor stopped");
    }
}
