package dev.switchyard.gateway.dispatch;

import java.util.Arrays;

import dev.switchyard.router.plan.RoutingPlan;

/**
 * One token group from formation to combine; a fixed pool of these bounds the groups in flight. The
 * group id sent on the wire carries the slot index and a sequence, so a late block for a slot that
 * has moved on is recognised and ignored.
 */
final class GroupSlot
{
    static final int SLOT_BITS = 16;

    final int index;
    final float[] x;            // [G, d]
    final float[] importance;   // [G]
    final float[] gates;        // [G, E]
    final float[] y;            // [G, d]
    final RoutingPlan plan;
    final boolean[] sent;       // [E] block on the wire (or answered)
    final boolean[] received;   // [E] block combined
    final boolean[] waiting;    // [E] block waits for a route to its expert
    final int[] attempts;       // [E]
    final long[] sentNs;        // [E] when the block last went out
    final Object[] sentLink;    // [E] where it went

    // Segments: which request rows this group holds.
    PendingRequest[] segRequest = new PendingRequest[4];
    long[] segGeneration = new long[4];
    int[] segGroupRow = new int[4];
    int[] segRequestRow = new int[4];
    int[] segCount = new int[4];
    int[] segRequestGroup = new int[4];
    int segments;

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
        this.index = index;
        x = new float[maxTokens * d];
        importance = new float[maxTokens];
        gates = new float[maxTokens * experts];
        y = new float[maxTokens * d];
        plan = new RoutingPlan(maxTokens, experts);
        sent = new boolean[experts];
        received = new boolean[experts];
        waiting = new boolean[experts];
        attempts = new int[experts];
        sentNs = new long[experts];
        sentLink = new Object[experts];
    }

    void open(final long sequence, final int layer, final boolean keepApart, final long nowNs)
    {
        groupId = (sequence << SLOT_BITS) | index;
        this.layer = layer;
        this.keepApart = keepApart;
        tokens = 0;
        segments = 0;
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
        Arrays.fill(sentLink, null);
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
