package dev.switchyard.routing.plan;

import java.util.Arrays;

/**
 * The sparse routing of one token group: per token up to two (expert, position, gate) assignments,
 * per expert its filled slots in position order. The dense [G, E, C] one-hot form of Mesh TF is never
 * built: slot {@code s} of expert {@code e} is the row at position {@code s} of that expert's block.
 * <p>
 * Reusable: {@link dev.switchyard.routing.gating.Top2Gating} overwrites it for every group, so a
 * serving loop allocates nothing per group.
 */
public final class RoutingPlan
{
    public static final int ABSENT = -1;

    private final int maxTokens;
    private final int experts;

    private int tokens;
    private int capacity;
    private double auxLoss;

    // [G]: the report's expert, position and gate columns; ABSENT / 0 where dropped or absent.
    private final int[] expert1;
    private final int[] expert2;
    private final int[] position1;
    private final int[] position2;
    private final float[] gate1;
    private final float[] gate2;

    // [E]: slots of expert e are slotToken[slotStart[e] .. slotStart[e] + slotCount[e]).
    private final int[] slotStart;
    private final int[] slotCount;
    // [<= 2G]
    private final int[] slotToken;
    private final float[] slotGate;

    // [E]: the densities the seed prints for monitoring.
    private final float[] density1;
    private final float[] density2;
    // [causes, E]: assignments dropped, per cause and the expert they were meant for.
    private final int[] droppedByCause;

    private int droppedFirstByCapacity;
    private int droppedSecondByCapacity;
    private int secondRemovedByPolicy;
    private int maskedByImportance;
    private int tokensWithoutExpert;

    public RoutingPlan(final int maxTokens, final int experts)
    {
        if (maxTokens < 1 || experts < 1)
        {
            throw new IllegalArgumentException("maxTokens and experts must be >= 1");
        }
        this.maxTokens = maxTokens;
        this.experts = experts;
        expert1 = new int[maxTokens];
        expert2 = new int[maxTokens];
        position1 = new int[maxTokens];
        position2 = new int[maxTokens];
        gate1 = new float[maxTokens];
        gate2 = new float[maxTokens];
        slotStart = new int[experts];
        slotCount = new int[experts];
        slotToken = new int[2 * maxTokens];
        slotGate = new float[2 * maxTokens];
        density1 = new float[experts];
        density2 = new float[experts];
        droppedByCause = new int[DropCause.all().length * experts];
    }

    public int maxTokens()
    {
        return maxTokens;
    }

    public int experts()
    {
        return experts;
    }

    /**
     * The most rows an expert's block can have: a token can hold two slots of one expert when every
     * other gate underflows to zero (its second choice is then the lowest index, maybe the first's).
     */
    public int maxBlockRows()
    {
        return 2 * maxTokens;
    }

    public int tokens()
    {
        return tokens;
    }

    public int capacity()
    {
        return capacity;
    }

    public double auxLoss()
    {
        return auxLoss;
    }

    public int expert1(final int t)
    {
        return expert1[t];
    }

    public int expert2(final int t)
    {
        return expert2[t];
    }

    public int position1(final int t)
    {
        return position1[t];
    }

    public int position2(final int t)
    {
        return position2[t];
    }

    public float gate1(final int t)
    {
        return gate1[t];
    }

    public float gate2(final int t)
    {
        return gate2[t];
    }

    /** Filled slots of expert e: its block has this many rows. */
    public int slotCount(final int e)
    {
        return slotCount[e];
    }

    /** The token (index in the group) at position {@code slot} of expert e. */
    public int slotToken(final int e, final int slot)
    {
        return slotToken[slotStart[e] + slot];
    }

    /** The combine weight of position {@code slot} of expert e. */
    public float slotGate(final int e, final int slot)
    {
        return slotGate[slotStart[e] + slot];
    }

    /** Mean over the group of the kept-before-capacity first-choice mask, per expert. */
    public float density1(final int e)
    {
        return density1[e];
    }

    /** Mean over the group of the second-choice mask after the policy, per expert. */
    public float density2(final int e)
    {
        return density2[e];
    }

    /**
     * Assignments meant for expert e that were dropped for {@code cause}. With the kept ones
     * ({@link #slotCount}), they add up over every expert and cause to two per token.
     */
    public int dropped(final DropCause cause, final int e)
    {
        return droppedByCause[cause.ordinal() * experts + e];
    }

    public int droppedFirstByCapacity()
    {
        return droppedFirstByCapacity;
    }

