package dev.switchyard.node.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.switchyard.experts.actor.ExpertId;

/**
 * Placement decisions as pure functions of where copies are and the work measured: which copies
 * move (to balance work across nodes) and which experts gain or lose an extra copy (hot experts).
 * A copy carries its expert's work divided by the expert's placed copies, since the gateway splits
 * an expert's rows across its live copies.
 */
public final class PlacementPlanner
{
    private final PlacementSettings settings;

    public PlacementPlanner(final PlacementSettings settings)
    {
        this.settings = settings;
    }

    /** Extra copies after a decision, when an expert's share stayed low since, and what changed. */
    public record CopyPlan(
        Map<String, Integer> extra, Map<String, Long> coolSinceMs, List<ExpertId> added, List<ExpertId> removed)
    {
    }

    /** The work each node carries under {@code nodes} (node -> the copies it hosts). */
    public static Map<String, Double> nodeWork(final Map<String, List<ExpertId>> nodes, final LoadView view)
    {
        final Map<String, Integer> placed = placedCopies(nodes);
        final Map<String, Double> out = new TreeMap<>();
        nodes.forEach((node, copies) ->
        {
            double sum = 0;
            for (final ExpertId c : copies)
            {
                sum += copyWork(c, view, placed);
            }
            out.put(node, sum);
        });
        return out;
    }

    /** max / mean of the nodes' work; 1 when there is no work or no node. */
    public static double imbalance(final Map<String, Double> work)
    {
        double max = 0;
        double total = 0;
        for (final double w : work.values())
        {
            max = Math.max(max, w);
            total += w;
        }
        return total <= 0 ? 1 : max / (total / work.size());
    }

    /**
     * Up to {@code budget} moves, each to a node holding no other copy of the same expert: chosen one
     * at a time as the move that evens the nodes' work the most (the largest drop of the sum of
     * squares, so that two nodes tied at the maximum are both relieved), and made only if together
     * they lower max/mean by at least the improve margin, so that measurement noise never moves
     * experts back and forth. Copies in {@code busy} (moving or starting) stay.
     */
    public List<Move> moves(
        final Map<String, List<ExpertId>> nodes, final LoadView view, final Set<ExpertId> busy, final int budget)
    {
        final List<Move> moves = new ArrayList<>();
        if (nodes.size() < 2 || view.total() <= 0)
        {
            return moves;
        }
        final Map<String, Integer> placed = placedCopies(nodes);
        final Map<String, List<ExpertId>> at = new TreeMap<>();
        nodes.forEach((node, copies) -> at.put(node, new ArrayList<>(copies)));
        final Map<String, Double> work = nodeWork(at, view);
        final double before = imbalance(work);
        final Set<ExpertId> moved = new HashSet<>(busy);
        while (moves.size() < budget)
        {
            Move best = null;
            double bestGain = 1e-9 * view.total();
            for (final Map.Entry<String, List<ExpertId>> from : at.entrySet())
            {
                final double fromWork = work.get(from.getKey());
                for (final ExpertId copy : from.getValue())
                {
                    if (moved.contains(copy))
                    {
                        continue;
                    }
                    final double w = copyWork(copy, view, placed);
                    for (final String to : at.keySet())
                    {
                        if (to.equals(from.getKey()) || holdsCopyOf(at.get(to), copy))
                        {
                            continue;
                        }
                        // (a - w)^2 + (b + w)^2 - a^2 - b^2 = 2w (w + b - a): the drop is 2w (a - b - w).
                        final double gain = 2 * w * (fromWork - work.get(to) - w);
                        if (gain > bestGain)
                        {
                            bestGain = gain;
                            best = new Move(copy, from.getKey(), to);
                        }
                    }
                }
            }
            if (best == null)
            {
                break;
            }
            final double w = copyWork(best.copy(), view, placed);
            at.get(best.from()).remove(best.copy());
            at.get(best.to()).add(best.copy());
            work.merge(best.from(), -w, Double::sum);
            work.merge(best.to(), w, Double::sum);
            moved.add(best.copy());
            moves.add(best);
        }
        if (imbalance(work) > before * (1 - settings.margin()))
        {
            return List.of();
        }
        return moves;
    }

