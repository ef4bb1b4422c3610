package dev.switchyard.node.placement;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.switchyard.experts.actor.ExpertHost;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * An expert node that leaves (SIGTERM, or closed) first hands its experts over while it still
 * serves them: it tells placement it is leaving, and placement moves each of its copies away over
 * a bridge ({@link Bridges}), so that no expert is ever without a copy that serves. Only then does
 * sharding's own hand-off run, with nothing left to move. The node waits until it hosts no copy,
 * or until placement has moved nothing of it for a while (no other node can take them, or
 * placement is off), at most {@link #MOST}; what is still here then is handed off by sharding,
 * its blocks waiting for the next home.
 * <p>
 * There is nothing to hand over, and so no wait, when no other expert node is up to take the
 * experts (a node alone), or when the cluster downed this node: it is no longer a member that
 * placement would move anything for.
 */
public final class LeaveHandOver
{
    /** The longest a leaving node waits for its experts to move (the phase's timeout is longer). */
    public static final Duration MOST = Duration.ofSeconds(25);
    private static final Duration IDLE = Duration.ofSeconds(3);
    private static final long POLL_MS = 250;

    private LeaveHandOver()
    {
    }

    /**
     * Adds the hand-over to the node's shutdown, before the cluster shutdown phases.
     *
     * @param hosting whether the node still hosts a copy of any expert
     */
    public static void register(
        final ActorSystem<?> system, final ActorRef<Topic.Command<PlacementMessage>> topic, final String self,
        final PlacementBoard board, final BooleanSupplier hosting, final String expertRole)
    {
        final CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(), "hand-over-experts",
            () -> anyoneToTakeOver(system, shutdown, expertRole) ? handOver(topic, self, board, hosting) :
                CompletableFuture.completedFuture(Done.getInstance()));
    }

    /** Whether the node is still a member and another expert node is up to take its experts. */
    private static boolean anyoneToTakeOver(
        final ActorSystem<?> system, final CoordinatedShutdown shutdown, final String expertRole)
    {
        if (shutdown.getShutdownReason().filter(CoordinatedShutdown.clusterDowningReason()::equals).isPresent())
        {
            return false;
        }
        final Cluster cluster = Cluster.get(system);
        for (final Member m : cluster.state().getMembers())
        {
            if (m.status() == MemberStatus.up() && m.hasRole(expertRole) && !m.equals(cluster.selfMember()) &&
                !cluster.state().getUnreachable().contains(m))
            {
                return true;
            }
        }
        return false;
    }

    private static CompletionStage<Done> handOver(
        final ActorRef<Topic.Command<PlacementMessage>> topic, final String self, final PlacementBoard board,
        final BooleanSupplier hosting)
    {
        if (!hosting.getAsBoolean())
        {
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        ExpertHost.MEMBERSHIP.info("leaving: handing this node's experts over before it leaves the cluster");
        final long startNs = System.nanoTime();
        final CompletableFuture<Done> done = new CompletableFuture<>();
        poll(topic, self, board, hosting, startNs, startNs, done);
        return done;
    }

    private static void poll(
        final ActorRef<Topic.Command<PlacementMessage>> topic, final String self, final PlacementBoard board,
        final BooleanSupplier hosting, final long startNs, final long lastMoveNs, final CompletableFuture<Done> done)
    {
        final long nowNs = System.nanoTime();
        if (!hosting.getAsBoolean())
        {
            ExpertHost.MEMBERSHIP.info("leaving: every expert handed over in {} ms",
                TimeUnit.NANOSECONDS.toMillis(nowNs - startNs));
            done.complete(Done.getInstance());
            return;
        }
        final boolean moving = board.state().bridges().stream().anyMatch(b -> b.from().equals(self));
        final long last = moving ? nowNs : lastMoveNs;
        if (nowNs - startNs > MOST.toNanos() || nowNs - last > IDLE.toNanos())
        {
            ExpertHost.MEMBERSHIP.info("leaving: {} ms spent handing experts over; sharding hands off the rest",
                TimeUnit.NANOSECONDS.toMillis(nowNs - startNs));
            done.complete(Done.getInstance());
            return;
        }
        // Said again each time: the topic delivers at most once, and the coordinator may move.
        topic.tell(Topic.publish(new PlacementMessage.Leaving(self)));
        final Executor later = CompletableFuture.delayedExecutor(POLL_MS, TimeUnit.MILLISECONDS);
        later.execute(() -> poll(topic, self, board, hosting, startNs, last, done));
    }
}
