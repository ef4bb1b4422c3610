package dev.switchyard.node.system;

import dev.switchyard.node.metrics.NodeMetrics;
import dev.switchyard.node.placement.PlacementBoard;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster's members as this node's Pekko cluster extension sees them, and placement's last
 * decision as its board holds it, for the metrics.
 */
final class ClusterMembers implements NodeMetrics.ClusterView
{
    private final Cluster cluster;
    private final PlacementBoard board;

    private ClusterMembers(final Cluster cluster, final PlacementBoard board)
    {
        this.cluster = cluster;
        this.board = board;
    }

    static ClusterMembers of(final ActorSystem<?> system, final PlacementBoard board)
    {
        return new ClusterMembers(Cluster.get(system), board);
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

    @Override
    public int movingCopies()
    {
        return board.state().moving().size();
    }

    @Override
    public int extraCopies()
    {
        int sum = 0;
        for (final int n : board.state().extraCopies().values())
        {
            sum += n;
        }
        return sum;
    }

    @Override
    public long placementDecisions()
    {
        return board.state().version();
    }

    private ClusterEvent.CurrentClusterState state()
    {
        return cluster.state();
    }
}
