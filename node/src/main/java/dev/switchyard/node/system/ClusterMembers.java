package dev.switchyard.node.system;

import dev.switchyard.node.metrics.NodeMetrics;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;

/** The cluster's members as this node's Pekko cluster extension sees them, for the metrics. */
final class ClusterMembers implements NodeMetrics.ClusterView
{
    private final Cluster cluster;

    private ClusterMembers(final Cluster cluster)
    {
        this.cluster = cluster;
    }

    static ClusterMembers of(final ActorSystem<?> system)
    {
        return new ClusterMembers(Cluster.get(system));
    }

    @Override
    public int members()
    {
        return state().members().size();
    }

    @Override
    public int unreachable()
    {
        return state().unreachable().size();
    }

    private ClusterEvent.CurrentClusterState state()
    {
        return cluster.state();
    }
}
