package dev.switchyard.node.cluster;

import java.util.List;

import dev.switchyard.experts.actor.CborSerializable;

/**
 * What {@code switchyard cluster status} shows, as one node of the cluster sees it.
 *
 * @param reporter    the cluster address of the node that answered
 * @param members     every member, its state and roles
 * @param unreachable the members this node's failure detector cannot reach
 * @param experts     every expert: where it is served, or that it is between homes
 * @param loadWindowS the window of the per-expert load, in seconds (0: no gateway on this node)
 * @param moves       expert copies (entity ids, "layer-expert[-replica]") placement is moving to
 *                    another node or starting as an extra copy of a hot expert
 * @param silentEndpoints expert endpoints whose blocks from this node's gateway go unanswered now,
 *                    each "HOST:PORT: N blocks unanswered for T ms (why)"
 */
public record StatusReport(
    String reporter, List<Member> members, List<String> unreachable, List<Expert> experts, int loadWindowS,
    List<String> moves, List<String> silentEndpoints)
    implements CborSerializable
{
    /** One cluster member. */
    public record Member(String address, String status, List<String> roles)
    {
    }

    /**
     * One expert of one layer.
     *
     * @param node        the cluster address of the host of its first copy, or null while that moves
     *                    (not located in time)
     * @param rowsPerSec  rows the reporting gateway sent it per second over the load window
     * @param workMsPerSec the compute those rows cost, in ms per second (rows/s times the cost of a
     *                    row as expert nodes measured it, or estimated from its FLOPs before that)
     * @param replicas    its further copies (switchyard.experts.replicas and extra copies placement
     *                    gave it while hot), replica 1 first
     */
    public record Expert(
        int layer, int expert, String node, int epoch, double rowsPerSec, double workMsPerSec, List<Copy> replicas)
    {
        public boolean moving()
        {
            return node == null;
        }

        /** Copies of this expert between homes, the first one included. */
        public long copiesMoving()
        {
            return (moving() ? 1 : 0) + replicas.stream().filter(Copy::moving).count();
        }
    }

    /** A further copy of an expert: where it is served, or null while it moves. */
    public record Copy(int replica, String node, int epoch)
    {
        public boolean moving()
        {
            return node == null;
        }
    }
}
