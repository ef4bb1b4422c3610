package dev.switchyard.node.placement;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementBoardTest
{
    private static PlacementMessage.Load load(final String gateway, final double... work)
    {
        return new PlacementMessage.Load(gateway, 1, work.length, work.clone(), Map.of());
    }

    @Test
    void sumsTheGatewaysAndKeepsTheLastBusyViewThroughAnIdleSpell()
    {
        final PlacementBoard board = new PlacementBoard(Replicas.ONE, 10_000);
        assertNull(board.view(0), "nothing measured yet");
        board.offer(load("g1", 0, 0, 0), 0);
        assertNull(board.view(0), "an idle gateway is no view");
        board.offer(load("g1", 4, 2, 0), 1_000);
        board.offer(load("g2", 1, 1, 1), 1_000);
        assertArrayEquals(new double[] {5, 3, 1}, board.view(1_000).work());
        // g1 goes idle: its last busy measurement stays while it keeps reporting.
        board.offer(load("g1", 0, 0, 0), 2_000);
        assertArrayEquals(new double[] {5, 3, 1}, board.view(2_000).work());
        // g2 falls silent: forgotten after the forget time.
        board.offer(load("g1", 0, 0, 0), 12_000);
        assertArrayEquals(new double[] {4, 2, 0}, board.view(12_000).work());
    }

    @Test
    void keepsTheNewestDecisionAndCountsExtraCopiesOverTheFloor()
    {
        final PlacementBoard board = new PlacementBoard(new Replicas(2, Map.of(3, 1)), 10_000);
        board.offer(new PlacementMessage.State(5, Map.of("0-1", 1), List.of("0-1-2"), List.of()), 0);
        board.offer(new PlacementMessage.State(4, Map.of(), List.of(), List.of()), 0);
        assertEquals(5, board.state().version());
        assertEquals(3, board.of(0, 1));
        assertEquals(2, board.of(0, 0));
        assertEquals(1, board.of(0, 3));
        assertEquals(2, board.of(1, 1), "extra copies are per layer");
    }

    @Test
    void aBridgeCountsAsACopyAndAdvancesOnlyOnceEveryGatewayRoutesIt()
    {
        final PlacementBoard board = new PlacementBoard(Replicas.ONE, 10_000);
        board.offer(new PlacementMessage.State(1, Map.of("0-1", 1), List.of("0-1"),
            List.of(new PlacementMessage.Bridge("0-1", "0-1-2", "a", "b"))), 0);
        assertEquals(3, board.of(0, 1), "the copy, its extra copy and its bridge");
        assertFalse(board.routedByAll("0-1-2", "b", 0), "no gateway heard from");
        board.offer(new PlacementMessage.Load("g1", 1, 2, new double[2], Map.of("0-1-2", "b")), 0);
        board.offer(new PlacementMessage.Load("g2", 1, 2, new double[2], Map.of()), 0);
        assertFalse(board.routedByAll("0-1-2", "b", 0), "g2 does not route it yet");
        board.offer(new PlacementMessage.Load("g2", 1, 2, new double[2], Map.of("0-1-2", "b")), 1_000);
        assertTrue(board.routedByAll("0-1-2", "b", 1_000));
        assertFalse(board.routedByAll("0-1-2", "a", 1_000));
        // A gateway silent past the forget time no longer holds a move back.
        board.offer(new PlacementMessage.Load("g1", 1, 2, new double[2], Map.of()), 11_500);
        board.offer(new PlacementMessage.Load("g2", 1, 2, new double[2], Map.of("0-1-2", "b")), 11_500);
        assertFalse(board.routedByAll("0-1-2", "b", 11_500));
        board.offer(new PlacementMessage.Load("g2", 1, 2, new double[2], Map.of("0-1-2", "b")), 22_000);
        assertTrue(board.routedByAll("0-1-2", "b", 22_000));
    }

    @Test
    void aCostIsTheLayersMeasuredSpeedTimesTheExpertsFlopsElseNominal()
    {
        final PlacementBoard board = new PlacementBoard(Replicas.ONE, 10_000);
        // Experts 0-2 routed, expert 3 a shared expert twice as wide.
        final double f = 4.0 * 64 * 256;
        final double[] flops = {f, f, f, 2 * f};
        assertEquals(f / LoadExchange.NOMINAL_FLOPS_PER_NS, LoadExchange.cost(board, 0, 0, 4, flops));
        assertEquals(2 * f / LoadExchange.NOMINAL_FLOPS_PER_NS, LoadExchange.cost(board, 0, 3, 4, flops));
        // Node a measured experts 0-2; node b experts 0 and 3. Per expert (averaged over nodes), in ns
        // per FLOP times f: 110, 90, 1000 and 20 / 2 = 10. Their median is 100: every routed expert
        // costs 100, whatever it measured alone, and the shared one 200.
        board.offer(new PlacementMessage.Costs("a", 1, 4, new double[] {100, 90, 1000, -1}), 0);
        board.offer(new PlacementMessage.Costs("b", 1, 4, new double[] {120, -1, -1, 20}), 0);
        for (int e = 0; e < 3; e++)
        {
            assertEquals(100, LoadExchange.cost(board, 0, e, 4, flops), 1e-9, "expert " + e);
        }
        assertEquals(200, LoadExchange.cost(board, 0, 3, 4, flops), 1e-9);
        // A layer none of whose experts was measured yet: nominal.
        assertEquals(f / LoadExchange.NOMINAL_FLOPS_PER_NS, LoadExchange.cost(board, 1, 0, 4, flops));
    }
}
