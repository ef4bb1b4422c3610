package dev.switchyard.routing.plan;

import dev.switchyard.model.io.RoutingReport;

/**
 * The routing of a whole token sequence, group by group: the columns of the routing report
 * (docs/contracts.md §2) and the drop counts of a summary line. Filled from each group's plan.
 */
public final class RoutingRecord
{
    private final int tokens;
    private final TokenGroups groups;
    private final int experts;

    // [groups]
    private final int[] capacity;
    private final double[] auxLoss;
    // [T]
    private final int[] expert1;
    private final int[] expert2;
    private final int[] position1;
    private final int[] position2;
    private final float[] gate1;
    private final float[] gate2;
    // [E]: kept assignments per expert over the whole sequence.
    private final long[] expertLoad;

    private long droppedFirstByCapacity;
    private long droppedSecondByCapacity;
    private long secondRemovedByPolicy;
    private long maskedByImportance;
    private long tokensWithoutExpert;

    public RoutingRecord(final TokenGroups groups, final int experts)
    {
        this.groups = groups;
        this.tokens = groups.tokens();
        this.experts = experts;
        capacity = new int[groups.count()];
        auxLoss = new double[groups.count()];
        expert1 = new int[tokens];
        expert2 = new int[tokens];
        position1 = new int[tokens];
        position2 = new int[tokens];
        gate1 = new float[tokens];
        gate2 = new float[tokens];
        expertLoad = new long[experts];
    }

    /** Copies group {@code group}'s plan into the record. */
    public void record(final int group, final RoutingPlan plan)
    {
        final int start = groups.start(group);
        capacity[group] = plan.capacity();
        auxLoss[group] = plan.auxLoss();
        for (int t = 0; t < plan.tokens(); t++)
        {
            expert1[start + t] = plan.expert1(t);
            expert2[start + t] = plan.expert2(t);
            position1[start + t] = plan.position1(t);
            position2[start + t] = plan.position2(t);
            gate1[start + t] = plan.gate1(t);
            gate2[start + t] = plan.gate2(t);
        }
        for (int e = 0; e < experts; e++)
        {
            expertLoad[e] += plan.slotCount(e);
        }
        droppedFirstByCapacity += plan.droppedFirstByCapacity();
        droppedSecondByCapacity += plan.droppedSecondByCapacity();
        secondRemovedByPolicy += plan.secondRemovedByPolicy();
        maskedByImportance += plan.maskedByImportance();
        tokensWithoutExpert += plan.tokensWithoutExpert();
    }

    public int tokens()
    {
        return tokens;
    }

    public TokenGroups groups()
    {
        return groups;
    }

    public int[] capacity()
    {
        return capacity;
    }

    public double[] auxLoss()
    {
        return auxLoss;
    }

    public int[] expert1()
    {
        return expert1;
    }

    public int[] expert2()
    {
        return expert2;
    }

    public int[] position1()
    {
        return position1;
    }

    public int[] position2()
    {
        return position2;
    }

    public float[] gate1()
    {
        return gate1;
    }

    public float[] gate2()
    {
        return gate2;
    }

    public long[] expertLoad()
    {
        return expertLoad;
    }

    public long droppedFirstByCapacity()
    {
        return droppedFirstByCapacity;
    }

    public long droppedSecondByCapacity()
    {
        return droppedSecondByCapacity;
    }

    public long secondRemovedByPolicy()
    {
        return secondRemovedByPolicy;
    }

    public long maskedByImportance()
    {
        return maskedByImportance;
    }

    public long tokensWithoutExpert()
    {
        return tokensWithoutExpert;
    }

    /** The report of docs/contracts.md §2 (the arrays are shared, not copied). */
    public RoutingReport toReport()
    {
        return new RoutingReport(capacity, auxLoss, expert1, expert2, position1, position2, gate1, gate2);
    }

    public double meanAuxLoss()
    {
        double s = 0;
        for (final double v : auxLoss)
        {
            s += v;
        }
        return auxLoss.length == 0 ? 0 : s / auxLoss.length;
    }
}
