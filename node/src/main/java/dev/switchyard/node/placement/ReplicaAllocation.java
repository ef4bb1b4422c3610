package dev.switchyard.node.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.switchyard.experts.actor.ExpertId;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Places expert copies (one shard each, see {@link ExpertShards}) on the least loaded node that
 * does not hold another copy of the same expert, so that losing one node leaves every replicated
 * expert served; only with fewer nodes than copies do two share a node (see LocalCopies). Nodes
 * that are unreachable or not up take nothing. Rebalancing first moves a copy that shares its node
 * with a sibling to a node without one, then moves copies from the fullest to the emptiest node
 * while they differ by two or more, at most {@code limit} per round, never onto a node with a
 * sibling copy.
 */
public final class ReplicaAllocation extends ShardCoordinator.AbstractShardAllocationStrategy
{
    private final Cluster cluster;
    private final int limit;

    public ReplicaAllocation(final Cluster cluster, final int limit)
    {
        this.cluster = cluster;
        this.limit = limit;
    }

    @Override
    public Future<ActorRef> allocateShard(
        final ActorRef requester, final String shardId, final Map<ActorRef, IndexedSeq<String>> current)
    {
        final Map<ActorRef, List<String>> regions = regions(current);
        final Map<ActorRef, List<String>> live = live(regions);
        final String key = keyOf(shardId);
        ActorRef best = least(live.isEmpty() ? regions : live, key, true);
        if (best == null)
        {
            best = least(live.isEmpty() ? regions : live, key, false);
        }
        return Future.successful(best == null ? requester : best);
    }

    @Override
    public Future<Set<String>> rebalance(final Map<ActorRef, IndexedSeq<String>> current, final Set<String> inProgress)
    {
        final Set<String> moves = new HashSet<>();
        if (!inProgress.isEmpty())
        {
            return Future.successful(moves);
        }
        final Map<ActorRef, List<String>> live = live(regions(current));
        separate(live, moves);
        for (int round = moves.size(); round < limit && live.size() > 1; round++)
        {
            final ActorRef most = live.entrySet().stream().max((a, b) -> a.getValue().size() - b.getValue().size())
                .orElseThrow().getKey();
            final ActorRef fewest = live.entrySet().stream().min((a, b) -> a.getValue().size() - b.getValue().size())
                .orElseThrow().getKey();
            if (live.get(most).size() - live.get(fewest).size() < 2)
            {
                break;
            }
            final String move = live.get(most).stream()
                .filter(s -> !moves.contains(s) && !holdsCopy(live.get(fewest), keyOf(s)))
                .findFirst().orElse(null);
            if (move == null)
            {
                break;
            }
            moves.add(move);
            live.get(most).remove(move);
            live.get(fewest).add(move);
        }
        return Future.successful(moves);
    }

    /**
     * The moves that take copies sharing a node with a sibling to a node without one, if any; the
     * shards in {@code ignore} are neither moved nor counted as copies.
     */
    public Set<String> separations(final Map<ActorRef, IndexedSeq<String>> current, final Set<String> ignore)
    {
        final Map<ActorRef, List<String>> live = live(regions(current));
        live.values().forEach(shards -> shards.removeIf(ignore::contains));
        final Set<String> moves = new HashSet<>();
        separate(live, moves);
        return moves;
    }

    /** The regions on members that are up and reachable, with the shards each holds. */
    public Map<ActorRef, List<String>> liveRegions(final Map<ActorRef, IndexedSeq<String>> current)
    {
        return live(regions(current));
    }

    /** The cluster address of the node a region runs on. */
    public Address addressOf(final ActorRef region)
    {
        return region.path().address().hasLocalScope() ? cluster.selfAddress() : region.path().address();
    }

    /** First moves: a copy that shares its node with a sibling goes to a node without one, if any. */
    private void separate(final Map<ActorRef, List<String>> live, final Set<String> moves)
    {
        for (final Map.Entry<ActorRef, List<String>> region : live.entrySet())
        {
            final Set<String> seen = new HashSet<>();
            for (final String shard : List.copyOf(region.getValue()))
            {
                if (moves.size() >= limit)
                {
                    return;
                }
                final String key = keyOf(shard);
                if (seen.add(key))
                {
                    continue;
                }
                final Map<ActorRef, List<String>> others = new HashMap<>(live);
                others.remove(region.getKey());
                final ActorRef to = least(others, key, true);
                if (to != null)
                {
                    moves.add(shard);
                    region.getValue().remove(shard);
                    live.get(to).add(shard);
                }
            }
        }
    }

    private static Map<ActorRef, List<String>> regions(final Map<ActorRef, IndexedSeq<String>> current)
    {
        final Map<ActorRef, List<String>> out = new HashMap<>();
        current.forEach((ref, shards) -> out.put(ref, new ArrayList<>(CollectionConverters.asJava(shards))));
        return out;
    }

    /** The regions on members that are up and reachable. */
    private Map<ActorRef, List<String>> live(final Map<ActorRef, List<String>> regions)
    {
        final Set<Address> usable = new HashSet<>();
        final Set<Address> unreachable = new HashSet<>();
        cluster.state().getUnreachable().forEach(m -> unreachable.add(m.address()));
        for (final Member m : cluster.state().getMembers())
        {
            if (m.status() == MemberStatus.up() && !unreachable.contains(m.address()))
            {
                usable.add(m.address());
            }
        }
        final Map<ActorRef, List<String>> out = new HashMap<>();
        regions.forEach((ref, shards) ->
        {
            if (usable.contains(addressOf(ref)))
            {
                out.put(ref, shards);
            }
        });
        return out;
    }

    private static ActorRef least(final Map<ActorRef, List<String>> regions, final String key, final boolean apart)
    {
        ActorRef best = null;
        int bestCount = Integer.MAX_VALUE;
        for (final Map.Entry<ActorRef, List<String>> entry : regions.entrySet())
        {
            if (apart && holdsCopy(entry.getValue(), key))
            {
                continue;
            }
            if (entry.getValue().size() < bestCount)
            {
                best = entry.getKey();
                bestCount = entry.getValue().size();
            }
        }
        return best;
    }

    private static boolean holdsCopy(final List<String> shards, final String key)
    {
        for (final String s : shards)
        {
            if (key.equals(keyOf(s)))
            {
                return true;
            }
        }
        return false;
    }

    private static String keyOf(final String shardId)
    {
        try
        {
            return ExpertId.parse(shardId).expertKey();
        }
        catch (final IllegalArgumentException ex)
        {
            return shardId;
        }
    }
}
