package dev.switchyard.node.cluster;

import java.time.Duration;

import dev.switchyard.experts.actor.ExpertActor;
import dev.switchyard.experts.actor.ExpertId;
import dev.switchyard.node.placement.ExpertCopies;
import dev.switchyard.node.placement.Replicas;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Keeps every expert alive: tells each entity (every replica of it) {@code KeepAlive} now and periodically, so sharding
 * starts all of them (and restarts them on their new node after a rebalance) whether or not a
 * gateway is asking. Passivation is off for experts, so once started they stay.
 */
public final class ExpertKeeper
{
    private record Tick()
    {
    }

    private ExpertKeeper()
    {
    }

    public static Behavior<Object> create(final int layers, final int experts, final Duration interval)
    {
        return create(layers, experts, Replicas.ONE, interval);
    }

    /** Keeps every copy {@code copies} names now alive (placement may add and remove extra copies). */
    public static Behavior<Object> create(
        final int layers, final int experts, final ExpertCopies copies, final Duration interval)
    {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        {
            final ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
            timers.startTimerWithFixedDelay(new Tick(), interval);
            ctx.getSelf().tell(new Tick());
            return Behaviors.receiveMessage(m ->
            {
                for (final ExpertId id : copies.ids(layers, experts))
                {
                    sharding.entityRefFor(ExpertActor.TYPE_KEY, id.entityId()).tell(new ExpertActor.KeepAlive());
                }
                return Behaviors.same();
            });
        }));
    }
}
