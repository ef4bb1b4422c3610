package dev.switchyard.transformer.decode;

import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.transformer.attention.Memory;
import dev.switchyard.transformer.forward.Transformer;

/**
 * GNMT-style beam search as mesh's {@code beam_search.py} without its TPU prefilter (docs/contracts.md §8 item 9).
 * Per step and row: candidates = alive log-prob + log_softmax over (beam × vocab); the top 2·beam (lowest
 * flat index on ties); those ending in EOS join {@code finished} with score log-prob / ((5 + len)/6)^α,
 * the best {@code beam} others stay alive. Every row stays until the global stop.
 */
public final class BeamSearch
{
    private final StepModel model;
    private final int rows;
    private final int width;
    private final int beam;
    private final double alpha;
    private final int decodeLength;
    private final int vocab;

    // Per (row, beam), best first: [rows·beam] and sequences [rows·beam, width].
    private final double[] aliveLogProb;
    private final int[] aliveSeq;
    private int steps;
    // Finished, per row up to beam, best first.
    private final double[] finishedScore;
    private final int[] finishedSeq;
    private final int[] finishedCount;

    // Scratch of one step, reused by the next. The alive hypotheses fed to the model: slot, row, input id.
    private final int[] slots;
    private final int[] inputRows;
    private final int[] inputs;
    // Of one row's beams: where in this step's logits each was computed (-1: it was not alive).
    private final int[] computedAt;
    // One row's top candidates: score and flat (beam × vocab) index.
    private final double[] candScore;
    private final int[] candIndex;
    // The next alive hypotheses, and the slot each continues (for the model's caches).
    private final double[] nextLogProb;
    private final int[] nextSeq;
    private final int[] from;

    public BeamSearch(
        final Transformer transformer, final Memory[] cross, final int rows, final int width, final int beam,
        final double alpha, final int decodeLength)
    {
        this(StepModel.of(transformer.session(rows * beam, width, cross)),
            transformer.model().transformer().vocabSize(),
            rows, width, beam, alpha, decodeLength);
    }

    /** Over any step model (tests give hand-made logit tables). */
    public BeamSearch(
        final StepModel model, final int vocab, final int rows, final int width, final int beam, final double alpha,
        final int decodeLength)
    {
        this.model = model;
        this.vocab = vocab;
        this.rows = rows;
        this.width = width;
        this.beam = beam;
        this.alpha = alpha;
        this.decodeLength = Math.min(decodeLength, width);
        this.aliveLogProb = new double[rows * beam];
        this.aliveSeq = new int[rows * beam * width];
        this.finishedScore = new double[rows * beam];
        this.finishedSeq = new int[rows * beam * width];
        this.finishedCount = new int[rows];
        this.slots = new int[rows * beam];
        this.inputRows = new int[rows * beam];
        this.inputs = new int[rows * beam];
        this.computedAt = new int[beam];
        this.candScore = new double[2 * beam];
        this.candIndex = new int[2 * beam];
        this.nextLogProb = new double[rows * beam];
        this.nextSeq = new int[rows * beam * width];
        this.from = new int[rows * beam];
    }

    private double penalty(final int length)
    {
        return Math.pow((5.0 + length) / 6.0, alpha);
    }

    public DecodeResult run(final StepListener listener, final BooleanSupplier cancelled)
    {
        Arrays.fill(aliveLogProb, Double.NEGATIVE_INFINITY);
        for (int b = 0; b < rows; b++)
        {
            aliveLogProb[b * beam] = 0;
        }
        for (int p = 0; p < decodeLength; p++)
        {
            if (cancelled.getAsBoolean())
            {
                throw new CancellationException("beam search cancelled at position " + p);
            }
            final int count = gatherAlive(p);
            final float[] logits = model.step(slots, inputRows, inputs, count, p);
            Arrays.fill(nextLogProb, Double.NEGATIVE_INFINITY);
            int at = 0;
            for (int b = 0; b < rows; b++)
            {
                at = markComputed(b, at, count);
                topCandidates(logits, b, computedAt, candScore, candIndex);
                extendRow(b, p);
            }
            model.select(from, rows * beam, p + 1);
            System.arraycopy(nextLogProb, 0, aliveLogProb, 0, nextLogProb.length);
            System.arraycopy(nextSeq, 0, aliveSeq, 0, nextSeq.length);
            steps = p + 1;
            if (boundMet())
            {
                break;
            }
        }
        return result(listener);
    }

    /**
     * Lists the alive hypotheses, in (row, beam) order, best first (beam 0 alone at step 0), with the
     * token each feeds the model at position {@code p}.
     *
     * @return how many there are
     */
    private int gatherAlive(final int p)
    {
        int count = 0;
        for (int s = 0; s < rows * beam; s++)
        {
            if (aliveLogProb[s] != Double.NEGATIVE_INFINITY)
            {
                slots[count] = s;
                inputRows[count] = s / beam;
                inputs[count] = p == 0 ? 0 : aliveSeq[s * width + p - 1];
                count++;
            }
        }
        return count;
    }

