package dev.switchyard.gateway.placement;

import java.util.List;
import java.util.Map;

import dev.switchyard.experts.actor.CborSerializable;

/**
 * What nodes tell each other about placement, on one cluster-wide topic: gateways what they
 * measured, expert nodes what a row costs them, and the shard coordinator's node what it decided.
 */
public sealed interface PlacementMessage extends CborSerializable
    permits PlacementMessage.Load, PlacementMessage.Costs, PlacementMessage.State
{
    String TOPIC = "switchyard-placement";

    /**
     * A gateway's measurements over the placement window.
     *
     * @param gateway the gateway node's cluster address
     * @param work    [layers * experts] rows sent per second times cost per row, in ns per second
     */
    record Load(String gateway, int layers, int experts, double[] work)
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
     * replicas) and the copies moving now, as entity ids.
     *
     * @param version counts decisions, so that a node keeps the newest
     */
    record State(long version, Map<String, Integer> extraCopies, List<String> moving) implements PlacementMessage
    {
        public static final State INITIAL = new State(0, Map.of(), List.of());
    }
}