    /**
     * Moves for the copies of leaving nodes ({@code going}: node -> copies), each to the staying
     * node with the least work (fewest copies while nothing is measured, {@code view} null) that
     * holds no copy of its expert; none for a copy no staying node can take.
     */
    public static List<Move> handOver(
        final Map<String, List<ExpertId>> going, final Map<String, List<ExpertId>> staying, final LoadView view)
    {
        final Map<String, List<ExpertId>> at = new TreeMap<>();
        staying.forEach((node, copies) -> at.put(node, new ArrayList<>(copies)));
        final Map<String, Integer> placed = placedCopies(at);
        going.values().forEach(copies -> copies.forEach(c -> placed.merge(c.expertKey(), 1, Integer::sum)));
        final Map<String, Double> work = new TreeMap<>(view == null ? Map.of() : nodeWork(at, view));
        final List<Move> moves = new ArrayList<>();
        going.forEach((from, copies) ->
        {
            for (final ExpertId copy : copies)
            {
                String to = null;
                double least = Double.MAX_VALUE;
                for (final Map.Entry<String, List<ExpertId>> n : at.entrySet())
                {
                    final double w = work.getOrDefault(n.getKey(), 0.0) + n.getValue().size() * 1e-9;
                    if (w < least && !holdsCopyOf(n.getValue(), copy))
                    {
                        least = w;
                        to = n.getKey();
                    }
                }
                if (to != null)
                {
                    moves.add(new Move(copy, from, to));
                    at.get(to).add(copy);
                    work.merge(to, view == null ? 0.0 : copyWork(copy, view, placed), Double::sum);
                }
            }
        });
        return moves;
    }

    /**
     * Hot-expert copies: an expert whose share of its layer's work exceeds the hot share gains one
     * copy per decision (hottest first, at most {@code budget} in all, never more than
     * {@code maxCopies}); an extra copy goes once its expert's share has stayed below the cool share
     * for the cool-after time. The configured copies ({@code floor}) always stay. The gap between
     * the two shares and the wait keep a copy from coming and going with noise.
     *
     * @param extra       extra copies now, by expert key ("layer-expert")
     * @param coolSinceMs when each expert with extra copies was first seen below the cool share
     * @param fixed       experts (by key) whose copies stay as they are this time (moving, retiring)
     */
    public CopyPlan copies(
        final LoadView view, final ExpertCopies floor, final Map<String, Integer> extra,
        final Map<String, Long> coolSinceMs, final long nowMs, final int maxCopies, final int budget,
        final Set<String> fixed)
    {
        final Map<String, Integer> nextExtra = new TreeMap<>(extra);
        final Map<String, Long> nextCool = new HashMap<>(coolSinceMs);
        final List<ExpertId> added = new ArrayList<>();
        final List<ExpertId> removed = new ArrayList<>();
        final List<int[]> hot = new ArrayList<>();
        for (int l = 0; l < view.layers(); l++)
        {
            for (int e = 0; e < view.experts(); e++)
            {
                final String key = new ExpertId(l, e).expertKey();
                final int more = nextExtra.getOrDefault(key, 0);
                final double share = view.share(l, e);
                if (fixed.contains(key))
                {
                    continue;
                }
                if (share > settings.hotShare())
                {
                    nextCool.remove(key);
                    if (floor.of(l, e) + more < Math.min(maxCopies, ExpertId.MAX_REPLICAS))
                    {
                        hot.add(new int[] {l, e});
                    }
                }
                else if (more > 0 && share < settings.coolShare())
                {
                    final long since = nextCool.computeIfAbsent(key, k -> nowMs);
                    if (nowMs - since >= settings.coolAfter().toMillis())
                    {
                        removed.add(new ExpertId(l, e, floor.of(l, e) + more - 1));
                        put(nextExtra, key, more - 1);
                        nextCool.remove(key);
                    }
                }
                else
                {
                    nextCool.remove(key);
                }
            }
        }
        hot.sort((a, b) -> Double.compare(view.share(b[0], b[1]), view.share(a[0], a[1])));
        for (final int[] le : hot)
        {
            if (added.size() >= budget)
            {
                break;
            }
            final String key = new ExpertId(le[0], le[1]).expertKey();
            final int more = nextExtra.getOrDefault(key, 0);
            added.add(new ExpertId(le[0], le[1], floor.of(le[0], le[1]) + more));
            put(nextExtra, key, more + 1);
        }
        return new CopyPlan(nextExtra, nextCool, added, removed);
    }

    private static void put(final Map<String, Integer> extra, final String key, final int n)
    {
        if (n == 0)
        {
            extra.remove(key);
        }
        else
        {
            extra.put(key, n);
        }
    }

    private static double copyWork(final ExpertId copy, final LoadView view, final Map<String, Integer> placed)
    {
        if (copy.layer() >= view.layers() || copy.expert() >= view.experts())
        {
            return 0;
        }
        return view.work(copy.layer(), copy.expert()) / Math.max(1, placed.getOrDefault(copy.expertKey(), 1));
    }

    private static Map<String, Integer> placedCopies(final Map<String, List<ExpertId>> nodes)
    {
        final Map<String, Integer> placed = new HashMap<>();
        nodes.values().forEach(copies -> copies.forEach(c -> placed.merge(c.expertKey(), 1, Integer::sum)));
        return placed;
    }

    private static boolean holdsCopyOf(final List<ExpertId> copies, final ExpertId copy)
    {
        for (final ExpertId c : copies)
        {
            if (c.expertKey().equals(copy.expertKey()))
            {
                return true;
            }
        }
        return false;
    }
}