    /**
     * Marks where each beam of {@code row} was computed among the gathered hypotheses, from {@code at} on.
     *
     * @return the first gathered hypothesis of a later row
     */
    private int markComputed(final int row, final int start, final int count)
    {
        Arrays.fill(computedAt, -1);
        int at = start;
        while (at < count && inputRows[at] == row)
        {
            computedAt[slots[at] - row * beam] = at;
            at++;
        }
        return at;
    }

    /**
     * Takes {@code row}'s candidates at position {@code p}, best first: those ending in EOS finish,
     * the best {@code beam} others stay alive; beams left over are emptied and keep their own slot.
     */
    private void extendRow(final int row, final int p)
    {
        int kept = 0;
        for (int c = 0; c < 2 * beam; c++)
        {
            if (candScore[c] == Double.NEGATIVE_INFINITY)
            {
                break;
            }
            final int parent = candIndex[c] / vocab;
            final int id = candIndex[c] % vocab;
            final int parentSlot = row * beam + parent;
            if (id == TransformerConfig.EOS)
            {
                addFinished(row, parentSlot, id, p, candScore[c]);
            }
            else if (kept < beam)
            {
                final int slot = row * beam + kept;
                nextLogProb[slot] = candScore[c];
                System.arraycopy(aliveSeq, parentSlot * width, nextSeq, slot * width, width);
                nextSeq[slot * width + p] = id;
                from[slot] = parentSlot;
                kept++;
            }
        }
        for (int k = kept; k < beam; k++)
        {
            from[row * beam + k] = row * beam + k;
            Arrays.fill(nextSeq, (row * beam + k) * width, (row * beam + k + 1) * width, 0);
        }
    }

    /** The top 2·beam of alive log-prob + log_softmax over (beam × vocab), ties to the lowest flat index. */
    private void topCandidates(
        final float[] logits, final int row, final int[] computedAt, final double[] score, final int[] index)
    {
        final int k = score.length;
        Arrays.fill(score, Double.NEGATIVE_INFINITY);
        Arrays.fill(index, Integer.MAX_VALUE);
        for (int i = 0; i < beam; i++)
        {
            final int at = computedAt[i];
            if (at < 0)
            {
                continue;
            }
            final double base = aliveLogProb[row * beam + i];
            final int off = at * vocab;
            final double lse = Choice.logSumExp(logits, off, vocab);
            for (int id = 0; id < vocab; id++)
            {
                final double s = base + (logits[off + id] - lse);
                if (s <= score[k - 1])
                {
                    continue; // flat indices rise, so an equal score loses to those already in
                }
                int j = k - 1;
                while (j > 0 && score[j - 1] < s)
                {
                    score[j] = score[j - 1];
                    index[j] = index[j - 1];
                    j--;
                }
                score[j] = s;
                index[j] = i * vocab + id;
            }
        }
    }

    private void addFinished(final int row, final int parentSlot, final int id, final int p, final double logProb)
    {
        final double score = logProb / penalty(p + 1);
        final int n = finishedCount[row];
        // Earlier finished hypotheses win ties: a new one goes after every equal score.
        int j = n;
        while (j > 0 && finishedScore[row * beam + j - 1] < score)
        {
            j--;
        }
        if (j >= beam)
        {
            return;
        }
        final int last = Math.min(n, beam - 1);
        for (int m = last; m > j; m--)
        {
            finishedScore[row * beam + m] = finishedScore[row * beam + m - 1];
            System.arraycopy(finishedSeq, (row * beam + m - 1) * width, finishedSeq, (row * beam + m) * width, width);
        }
        finishedScore[row * beam + j] = score;
        final int dst = (row * beam + j) * width;
        System.arraycopy(aliveSeq, parentSlot * width, finishedSeq, dst, width);
        Arrays.fill(finishedSeq, dst + p, dst + width, 0);
        finishedSeq[dst + p] = id;
        finishedCount[row] = Math.min(n + 1, beam);
    }

    /** Every row's best alive, at the longest length's penalty, is below its worst finished. */
    private boolean boundMet()
    {
        final double maxPenalty = penalty(decodeLength);
        for (int b = 0; b < rows; b++)
        {
            final int n = finishedCount[b];
            if (n == 0)
            {
                return false;
            }
            final double worst = finishedScore[b * beam + n - 1];
            if (!(aliveLogProb[b * beam] / maxPenalty < worst))
            {
                return false;
            }
        }
        return true;
    }

    private DecodeResult result(final StepListener listener)
    {
        final int[] ids = new int[rows * width];
        final float[] scores = new float[rows];
        for (int b = 0; b < rows; b++)
        {
            final boolean finished = finishedCount[b] > 0;
            final int[] seq = finished ? finishedSeq : aliveSeq;
            System.arraycopy(seq, b * beam * width, ids, b * width, width);
            scores[b] = (float)(finished ? finishedScore[b * beam] : aliveLogProb[b * beam]);
            for (int p = 0; p < steps; p++)
            {
                final int id = ids[b * width + p];
                listener.onToken(b, p, id);
                if (id == TransformerConfig.EOS)
                {
                    break;
                }
            }
        }
        return new DecodeResult(rows, width, ids, scores);
    }
}
