package dev.switchyard.routing.plan;

import java.util.Arrays;

/**
 * The sparse routing of one token group: per token up to {@link #entries()} (expert, position, gate)
 * assignments (two for the seed's top-2; a checkpoint family's k, and its shared experts after them),
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

    // [G, entries]: the report's expert, position and gate columns; ABSENT / 0 where dropped or absent.
    private final int entries;
    private final int[] expert;
    private final int[] position;
    private final float[] gate;

    // [E]: slots of expert e are slotToken[slotStart[e] .. slotStart[e] + slotCount[e]).
    private final int[] slotStart;
    private final int[] slotCount;
    // [<= entries * G]
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

    /** A plan of the seed's top-2 gating: two entries per token. */
    public RoutingPlan(final int maxTokens, final int experts)
    {
        this(maxTokens, experts, 2);
    }

    /** @param entries assignments a token can hold (at least 2) */
    public RoutingPlan(final int maxTokens, final int experts, final int entries)
    {
        if (maxTokens < 1 || experts < 1 || entries < 2)
        {
            throw new IllegalArgumentException("maxTokens and experts must be >= 1, entries >= 2");
        }
        this.maxTokens = maxTokens;
        this.experts = experts;
        this.entries = entries;
        expert = new int[maxTokens * entries];
        position = new int[maxTokens * entries];
        gate = new float[maxTokens * entries];
        slotStart = new int[experts];
        slotCount = new int[experts];
        slotToken = new int[entries * maxTokens];
        slotGate = new float[entries * maxTokens];
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

    /** Assignments a token can hold: the columns of {@link #expert(int, int)}. */
    public int entries()
    {
        return entries;
    }

    /** Expert of entry {@code j} of token t, or {@link #ABSENT}. */
    public int expert(final int t, final int j)
    {
        return expert[t * entries + j];
    }

    public int position(final int t, final int j)
    {
        return position[t * entries + j];
    }

    public float gate(final int t, final int j)
    {
        return gate[t * entries + j];
    }

    public int expert1(final int t)
    {
        return expert[t * entries];
    }

    public int expert2(final int t)
    {
        return expert[t * entries + 1];
    }

    public int position1(final int t)
    {
        return position[t * entries];
    }

    public int position2(final int t)
    {
        return position[t * entries + 1];
    }

    public float gate1(final int t)
    {
        return gate[t * entries];
    }

    public float gate2(final int t)
    {
        return gate[t * entries + 1];
    }

    /** Index of position {@code slot} of expert e in the slot table [entries * G]: where a staged term goes. */
    public int slotIndex(final int e, final int slot)
    {
        return slotStart[e] + slot;
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
        final int base = t * entries;
        expert[base] = e1;
        position[base] = p1;
        gate[base] = g1;
        expert[base + 1] = e2;
        position[base + 1] = p2;
        gate[base + 1] = g2;
        for (int j = 2; j < entries; j++)
        {
            expert[base + j] = ABSENT;
            position[base + j] = ABSENT;
            gate[base + j] = 0f;
        }
    }

    /** Entry j of token t: {@code e} ({@link #ABSENT} for none) at position p with weight g. */
    public void assignEntry(final int t, final int j, final int e, final int p, final float g)
    {
        final int at = t * entries + j;
        expert[at] = e;
        position[at] = p;
        gate[at] = g;
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
            boolean any = false;
            for (int j = 0; j < entries; j++)
            {
                final int at = t * entries + j;
                final int e = expert[at];
                if (e != ABSENT)
                {
                    slotToken[slotStart[e] + position[at]] = t;
                    slotGate[slotStart[e] + position[at]] = gate[at];
                    any = true;
                }
            }
            if (!any)
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
    public void dropExpert(final int dropped)
    {
        for (int t = 0; t < tokens; t++)
        {
            boolean hadAny = false;
            boolean hasAny = false;
            for (int j = 0; j < entries; j++)
            {
                final int at = t * entries + j;
                hadAny |= expert[at] != ABSENT;
                if (expert[at] == dropped)
                {
                    expert[at] = ABSENT;
                    position[at] = ABSENT;
                    gate[at] = 0f;
                    if (j == 0)
                    {
                        droppedFirstByCapacity++;
                    }
                    else
                    {
                        droppedSecondByCapacity++;
                    }
                    countDrop(DropCause.UNAVAILABLE, dropped);
                }
                hasAny |= expert[at] != ABSENT;
            }
            if (hadAny && !hasAny)
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
