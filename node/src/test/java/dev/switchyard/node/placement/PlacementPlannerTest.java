package dev.switchyard.node.placement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.switchyard.experts.actor.ExpertId;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementPlannerTest
{
    private static final PlacementSettings SETTINGS = new PlacementSettings(true, Duration.ofSeconds(20),
        Duration.ofSeconds(2), 2, 0.1, 0.3, 0.15, Duration.ofSeconds(60));

    /** One layer of 8 experts: work per expert as given. */
    private static LoadView view(final double... work)
    {
        return new LoadView(1, work.length, work);
    }

    private static Map<String, List<ExpertId>> nodes(final int[]... experts)
    {
        final Map<String, List<ExpertId>> nodes = new TreeMap<>();
        for (int n = 0; n < experts.length; n++)
        {
            final List<ExpertId> ids = new ArrayList<>();
            for (final int e : experts[n])
            {
                ids.add(new ExpertId(0, e));
            }
            nodes.put("n" + n, ids);
        }
        return nodes;
    }

    private static Map<String, List<ExpertId>> apply(final Map<String, List<ExpertId>> nodes, final List<Move> moves)
    {
        final Map<String, List<ExpertId>> out = new TreeMap<>();
        nodes.forEach((n, ids) -> out.put(n, new ArrayList<>(ids)));
        for (final Move m : moves)
        {
            assertTrue(out.get(m.from()).remove(m.copy()), "moved from where it was: " + m);
            out.get(m.to()).add(m.copy());
        }
        return out;
    }

    @Test
    void movesHotExpertsApartAndLowersMaxOverMean()
    {
        // Experts 0, 1, 2 are hot and share node n0.
        final LoadView view = view(100, 90, 80, 5, 5, 5, 5, 5);
        final Map<String, List<ExpertId>> nodes = nodes(new int[] {0, 1, 2}, new int[] {3, 4, 5}, new int[] {6, 7});
        final double before = PlacementPlanner.imbalance(PlacementPlanner.nodeWork(nodes, view));
        final List<Move> moves = new PlacementPlanner(SETTINGS).moves(nodes, view, Set.of(), 2);
        assertEquals(2, moves.size(), moves.toString());
        final double after = PlacementPlanner.imbalance(PlacementPlanner.nodeWork(apply(nodes, moves), view));
        assertTrue(after < before * 0.9, before + " -> " + after);
        assertTrue(after < 1.2, "after " + after);
    }

    @Test
    void neverMovesMoreThanTheBudgetNorACopyAlreadyMoving()
    {
        final LoadView view = view(100, 90, 80, 70, 1, 1, 1, 1);
        final Map<String, List<ExpertId>> nodes = nodes(new int[] {0, 1, 2, 3}, new int[] {4, 5}, new int[] {6, 7});
        final PlacementPlanner planner = new PlacementPlanner(SETTINGS);
        assertEquals(1, planner.moves(nodes, view, Set.of(), 1).size());
        assertTrue(planner.moves(nodes, view, Set.of(), 0).isEmpty());
        final Set<ExpertId> busy = Set.of(new ExpertId(0, 0), new ExpertId(0, 1), new ExpertId(0, 2), new ExpertId(0, 3));
        assertTrue(planner.moves(nodes, view, busy, 2).isEmpty(), "every copy on the hot node is moving already");
    }

    @Test
    void doesNotMoveForLessThanTheMargin()
    {
        // Work 11, 10 and 9 on the nodes: max/mean 1.1, and evening it out lowers that by 9 %, not 10 %.
        final double[] work = new double[30];
        java.util.Arrays.fill(work, 1);
        final LoadView view = view(work);
        final Map<String, List<ExpertId>> nodes = nodes(range(0, 11), range(11, 21), range(21, 30));
        assertTrue(new PlacementPlanner(SETTINGS).moves(nodes, view, Set.of(), 2).isEmpty());
        // The same cluster with no margin does move.
        final PlacementSettings eager = new PlacementSettings(true, Duration.ofSeconds(20), Duration.ofSeconds(2),
            2, 0.0, 0.3, 0.15, Duration.ofSeconds(60));
        assertFalse(new PlacementPlanner(eager).moves(nodes, view, Set.of(), 2).isEmpty());
    }

    private static int[] range(final int from, final int to)
    {
        return java.util.stream.IntStream.range(from, to).toArray();
    }

    @Test
    void aBalancedPlacementStaysPut()
    {
        final LoadView view = view(100, 90, 80, 5, 5, 5, 5, 5);
        final Map<String, List<ExpertId>> nodes = nodes(new int[] {0, 3, 4}, new int[] {1, 5, 6}, new int[] {2, 7});
        final PlacementPlanner planner = new PlacementPlanner(SETTINGS);
        final List<Move> moves = planner.moves(nodes, view, Set.of(), 2);
        assertTrue(moves.isEmpty(), moves.toString());
        // And what it converges to stays put too: no flapping.
        final Map<String, List<ExpertId>> skewed =
            nodes(new int[] {0, 1, 2}, new int[] {3, 4, 5}, new int[] {6, 7});
        Map<String, List<ExpertId>> now = skewed;
        for (int round = 0; round < 10; round++)
        {
            now = apply(now, planner.moves(now, view, Set.of(), 2));
        }
        assertTrue(planner.moves(now, view, Set.of(), 2).isEmpty());
    }

    @Test
    void neverPutsTwoCopiesOfAnExpertOnOneNode()
    {
        // Expert 0 has two copies (50 each), on n0 and n1, each beside a 30; n2 carries 10.
        final LoadView view = view(100, 30, 30, 10);
        final Map<String, List<ExpertId>> nodes = new TreeMap<>();
        nodes.put("n0", new ArrayList<>(List.of(new ExpertId(0, 0, 0), new ExpertId(0, 1))));
        nodes.put("n1", new ArrayList<>(List.of(new ExpertId(0, 0, 1), new ExpertId(0, 2))));
        nodes.put("n2", new ArrayList<>(List.of(new ExpertId(0, 3))));
        final List<Move> moves = new PlacementPlanner(SETTINGS).moves(nodes, view, Set.of(), 2);
        final Map<String, List<ExpertId>> after = apply(nodes, moves);
        after.values().forEach(ids -> assertEquals(ids.stream().map(ExpertId::expertKey).distinct().count(),
            ids.size(), "two copies of one expert on a node: " + after));
        assertEquals(2, moves.size(), moves.toString());
        assertTrue(PlacementPlanner.imbalance(PlacementPlanner.nodeWork(after, view)) <
            PlacementPlanner.imbalance(PlacementPlanner.nodeWork(nodes, view)));
    }

    @Test
    void aHotExpertGainsACopyUpToTheLimitsAndTheHottestFirst()
    {
        final PlacementPlanner planner = new PlacementPlanner(SETTINGS);
        // Shares: expert 0 0.5, expert 1 0.35, the rest 0.025 each.
        final LoadView view = view(200, 140, 10, 10, 10, 10, 10, 10);
        final PlacementPlanner.CopyPlan one = planner.copies(view, Replicas.ONE, Map.of(), Map.of(), 0, 3, 1, Set.of());
        assertEquals(List.of(new ExpertId(0, 0, 1)), one.added(), "the hottest first, within the budget");
        assertEquals(Map.of("0-0", 1), one.extra());
        final PlacementPlanner.CopyPlan two = planner.copies(view, Replicas.ONE, one.extra(), Map.of(), 0, 3, 2, Set.of());
        assertEquals(List.of(new ExpertId(0, 0, 2), new ExpertId(0, 1, 1)), two.added());
        // Three nodes: no fourth copy.
        final PlacementPlanner.CopyPlan three = planner.copies(view, Replicas.ONE, two.extra(), Map.of(), 0, 3, 2, Set.of());
        assertEquals(List.of(new ExpertId(0, 1, 2)), three.added());
        assertTrue(planner.copies(view, Replicas.ONE, three.extra(), Map.of(), 0, 3, 2, Set.of()).added().isEmpty());
        // Configured replicas count towards the limit.
        final Replicas two4all = new Replicas(2, Map.of());
        assertEquals(List.of(new ExpertId(0, 0, 2)),
            planner.copies(view, two4all, Map.of(), Map.of(), 0, 3, 1, Set.of()).added());
    }

    @Test
    void anExtraCopyGoesOnlyAfterItsShareStayedLowAndTheFloorStays()
    {
        final PlacementPlanner planner = new PlacementPlanner(SETTINGS);
        final LoadView cool = view(10, 10, 10, 10, 10, 10, 10, 10);   // every share 0.125 < 0.15
        final Map<String, Integer> extra = Map.of("0-0", 1);
        final PlacementPlanner.CopyPlan first = planner.copies(cool, Replicas.ONE, extra, Map.of(), 1_000, 3, 2, Set.of());
        assertTrue(first.removed().isEmpty(), "not yet: the share just fell");
        assertEquals(extra, first.extra());
        final PlacementPlanner.CopyPlan early =
            planner.copies(cool, Replicas.ONE, first.extra(), first.coolSinceMs(), 60_999, 3, 2, Set.of());
        assertTrue(early.removed().isEmpty());
        final PlacementPlanner.CopyPlan late =
            planner.copies(cool, Replicas.ONE, early.extra(), early.coolSinceMs(), 61_000, 3, 2, Set.of());
        assertEquals(List.of(new ExpertId(0, 0, 1)), late.removed());
        assertEquals(Map.of(), late.extra());
        // Between the cool and the hot share the copy stays, and the wait starts over.
        final LoadView warm = view(20, 10, 10, 10, 10, 10, 10, 10);   // expert 0 0.2
        final PlacementPlanner.CopyPlan between =
            planner.copies(warm, Replicas.ONE, extra, Map.of("0-0", 0L), 100_000, 3, 2, Set.of());
        assertTrue(between.removed().isEmpty());
        assertFalse(between.coolSinceMs().containsKey("0-0"));
        // The configured copies are the floor: without extra copies nothing is removed.
        final PlacementPlanner.CopyPlan floor =
            planner.copies(cool, new Replicas(2, Map.of()), Map.of(), Map.of("0-0", 0L), 100_000, 3, 2, Set.of());
        assertTrue(floor.removed().isEmpty());
        assertNotEquals(null, floor.extra());
    }

    @Test
    void anExpertMovingOrRetiringKeepsItsCopies()
    {
        final PlacementPlanner planner = new PlacementPlanner(SETTINGS);
        final LoadView hot = view(200, 140, 10, 10, 10, 10, 10, 10);
        assertEquals(List.of(new ExpertId(0, 1, 1)),
            planner.copies(hot, Replicas.ONE, Map.of(), Map.of(), 0, 3, 1, Set.of("0-0")).added(),
            "the hottest is fixed: the next one gains a copy");
        final LoadView cool = view(10, 10, 10, 10, 10, 10, 10, 10);
        final PlacementPlanner.CopyPlan kept =
            planner.copies(cool, Replicas.ONE, Map.of("0-0", 1), Map.of("0-0", 0L), 100_000, 3, 2, Set.of("0-0"));
        assertTrue(kept.removed().isEmpty());
        assertEquals(Map.of("0-0", 1), kept.extra());
    }

    @Test
    void aLeavingNodesCopiesGoToTheLeastLoadedNodesWithoutASibling()
    {
        final LoadView view = view(40, 30, 20, 10, 10, 10, 10, 10);
        final Map<String, List<ExpertId>> going = Map.of("n2", List.of(new ExpertId(0, 0), new ExpertId(0, 1)));
        final Map<String, List<ExpertId>> staying = nodes(new int[] {2, 3, 4}, new int[] {5, 6, 7});
        staying.get("n0").add(new ExpertId(0, 1, 1));  // a sibling of expert 1: it must go to n1
        final List<Move> moves = PlacementPlanner.handOver(going, staying, view);
        assertEquals(List.of(new Move(new ExpertId(0, 0), "n2", "n1"), new Move(new ExpertId(0, 1), "n2", "n1")), moves);
        // Nothing measured: by count, in turn.
        assertEquals(List.of(new Move(new ExpertId(0, 0), "n2", "n0"), new Move(new ExpertId(0, 1), "n2", "n1")),
            PlacementPlanner.handOver(going, nodes(new int[] {2, 3}, new int[] {5, 6}), null));
    }

    @Test
    void noWorkNoDecision()
    {
        final PlacementPlanner planner = new PlacementPlanner(SETTINGS);
        final LoadView idle = view(0, 0, 0, 0);
        assertTrue(planner.moves(nodes(new int[] {0, 1, 2}, new int[] {3}), idle, Set.of(), 2).isEmpty());
        assertTrue(planner.copies(idle, Replicas.ONE, Map.of(), Map.of(), 0, 3, 2, Set.of()).added().isEmpty());
        assertEquals(1.0, PlacementPlanner.imbalance(Map.of("a", 0.0, "b", 0.0)));
    }
}
