package dev.switchyard.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Joins the answers of a request's parts, all come, into the request's answer. */
final class AnswerJoin
{
    private AnswerJoin()
    {
    }

    /**
     * The first part that failed answers the whole request; else the parts' outputs and routing
     * reports are joined in part order, and a part computed without some experts makes the whole
     * answer degraded, naming them.
     *
     * @param parts  the parts' answers, in part order, all complete
     * @param given  the caller's output array, which the parts wrote in place; or null
     */
    static InferAnswer join(
        final List<CompletableFuture<InferAnswer>> parts, final int rows, final int d, final boolean wantRouting,
        final float[] given)
    {
        InferAnswer degraded = null;
        for (final CompletableFuture<InferAnswer> part : parts)
        {
            final InferAnswer a = part.join();
            if (!a.ok() && !a.degraded())
            {
                return a;
            }
        }
        for (final CompletableFuture<InferAnswer> part : parts)
        {
            if (part.join().degraded() && degraded == null)
            {
                degraded = part.join();
            }
        }
        // Parts wrote a given output in place; else they are joined into an array of the answer's own.
        final float[] output = given != null ? given : new float[rows * d];
        int row = 0;
        for (final CompletableFuture<InferAnswer> part : parts)
        {
            final InferAnswer a = part.join();
            if (given == null)
            {
                System.arraycopy(a.output(), 0, output, row * d, a.rows() * d);
            }
            row += a.rows();
        }
        return new InferAnswer(parts.getFirst().join().requestId(),
            degraded == null ? AnswerStatus.OK : AnswerStatus.DEGRADED, degraded == null ? "" : degraded.detail(),
            rows, d, output, wantRouting ? routing(parts, rows) : null);
    }

    /** The parts' routing reports, one after another: groups in part order, tokens in request order. */
    private static InferAnswer.Routing routing(final List<CompletableFuture<InferAnswer>> parts, final int rows)
    {
        int groups = 0;
        for (final CompletableFuture<InferAnswer> part : parts)
        {
            groups += part.join().routing().capacity().length;
        }
        final int k = parts.getFirst().join().routing().entries();
        final int[] capacity = new int[groups];
        final double[] aux = new double[groups];
        final int[] expert = new int[k * rows];
        final int[] position = new int[expert.length];
        final float[] gate = new float[expert.length];
        int row = 0;
        int group = 0;
        for (final CompletableFuture<InferAnswer> part : parts)
        {
            final InferAnswer a = part.join();
            final InferAnswer.Routing r = a.routing();
            System.arraycopy(r.capacity(), 0, capacity, group, r.capacity().length);
            System.arraycopy(r.auxLoss(), 0, aux, group, r.auxLoss().length);
            System.arraycopy(r.expert(), 0, expert, k * row, k * a.rows());
            System.arraycopy(r.position(), 0, position, k * row, k * a.rows());
            System.arraycopy(r.gate(), 0, gate, k * row, k * a.rows());
            group += r.capacity().length;
            row += a.rows();
        }
        return new InferAnswer.Routing(capacity, aux, expert, position, gate, k);
    }
}
