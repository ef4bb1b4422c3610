package dev.switchyard.gateway.dispatch;

import java.util.Arrays;

import dev.switchyard.routing.plan.RoutingPlan;

/**
 * One token group from formation to combine; a fixed pool of these bounds the groups in flight. The
 * group id sent on the wire carries the slot index and a sequence, so a late block for a slot that
 * has moved on is recognised and ignored.
 * <p>
 * An expert's block may be split into parts, one per live replica (its rows are independent), so
 * what is sent, held and combined is a unit: unit {@code u = expert * PARTS + part} covers the
 * expert's slots {@code partStart[u] .. partStart[u] + partRows[u]}. The part rides in the top bits
 * of the group id on the wire ({@link #wireId}), so a reply names its part.
 * <p>
 * The row buffers (x, y, the staged terms) grow to the rows a group of this slot has held and are kept
 * for the next: a pool of 64 slots of 256 rows at d 7168 with 9 terms a token would otherwise hold
 * 4.8 GiB before the first request, and a decode step's groups hold a few rows. Exact-mode groups use
 * their request's rows and never grow x, nor y unless their replies are staged.
 */
final class GroupSlot
{
    static final int SLOT_BITS = 16;
    static final int PARTS = ExpertRoutes.REPLICAS;
    static final int PART_SHIFT = 56;
    static final long GROUP_MASK = (1L << PART_SHIFT) - 1;

    private static final float[] NONE = new float[0];
    /** Rows a buffer grows by at least, so that a group filled a row at a time grows it a few times. */
    private static final int MIN_GROWTH_ROWS = 16;

    final int index;
    private final int maxTokens;
    private final int d;
    private final int entries;
    float[] x = NONE;           // [tokens, d] the shared group's rows, grown as they arrive
    final float[] importance;   // [G]
    final float[] gates;        // [G, E]
    float[] y = NONE;           // [tokens, d] grown at dispatch
    float[] terms;              // [entries * tokens, d] replies staged for an ordered combine, or null
    final RoutingPlan plan;
    final int[] parts;          // [E] parts the expert's block is split into
    final int[] partStart;      // [E * PARTS] first slot of each part
    final int[] partRows;       // [E * PARTS]
    final boolean[] sent;       // [E * PARTS] part on the wire (or answered)
    final boolean[] received;   // [E * PARTS] part combined
    final boolean[] waiting;    // [E * PARTS] part waits for a route to its expert
    final int[] attempts;       // [E * PARTS] sends, hedges included
    final int[] dispatches;     // [E * PARTS] sends that were not hedges: bounded by the max attempts
    final long[] sentNs;        // [E * PARTS] when the part last went out
    final Object[] sentLink;    // [E * PARTS] the link it went on
    final Object[] sentRoute;   // [E * PARTS] the replica it went to
    final boolean[] skipped;    // [E] experts routed as capacity 0 (degraded) in this group

    // Segments: which request rows this group holds.
    PendingRequest[] segRequest = new PendingRequest[4];
    long[] segGeneration = new long[4];
    int[] segGroupRow = new int[4];
    int[] segRequestRow = new int[4];
    int[] segCount = new int[4];
    int[] segRequestGroup = new int[4];
    int segments;

    /**
     * Where gating and dispatch read the group's rows [tokens, d], from row {@link #inputRow}: x, or
     * the request's own rows when the group holds one request's (exact mode), which saves their copy.
     */
    float[] input;
    int inputRow;
    /** Where replies are combined [tokens, d], from row {@link #outputRow}: y, or the one request's own. */
    float[] output;
    int outputRow;
    private boolean ownOutput;

    long groupId;
    int layer;
    int tokens;
    long ordinal;
    boolean open;
    boolean keepApart;
    boolean anyImportance;
    long openedNs;
    long dispatchedNs;
    int outstanding;
    int waitingCount;
    boolean inUse;

    GroupSlot(final int index, final int maxTokens, final int d, final int experts)
    {
        this(index, maxTokens, d, experts, 2, false);
    }

    /**
     * @param entries assignments a token can hold in the plan
     * @param staged  whether replies are staged in {@link #terms} rather than added as they arrive
     */
    GroupSlot(final int index, final int maxTokens, final int d, final int experts, final int entries,
        final boolean staged)
    {
        this.index = index;
        this.maxTokens = maxTokens;
        this.d = d;
        this.entries = entries;
        importance = new float[maxTokens];
        gates = new float[maxTokens * experts];
        terms = staged ? NONE : null;
        plan = new RoutingPlan(maxTokens, experts, entries);
        final int units = experts * PARTS;
        parts = new int[experts];
        partStart = new int[units];
        partRows = new int[units];
        sent = new boolean[units];
        received = new boolean[units];
        waiting = new boolean[units];
        attempts = new int[units];
        dispatches = new int[units];
        sentNs = new long[units];
        sentLink = new Object[units];
        sentRoute = new Object[units];
        skipped = new boolean[experts];
    }

