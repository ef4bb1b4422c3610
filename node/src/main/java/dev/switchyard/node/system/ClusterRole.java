package dev.switchyard.node.system;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import dev.switchyard.experts.actor.ExpertActor;
import dev.switchyard.experts.actor.ExpertHost;
import dev.switchyard.node.config.ClusterTls;
import dev.switchyard.node.placement.ExpertShards;
import dev.switchyard.node.placement.LeaveHandOver;
import dev.switchyard.node.placement.PlacementBoard;
import dev.switchyard.node.placement.PlacementMessage;
import dev.switchyard.node.placement.PlacementSettings;
import dev.switchyard.node.placement.ReplicaAllocation;
import dev.switchyard.node.placement.Replicas;
import dev.switchyard.node.placement.WorkAllocation;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * The node in the cluster: its actor system (roles, seeds, TLS), placement's state and topic,
 * sharding of the experts (hosted here on an experts node) with placement's allocation, the join,
 * and on an experts node the hand-over of its experts when it leaves.
 * <p>
 * Closing it only starts the actor system's termination: it is there for a start that failed. A
 * node that started has left the cluster by then, waiting, in {@link PlacementRole#close()}, the
 * last cluster part to start.
 */
final class ClusterRole implements AutoCloseable
{
    /** Expert copies moved per rebalance round, as least-shard-allocation-strategy.rebalance-absolute-limit. */
    private static final int REBALANCE_LIMIT = 20;

    private final ActorSystem<Void> system;
    private final PlacementSettings placement;
    private final PlacementBoard board;
    private final ActorRef<Topic.Command<PlacementMessage>> topic;

    private ClusterRole(
        final ActorSystem<Void> system, final PlacementSettings placement, final PlacementBoard board,
        final ActorRef<Topic.Command<PlacementMessage>> topic)
    {
        this.system = system;
        this.placement = placement;
        this.board = board;
        this.topic = topic;
    }

    /** @param host where sharding's expert actors load, or null on a node without the experts role */
    static ClusterRole start(final NodeSettings settings, final Config full, final ExpertHost host)
    {
        final ActorSystem<Void> system = ActorSystem.create(
            Behaviors.empty(), settings.systemName(), pekkoConfig(settings, full));
        try
        {
            final Replicas replicas = Replicas.from(full);
            final PlacementSettings placement = PlacementSettings.from(full);
            final PlacementBoard board = new PlacementBoard(replicas, placement.forgetAfter().toMillis());
            final ActorRef<Topic.Command<PlacementMessage>> topic = system.systemActorOf(
                Topic.create(PlacementMessage.class, PlacementMessage.TOPIC), "placement-topic", Props.empty());
            final ClusterRole role = new ClusterRole(system, placement, board, topic);
            role.shardExperts(host);
            role.join(settings);
            if (host != null && placement.enabled())
            {
                LeaveHandOver.register(system, topic, role.self(), board, () -> host.copies().hosting(),
                    SwitchyardNode.ROLE_EXPERTS);
            }
            return role;
        }
        catch (final RuntimeException ex)
        {
            system.terminate();
            throw ex;
        }
    }

    /** Every copy of every expert an entity, on experts nodes, allocated by placement's measured work. */
    private void shardExperts(final ExpertHost host)
    {
        final ClusterSharding sharding = ClusterSharding.get(system);
        final ActorRef<?> region = sharding.init(
            Entity.of(ExpertActor.TYPE_KEY, ctx -> ExpertActor.create(ctx.getEntityId(), host))
                .withStopMessage(new ExpertActor.HandOff())
                .withRole(SwitchyardNode.ROLE_EXPERTS)
                .withMessageExtractor(new ExpertShards())
                .withAllocationStrategy(new WorkAllocation(new ReplicaAllocation(
                    org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)), REBALANCE_LIMIT),
                    board, placement, state -> topic.tell(Topic.publish(state)),
                    id -> sharding.entityRefFor(ExpertActor.TYPE_KEY, id.entityId())
                        .tell(new ExpertActor.Retire()))));
        stopIdleRegionBeforeLeaving(region, host != null);
    }

    /**
     * A region that holds no shards has nothing to hand off when the node leaves: a gateway's proxy
     * (its gateway has drained by then), or an experts node's region on a node that never became a
     * member (shards go to members that are Up). Sharding's graceful stop of such a region waits until
     * its buffers empty, which they never do without a coordinator (the last experts node has gone, or
     * the node never joined: the keeper's messages wait for one), so the node would stop only when the
     * phase's timeout (10 s) ends. Stopping the region before the sharding phase ends that phase at once.
     */
    private void stopIdleRegionBeforeLeaving(final ActorRef<?> region, final boolean hostsShards)
    {
        final org.apache.pekko.actor.ActorRef classic = Adapter.toClassic(region);
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(), "stop-idle-region",
            () ->
            {
                final MemberStatus status = Cluster.get(system).selfMember().status();
                if (!hostsShards || status == MemberStatus.removed() || status == MemberStatus.joining())
                {
                    classic.tell(PoisonPill.getInstance(), org.apache.pekko.actor.ActorRef.noSender());
                }
                return CompletableFuture.completedFuture(Done.getInstance());
            });
    }

    /** Without seeds the node is the first of its cluster: it joins itself. */
    private void join(final NodeSettings settings)
    {
        if (settings.seedNodes().isEmpty())
        {
            final Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
    }

    private static Config pekkoConfig(final NodeSettings settings, final Config full)
    {
        final List<String> roles = new ArrayList<>();
        if (settings.runsGateway())
        {
            roles.add(SwitchyardNode.ROLE_GATEWAY);
        }
        if (settings.runsExperts())
        {
            roles.add(SwitchyardNode.ROLE_EXPERTS);
        }
        final List<String> seeds = new ArrayList<>();
        for (final String seed : settings.seedNodes())
        {
            seeds.add("pekko://" + settings.systemName() + "@" + seed);
        }
        return ClusterTls.pekkoOverrides(full)
            .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(settings.clusterHost()))
            .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(settings.clusterPort()))
            .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles))
            .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds))
            .withFallback(full);
    }

    ActorSystem<Void> system()
    {
        return system;
    }

    /** This node's cluster address, as placement names nodes. */
    String self()
    {
        return Cluster.get(system).selfMember().address().toString();
    }

    PlacementSettings placement()
    {
        return placement;
    }

    /** What this node knows of placement: measured work, extra copies, copies moving. */
    PlacementBoard board()
    {
        return board;
    }

    /** The cluster-wide placement topic. */
    ActorRef<Topic.Command<PlacementMessage>> topic()
    {
        return topic;
    }

    @Override
    public void close()
    {
        system.terminate();
    }
}
