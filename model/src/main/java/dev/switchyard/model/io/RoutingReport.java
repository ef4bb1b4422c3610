package dev.switchyard.model.io;

import java.util.Arrays;

/**
 * What the router decided for a request, per group and per token; the content of a routing report
 * file. A dropped or absent assignment has expert -1, position -1, gate 0.
 *
 * @param capacity  [groups] capacity C of every expert in each group
 * @param auxLoss   [groups] balancing loss of each group
 * @param expert1   [tokens] first-choice expert
 * @param expert2   [tokens] second-choice expert
 * @param position1 [tokens] slot of the first choice in its expert's buffer
 * @param position2 [tokens] slot of the second choice
 * @param gate1     [tokens] final combine weight of the first choice
 * @param gate2     [tokens] final combine weight of the second choice
 */
public record RoutingReport(
    int[] capacity,
    double[] auxLoss,
    int[] expert1,
    int[] expert2,
    int[] position1,
    int[] position2,
    float[] gate1,
    float[] gate2)
{
    public RoutingReport
    {
        if (capacity.length != auxLoss.length)
        {
            throw new IllegalArgumentException(
                "capacity has " + capacity.length + " groups, aux_loss " + auxLoss.length);
        }
        final int t = expert1.length;
        if (expert2.length != t || position1.length != t || position2.length != t || gate1.length != t ||
            gate2.length != t)
        {
            throw new IllegalArgumentException("per-token arrays differ in length: expert " + t + "/" +
                expert2.length + ", position " + position1.length + "/" + position2.length + ", gate " +
                gate1.length + "/" + gate2.length);
        }
    }

    public int groupCount()
    {
        return capacity.length;
    }

    public int tokenCount()
    {
        return expert1.length;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof RoutingReport r &&
            Arrays.equals(capacity, r.capacity) && Arrays.equals(auxLoss, r.auxLoss) &&
            Arrays.equals(expert1, r.expert1) && Arrays.equals(expert2, r.expert2) &&
            Arrays.equals(position1, r.position1) && Arrays.equals(position2, r.position2) &&
            Arrays.equals(gate1, r.gate1) && Arrays.equals(gate2, r.gate2);
    }

    @Override
    public int hashCode()
    {
        int h = Arrays.hashCode(capacity);
        h = 31 * h + Arrays.hashCode(auxLoss);
        h = 31 * h + Arrays.hashCode(expert1);
        h = 31 * h + Arrays.hashCode(expert2);
        h = 31 * h + Arrays.hashCode(position1);
        h = 31 * h + Arrays.hashCode(position2);
        h = 31 * h + Arrays.hashCode(gate1);
        return 31 * h + Arrays.hashCode(gate2);
    }

    @Override
    public String toString()
    {
        return "RoutingReport[groups=" + groupCount() + ", tokens=" + tokenCount() + "]";
    }
}