    void open(final long sequence, final int layer, final boolean keepApart, final long nowNs)
    {
        groupId = (sequence << SLOT_BITS) | index;
        this.layer = layer;
        this.keepApart = keepApart;
        tokens = 0;
        segments = 0;
        input = x;
        inputRow = 0;
        output = y;
        outputRow = 0;
        ownOutput = true;
        open = true;
        inUse = true;
        anyImportance = false;
        openedNs = nowNs;
        outstanding = 0;
        waitingCount = 0;
        Arrays.fill(sent, false);
        Arrays.fill(received, false);
        Arrays.fill(waiting, false);
        Arrays.fill(attempts, 0);
        Arrays.fill(dispatches, 0);
        Arrays.fill(sentLink, null);
        Arrays.fill(sentRoute, null);
        Arrays.fill(skipped, false);
        Arrays.fill(parts, 0);
        Arrays.fill(partRows, 0);
    }

    /**
     * The group holds rows {@code requestRow ..} of {@code request} alone, in order: gating and
     * dispatch read them where the request holds them, and with {@code combineThere} replies are
     * combined into the request's outputs directly (a reply then counts only while the request is
     * live: a request answered already may have handed its arrays to the next one).
     */
    void useRowsOf(final PendingRequest request, final int requestRow, final boolean combineThere)
    {
        input = request.x;
        inputRow = requestRow;
        if (combineThere)
        {
            output = request.y;
            outputRow = requestRow;
            ownOutput = false;
        }
    }

    /** Whether replies are combined into a request's own outputs. */
    boolean combinesInPlace()
    {
        return !ownOutput;
    }

    /** Room in x for {@code rows} rows of a shared group, its rows so far kept. */
    void reserveRows(final int rows)
    {
        if (x.length < rows * d)
        {
            x = Arrays.copyOf(x, grownRows(x.length / d, rows) * d);
            input = x;
        }
    }

    /** Room for the closed group's outputs and staged terms, before its blocks go out. */
    void reserveOutputs()
    {
        if (ownOutput && y.length < tokens * d)
        {
            y = new float[grownRows(y.length / d, tokens) * d];
            output = y;
        }
        if (terms != null && terms.length < entries * tokens * d)
        {
            terms = new float[entries * grownRows(terms.length / (entries * d), tokens) * d];
        }
    }

    /** Rows a buffer that holds {@code held} grows to when it must hold {@code rows}: doubling, at most G. */
    private int grownRows(final int held, final int rows)
    {
        return Math.min(maxTokens, Math.max(rows, Math.max(2 * held, MIN_GROWTH_ROWS)));
    }

    /** Splits the block of {@code expert} ({@code rows} slots) into {@code count} parts of near-equal rows. */
    void split(final int expert, final int rows, final int count)
    {
        parts[expert] = count;
        for (int p = 0; p < count; p++)
        {
            final int u = expert * PARTS + p;
            partStart[u] = p * rows / count;
            partRows[u] = (p + 1) * rows / count - partStart[u];
        }
    }

    /** The group id a part carries on the wire. */
    long wireId(final int unit)
    {
        return groupId | ((long)(unit % PARTS) << PART_SHIFT);
    }

    void addSegment(final PendingRequest request, final int requestRow, final int count, final int requestGroup)
    {
        if (segments == segRequest.length)
        {
            final int n = 2 * segments;
            segRequest = Arrays.copyOf(segRequest, n);
            segGeneration = Arrays.copyOf(segGeneration, n);
            segGroupRow = Arrays.copyOf(segGroupRow, n);
            segRequestRow = Arrays.copyOf(segRequestRow, n);
            segCount = Arrays.copyOf(segCount, n);
            segRequestGroup = Arrays.copyOf(segRequestGroup, n);
        }
        segRequest[segments] = request;
        segGeneration[segments] = request.generation;
        segGroupRow[segments] = tokens;
        segRequestRow[segments] = requestRow;
        segCount[segments] = count;
        segRequestGroup[segments] = requestGroup;
        segments++;
        tokens += count;
    }

    boolean segmentLive(final int s)
    {
        final PendingRequest r = segRequest[s];
        return r.generation == segGeneration[s] && !r.done;
    }

    /** Whether no request still waits for this group (all answered already, e.g. timed out). */
    boolean abandoned()
    {
        for (int s = 0; s < segments; s++)
        {
            if (segmentLive(s))
            {
                return false;
            }
        }
        return true;
    }

    void release()
    {
        inUse = false;
        open = false;
        Arrays.fill(segRequest, 0, segments, null);
        segments = 0;
    }
}
