package dev.switchyard.node.placement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.switchyard.experts.actor.ExpertId;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A move over a bridge, round by round: the copy is handed off only once every gateway routes to
 * the bridge, and the bridge closes only once every gateway routes to the copy at its destination.
 */
class BridgesTest
{
    private static final ExpertId COPY = new ExpertId(0, 3);
    private static final ExpertId BRIDGE = new ExpertId(0, 3, 1);

    /** Where gateways route each copy, as they reported. */
    private final Map<String, String> routes = new TreeMap<>();
    private final Bridges.Routed routed = (id, node) -> node.equals(routes.get(id));

    private static Map<String, List<ExpertId>> nodes(final ExpertId[] a, final ExpertId[] b, final ExpertId[] c)
    {
        final Map<String, List<ExpertId>> nodes = new TreeMap<>();
        nodes.put("a", new ArrayList<>(List.of(a)));
        nodes.put("b", new ArrayList<>(List.of(b)));
        if (c != null)
        {
            nodes.put("c", new ArrayList<>(List.of(c)));
        }
        return nodes;
    }

    private static Bridges opened()
    {
        final Bridges bridges = new Bridges();
        bridges.open(new Move(COPY, "a", "b"), BRIDGE, 0);
        assertEquals(Set.of("0-3"), bridges.experts());
        assertEquals(List.of(new PlacementMessage.Bridge("0-3", "0-3-1", "a", "b")), bridges.published());
        return bridges;
    }

    @Test
    void handsOffOnlyOnceTheBridgeIsRoutedAndClosesOnceTheCopyIsRoutedAtItsDestination()
    {
        final Bridges bridges = opened();
        final ExpertId[] none = {};
        // The bridge is placed on b, but no gateway routes to it yet: nothing moves.
        Bridges.Step step = bridges.step(nodes(new ExpertId[] {COPY}, new ExpertId[] {BRIDGE}, null), Set.of(), routed, 1);
        assertTrue(step.moves().isEmpty() && step.closed().isEmpty(), step.toString());
        routes.put("0-3", "a");
        routes.put("0-3-1", "b");
        step = bridges.step(nodes(new ExpertId[] {COPY}, new ExpertId[] {BRIDGE}, null), Set.of(), routed, 2);
        assertEquals(Set.of("0-3"), step.moves());
        assertEquals(Map.of("0-3", "b"), step.targets());
        // Handing off, then not yet placed: the bridge serves.
        step = bridges.step(nodes(new ExpertId[] {COPY}, new ExpertId[] {BRIDGE}, null), Set.of("0-3"), routed, 3);
        assertTrue(step.moves().isEmpty() && step.closed().isEmpty(), step.toString());
        step = bridges.step(nodes(none, new ExpertId[] {BRIDGE}, null), Set.of(), routed, 4);
        assertTrue(step.closed().isEmpty());
        // Next to the bridge, but gateways still route the copy to a: the bridge stays.
        step = bridges.step(nodes(none, new ExpertId[] {BRIDGE, COPY}, null), Set.of(), routed, 5);
        assertTrue(step.closed().isEmpty());
        routes.put("0-3", "b");
        step = bridges.step(nodes(none, new ExpertId[] {BRIDGE, COPY}, null), Set.of(), routed, 6);
        assertEquals(List.of(BRIDGE), step.closed());
        assertEquals(0, bridges.size());
        assertTrue(bridges.published().isEmpty());
    }

    @Test
    void aCopyWhoseNodeIsLostComesBackNextToItsBridge()
    {
        final Bridges bridges = opened();
        final Map<String, List<ExpertId>> withoutA = nodes(new ExpertId[] {}, new ExpertId[] {BRIDGE}, null);
        withoutA.remove("a");
        final Bridges.Step step = bridges.step(withoutA, Set.of(), routed, 1);
        assertEquals(Map.of("0-3", "b"), step.targets());
        assertTrue(step.moves().isEmpty(), "nothing to hand off: sharding re-homes it");
        assertTrue(step.closed().isEmpty());
    }

    @Test
    void closesWhenItsDestinationLeavesItWasPlacedElsewhereOrItTookTooLong()
    {
        final Bridges gone = opened();
        final Map<String, List<ExpertId>> withoutB = nodes(new ExpertId[] {COPY}, new ExpertId[] {}, null);
        withoutB.remove("b");
        assertEquals(List.of(BRIDGE), gone.step(withoutB, Set.of(), routed, 1).closed());

        final Bridges elsewhere = opened();
        assertEquals(List.of(BRIDGE), elsewhere.step(
            nodes(new ExpertId[] {COPY}, new ExpertId[] {}, new ExpertId[] {BRIDGE}), Set.of(), routed, 1).closed());

        final Bridges late = opened();
        final Map<String, List<ExpertId>> waiting = nodes(new ExpertId[] {COPY}, new ExpertId[] {}, null);
        assertTrue(late.step(waiting, Set.of(), routed, Bridges.OPEN_FOR_MS).closed().isEmpty());
        assertEquals(List.of(BRIDGE), late.step(waiting, Set.of(), routed, Bridges.OPEN_FOR_MS + 1).closed());
    }

    @Test
    void aHandOffThatLeftTheCopyElsewhereClosesTheBridge()
    {
        final Bridges bridges = opened();
        routes.put("0-3-1", "b");
        final Map<String, List<ExpertId>> before = nodes(new ExpertId[] {COPY}, new ExpertId[] {BRIDGE}, null);
        assertEquals(Set.of("0-3"), bridges.step(before, Set.of(), routed, 1).moves());
        assertTrue(bridges.step(before, Set.of("0-3"), routed, 2).closed().isEmpty(), "still handing off");
        assertEquals(List.of(BRIDGE), bridges.step(before, Set.of(), routed, 3).closed(), "the hand-off failed");
        assertEquals(new HashSet<>(), bridges.shards());
    }
}
