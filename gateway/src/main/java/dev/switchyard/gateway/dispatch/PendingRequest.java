package dev.switchyard.gateway.dispatch;

import java.util.Arrays;

import dev.switchyard.dataplane.FragmentedClaim;
import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.MutableDirectBuffer;

/**
 * One admitted request between its arrival and its answer. Pooled: the arrays only grow, so a
 * gateway in steady state does not allocate per request. {@link #generation} changes on every reuse
 * so that a group finishing late cannot write into the request that took this slot's place.
 */
final class PendingRequest
{
    long generation;
    /** The request this message is part of: its deadline, progress and reservation. */
    WholeRequest whole;
    long clientId;
    long requestId;
    int layer;
    int rows;
    int d;
    boolean wantRouting;
    boolean keepApart;
    boolean hasImportance;
    int onUnavailable;                  // RequestFrame.ON_UNAVAILABLE_*
    boolean[] skipped = new boolean[0]; // [E] experts left out of a degraded answer
    int skippedCount;
    boolean[] fixedSkip = new boolean[0];  // [E] experts every group of it is routed without (drop mode)
    boolean skipFixed;                  // fixedSkip was set when its first group was gated
    boolean[] groupSkips = new boolean[0]; // [E] experts the first finished group of it was routed without
    boolean groupSkipsNoted;
    boolean groupSkipsDiffer;           // its groups were routed without different experts
    long groupOrdinalBase;
    long arrivalNs;
    long deadlineNs;

    float[] x = new float[0];           // [rows, d]
    float[] importance = new float[0];  // [rows]
    float[] y = new float[0];           // [rows, d]
    int entries;                        // routing entries per token of its layer: 2, or a family's k
    int[] expert = new int[0];          // [rows, entries]
    int[] position = new int[0];        // [rows, entries]
    float[] gate = new float[0];        // [rows, entries]
    int[] capacity = new int[0];        // [groups touched]
    double[] auxLoss = new double[0];   // [groups touched]
    int groupsTouched;

    GroupSlot openGroup;
    int rowsAssigned;
    int rowsDone;
    boolean done;
    BlockStatus status;
    String detail;

    void reset(final long clientId, final long requestId, final int layer, final int rows, final int d)
    {
        generation++;
        this.clientId = clientId;
        this.requestId = requestId;
        this.layer = layer;
        this.rows = rows;
        this.d = d;
        x = grow(x, rows * d);
        y = grow(y, rows * d);
        importance = grow(importance, rows);
        rowsAssigned = 0;
        openGroup = null;
        rowsDone = 0;
        groupsTouched = 0;
        done = false;
        status = BlockStatus.OK;
        detail = "";
        if (skippedCount > 0)
        {
            Arrays.fill(skipped, false);
            skippedCount = 0;
        }
        groupSkipsNoted = false;
        groupSkipsDiffer = false;
        skipFixed = false;
    }

    /** Its first group is gated without the experts marked in {@code skip} [E]: so will every other be. */
    void fixSkip(final boolean[] skip)
    {
        if (fixedSkip.length != skip.length)
        {
            fixedSkip = new boolean[skip.length];
        }
        System.arraycopy(skip, 0, fixedSkip, 0, skip.length);
        skipFixed = true;
    }

    /**
     * A group of this request finished, routed without the experts marked in {@code groupSkipped}
     * [E]. A degraded answer is exact only when every group of the request left out the same experts
     * (what {@code infer --local --unavailable-experts} computes); an expert that became unreachable
     * between two of its groups breaks that.
     */
    void noteGroupSkips(final boolean[] groupSkipped)
    {
        if (!groupSkipsNoted)
        {
            if (groupSkips.length != groupSkipped.length)
            {
                groupSkips = new boolean[groupSkipped.length];
            }
            System.arraycopy(groupSkipped, 0, groupSkips, 0, groupSkipped.length);
            groupSkipsNoted = true;
        }
        else if (!Arrays.equals(groupSkips, groupSkipped))
        {
            groupSkipsDiffer = true;
        }
    }

    /** Some of this request's rows were computed without {@code expert}, of {@code experts}. */
    void skip(final int expert, final int experts)
    {
        if (skipped.length < experts)
        {
            skipped = new boolean[experts];
        }
        if (!skipped[expert])
        {
            skipped[expert] = true;
            skippedCount++;
        }
    }

    /** Some of this request's rows were routed without the experts marked in {@code unavailable} [E]. */
    void skip(final boolean[] unavailable)
    {
        if (skipped.length < unavailable.length)
        {
            skipped = new boolean[unavailable.length];
        }
        for (int e = 0; e < unavailable.length; e++)
        {
            if (unavailable[e] && !skipped[e])
            {
                skipped[e] = true;
                skippedCount++;
            }
        }
    }

    /** Room for the routing report of its rows, {@code entries} per token (the arrays only grow). */
    void prepareRouting(final int entries)
    {
        this.entries = entries;
        if (expert.length < entries * rows)
        {
            expert = new int[entries * rows];
            position = new int[entries * rows];
            gate = new float[entries * rows];
        }
    }

    void fail(final BlockStatus why, final String text)
    {
        if (!done)
        {
            done = true;
            status = why;
            detail = text;
        }
    }

    /** Past its deadline: a result not yet sent becomes a timeout; an error stays the error it is. */
    void expire(final String text)
    {
        if (status == BlockStatus.OK || status == BlockStatus.DEGRADED)
        {
            done = true;
            status = BlockStatus.TIMEOUT;
            detail = text;
        }
    }

