package dev.switchyard.node.placement;

import java.util.List;
import java.util.Map;

import dev.switchyard.experts.actor.CborSerializable;
import dev.switchyard.experts.actor.ExpertId;

/**
 * What nodes tell each other about placement, on one cluster-wide topic: gateways what they
 * measured, expert nodes what a row costs them, and the shard coordinator's node what it decided.
 */
public sealed interface PlacementMessage extends CborSerializable
    permits PlacementMessage.Load, PlacementMessage.Costs, PlacementMessage.State, PlacementMessage.Leaving
{
    String TOPIC = "switchyard-placement";

    /**
     * A gateway's measurements over the placement window, and where it routes the copies that the
     * moves in progress are about.
     *
     * @param gateway the gateway node's cluster address
     * @param work    [layers * experts] rows sent per second times cost per row, in ns per second
     * @param routes  entity id -> cluster address of the node the gateway routes it to, for the copy
     *                and the bridge of every {@link Bridge} of the latest {@link State} it has routes for
     */
    record Load(String gateway, int layers, int experts, double[] work, Map<String, String> routes)
        implements PlacementMessage
    {
    }

    /**
     * An expert node's compute time per row of each expert it served (smoothed over its recent
     * blocks), or -1 for one it never served.
     *
     * @param nanosPerRow [layers * experts]
     */
    record Costs(String node, int layers, int experts, double[] nanosPerRow) implements PlacementMessage
    {
    }

    /**
     * The placement decided: extra copies per expert ("layer-expert" = copies beyond the configured
     * replicas), the copies moving now, as entity ids, and the bridges of those moves.
     *
     * @param version counts decisions, so that a node keeps the newest
     */
    record State(long version, Map<String, Integer> extraCopies, List<String> moving, List<Bridge> bridges)
        implements PlacementMessage
    {
        public static final State INITIAL = new State(0, Map.of(), List.of(), List.of());

        /** The copies of the expert ("layer-expert") beyond the configured ones: extra and bridging. */
        public int beyondFloor(final String expertKey)
        {
            int n = extraCopies.getOrDefault(expertKey, 0);
            for (final Bridge b : bridges)
            {
                if (b.expertKey().equals(expertKey))
                {
                    n++;
                }
            }
            return n;
        }
    }

    /** An expert node is leaving: its copies move away before it goes (see LeaveHandOver). */
    record Leaving(String node) implements PlacementMessage
    {
    }

    /**
     * A move of copy {@code copy} from node {@code from} to node {@code to} that never leaves its
     * expert unserved: the expert's copy {@code bridge} serves from {@code to} until {@code copy} does.
     */
    record Bridge(String copy, String bridge, String from, String to)
    {
        public String expertKey()
        {
            return ExpertId.parse(bridge).expertKey();
        }
    }
}