    public int droppedSecondByCapacity()
    {
        return droppedSecondByCapacity;
    }

    public int secondRemovedByPolicy()
    {
        return secondRemovedByPolicy;
    }

    /** Assignments removed by importance (or max_experts) before capacity. */
    public int maskedByImportance()
    {
        return maskedByImportance;
    }

    /** Tokens of the group with no kept assignment: their output is zero. */
    public int tokensWithoutExpert()
    {
        return tokensWithoutExpert;
    }

    /** Assignments kept in the group, over every expert. */
    public int keptAssignments()
    {
        int n = 0;
        for (int e = 0; e < experts; e++)
        {
            n += slotCount[e];
        }
        return n;
    }

    // ---- Written by Top2Gating while it routes a group; readers use the accessors above. ----

    public void reset(final int tokens, final int capacity)
    {
        if (tokens < 1 || tokens > maxTokens)
        {
            throw new IllegalArgumentException("group of " + tokens + " tokens, plan holds 1.." + maxTokens);
        }
        this.tokens = tokens;
        this.capacity = capacity;
        Arrays.fill(slotCount, 0);
        Arrays.fill(droppedByCause, 0);
        droppedFirstByCapacity = 0;
        droppedSecondByCapacity = 0;
        secondRemovedByPolicy = 0;
        maskedByImportance = 0;
        tokensWithoutExpert = 0;
    }

    public void assign(final int t, final int e1, final int p1, final float g1, final int e2, final int p2,
        final float g2)
    {
        expert1[t] = e1;
        position1[t] = p1;
        gate1[t] = g1;
        expert2[t] = e2;
        position2[t] = p2;
        gate2[t] = g2;
    }

    public void countSlot(final int e)
    {
        slotCount[e]++;
    }

    public void countDrop(final DropCause cause, final int e)
    {
        droppedByCause[cause.ordinal() * experts + e]++;
    }

    /** Lays out the slot table once every assignment is known. */
    public void indexSlots()
    {
        int start = 0;
        for (int e = 0; e < experts; e++)
        {
            slotStart[e] = start;
            start += slotCount[e];
        }
        for (int t = 0; t < tokens; t++)
        {
            if (expert1[t] != ABSENT)
            {
                slotToken[slotStart[expert1[t]] + position1[t]] = t;
                slotGate[slotStart[expert1[t]] + position1[t]] = gate1[t];
            }
            if (expert2[t] != ABSENT)
            {
                slotToken[slotStart[expert2[t]] + position2[t]] = t;
                slotGate[slotStart[expert2[t]] + position2[t]] = gate2[t];
            }
            if (expert1[t] == ABSENT && expert2[t] == ABSENT)
            {
                tokensWithoutExpert++;
            }
        }
    }

    /**
     * Drops every assignment to {@code expert} after routing, as capacity 0 for it would have (a
     * degraded answer decided once the group's blocks were out). Exact only where no other gate
     * depends on it: {@code before_capacity}, whose gates are final before capacity. Its slots stay
     * in the slot table, but its block must not be combined.
     */
    public void dropExpert(final int expert)
    {
        for (int t = 0; t < tokens; t++)
        {
            final boolean hadAny = expert1[t] != ABSENT || expert2[t] != ABSENT;
            if (expert1[t] == expert)
            {
                expert1[t] = ABSENT;
                position1[t] = ABSENT;
                gate1[t] = 0f;
                droppedFirstByCapacity++;
                countDrop(DropCause.UNAVAILABLE, expert);
            }
            if (expert2[t] == expert)
            {
                expert2[t] = ABSENT;
                position2[t] = ABSENT;
                gate2[t] = 0f;
                droppedSecondByCapacity++;
                countDrop(DropCause.UNAVAILABLE, expert);
            }
            if (hadAny && expert1[t] == ABSENT && expert2[t] == ABSENT)
            {
                tokensWithoutExpert++;
            }
        }
    }

    public void setStatistics(
        final double auxLoss,
        final int droppedFirstByCapacity,
        final int droppedSecondByCapacity,
        final int secondRemovedByPolicy,
        final int maskedByImportance)
    {
        this.auxLoss = auxLoss;
        this.droppedFirstByCapacity = droppedFirstByCapacity;
        this.droppedSecondByCapacity = droppedSecondByCapacity;
        this.secondRemovedByPolicy = secondRemovedByPolicy;
        this.maskedByImportance = maskedByImportance;
    }

    public float[] density1Array()
    {
        return density1;
    }

    public float[] density2Array()
    {
        return density2;
    }
}