    /**
     * Takes rows [groupRow, groupRow + count) of a finished group, rows [base + groupRow, ...) of
     * {@code groupY}, as rows [requestRow, ...) of this request; rows combined in place already are not copied.
     */
    void accept(final float[] groupY, final RoutingPlan plan, final int base, final int groupRow, final int requestRow,
        final int count)
    {
        if (groupY != y || base + groupRow != requestRow)
        {
            System.arraycopy(groupY, (base + groupRow) * d, y, requestRow * d, count * d);
        }
        if (wantRouting)
        {
            // The plan's first entries are the report's; a checkpoint's shared expert comes after them.
            for (int i = 0; i < count; i++)
            {
                final int t = groupRow + i;
                final int r = entries * (requestRow + i);
                for (int j = 0; j < entries; j++)
                {
                    expert[r + j] = plan.expert(t, j);
                    position[r + j] = plan.position(t, j);
                    gate[r + j] = plan.gate(t, j);
                }
            }
        }
        rowsDone += count;
        whole.rowsDone += count;
        if (rowsDone == rows && !done)
        {
            done = true;
            if (groupSkipsDiffer)
            {
                // No one set of unavailable experts reproduces these rows: an error, never a wrong answer.
                status = BlockStatus.EXPERT_UNAVAILABLE;
                detail = skippedList() + " became unreachable while this request was computed, so its groups " +
                    "were routed without different experts and no exact degraded answer exists: send it again";
            }
            else if (skippedCount > 0)
            {
                status = BlockStatus.DEGRADED;
                detail = skippedDetail();
            }
        }
    }

    /** The index of the next group this request's rows go to, in token order. */
    int touchGroup()
    {
        if (capacity.length == groupsTouched)
        {
            capacity = Arrays.copyOf(capacity, Math.max(4, 2 * groupsTouched));
            auxLoss = Arrays.copyOf(auxLoss, capacity.length);
        }
        return groupsTouched++;
    }

    void recordGroup(final int index, final int groupCapacity, final double groupAuxLoss)
    {
        capacity[index] = groupCapacity;
        auxLoss[index] = groupAuxLoss;
    }

    /**
     * The length of its answer when that is known before it is written, a result without detail
     * (the detail's encoded length is not); -1 otherwise.
     */
    int resultLength(final int d)
    {
        if ((status != BlockStatus.OK && status != BlockStatus.DEGRADED) || !detail.isEmpty())
        {
            return -1;
        }
        final long length =
            AnswerFrame.maxLength(rows, d, wantRouting ? groupsTouched : 0, 0, wantRouting ? entries : 0);
        return length > Integer.MAX_VALUE ? -1 : (int)length;
    }

    /** Writes this request's answer at {@code offset}: its outputs (and routing, if asked for) or why it failed. */
    int writeAnswer(final AnswerFrame frame, final MutableDirectBuffer buffer, final int offset, final int d)
    {
        final String text = FrameSizes.clip(detail);
        if (status != BlockStatus.OK && status != BlockStatus.DEGRADED)
        {
            return frame.writeError(buffer, offset, clientId, requestId, status, text);
        }
        // y [rows, d]; expert, position, gate [rows, entries]; capacity, auxLoss [groups touched]
        return wantRouting ?
            frame.writeResult(buffer, offset, clientId, requestId, status, text, rows, d, y, groupsTouched,
                capacity, auxLoss, entries, expert, position, gate) :
            frame.writeResult(buffer, offset, clientId, requestId, status, text, rows, d, y, 0, null, null, null,
                null, null);
    }

    /**
     * Writes its result ({@link #resultLength} bytes, known) into {@code fragments}, claimed for them: the
     * head into the first fragment, then the outputs and the routing report as {@link #writeAnswer} lays
     * them out.
     *
     * @return &gt; 0, or the code of a fragment's claim that failed (the frame is then broken)
     */
    long writeResultInFragments(final AnswerFrame frame, final FragmentedClaim fragments, final int d)
    {
        final int groups = wantRouting ? groupsTouched : 0;
        fragments.skip(frame.writeResultHead(fragments.buffer(), fragments.offset(), clientId, requestId, status,
            "", rows, d, groups, wantRouting ? entries : 0));
        long result = fragments.putFloats(y, 0, rows * d);  // [rows, d]
        if (!wantRouting || result <= 0)
        {
            return result;
        }
        // Each put only after the one before succeeded: a frame with a hole would not be dropped as broken.
        final int n = entries * rows;
        if ((result = fragments.putInts(capacity, 0, groups)) <= 0 ||
            (result = fragments.putDoubles(auxLoss, 0, groups)) <= 0 ||
            (result = fragments.putInts(expert, 0, n)) <= 0 ||
            (result = fragments.putInts(position, 0, n)) <= 0)
        {
            return result;
        }
        return fragments.putFloats(gate, 0, n);
    }

    /** "experts 1,4 of layer 0 could not be reached: computed without them (capacity 0)". */
    private String skippedDetail()
    {
        return skippedList() + " could not be reached: computed without them (capacity 0)";
    }

    /** "experts 1,4 of layer 0". */
    private String skippedList()
    {
        final StringBuilder text = new StringBuilder("experts ");
        String sep = "";
        for (int e = 0; e < skipped.length; e++)
        {
            if (skipped[e])
            {
                text.append(sep).append(e);
                sep = ",";
            }
        }
        return text.append(" of layer ").append(layer).toString();
    }

    private static float[] grow(final float[] a, final int n)
    {
        return a.length >= n ? a : new float[Math.max(n, a.length + a.length / 2)];
    }
}
