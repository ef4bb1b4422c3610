package dev.switchyard.transformer;

import dev.switchyard.transformer.decode.BeamSearch;
import dev.switchyard.transformer.decode.DecodeResult;
import dev.switchyard.transformer.decode.StepListener;
import dev.switchyard.transformer.decode.StepModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Beam search on hand-made probability tables whose best answer is known. */
class BeamSearchTest
{
    private static final int V = 4; // 0, EOS = 1, 2, 3

    /** Log-probabilities per decoded prefix; a prefix without an entry is uniform. */
    private static final class Table implements StepModel
    {
        private final BiFunction<Integer, List<Integer>, double[]> probs;
        private final int[][] history;
        private final float[] logits;
        final List<Integer> stepCounts = new java.util.ArrayList<>();

        Table(final int slots, final int width, final BiFunction<Integer, List<Integer>, double[]> probs)
        {
            this.probs = probs;
            this.history = new int[slots][width + 1];
            this.logits = new float[slots * V];
        }

        @Override
        public float[] step(final int[] slots, final int[] rows, final int[] inputs, final int count, final int p)
        {
            stepCounts.add(count);
            for (int i = 0; i < count; i++)
            {
                history[slots[i]][p] = inputs[i];
                final List<Integer> prefix = Arrays.stream(history[slots[i]], 1, p + 1).boxed().toList();
                final double[] pr = probs.apply(rows[i], prefix);
                for (int v = 0; v < V; v++)
                {
                    logits[i * V + v] = (float)Math.log(pr[v]);
                }
            }
            return logits;
        }

        @Override
        public void select(final int[] from, final int count, final int length)
        {
            final int[][] copy = new int[count][];
            for (int i = 0; i < count; i++)
            {
                copy[i] = history[from[i]].clone();
            }
            for (int i = 0; i < count; i++)
            {
                System.arraycopy(copy[i], 0, history[i], 0, length);
            }
        }
    }

    private static double[] p(final double p0, final double eos, final double p2, final double p3)
    {
        return new double[] {p0, eos, p2, p3};
    }

    private static final double[] UNIFORM = p(0.25, 0.25, 0.25, 0.25);

    @Test
    void findsTheSequenceGreedyMisses()
    {
        final Map<List<Integer>, double[]> table = Map.of(
            List.of(), p(0.0001, 0.0001, 0.5998, 0.4),
            List.of(3), p(0.05, 0.9, 0.025, 0.025));
        final Table model = new Table(2, 6, (row, prefix) -> table.getOrDefault(prefix, UNIFORM));
        final DecodeResult r = new BeamSearch(model, V, 1, 6, 2, 0.0, 6).run(StepListener.NONE, () -> false);
        assertArrayEquals(new int[] {3, 1, 0, 0, 0, 0}, r.ids());
        assertEquals((float)(Math.log(0.4f) + Math.log(0.9f)), r.scores()[0], 1e-6);
        // Step 0 runs beam 0 alone. After step 1, [2, EOS] (-1.90) is the worst finished and the best alive
        // [2, 0] ties it, so one more step runs; then the best alive (-3.28) is below it and the search stops.
        assertEquals(List.of(1, 2, 2), model.stepCounts);
    }

    @Test
    void lengthPenaltyDecidesBetweenShortAndLong()
    {
        final Map<List<Integer>, double[]> table = Map.of(
            List.of(), p(0.0001, 0.5, 0.4998, 0.0001),
            List.of(2), p(0.05, 0.9, 0.025, 0.025));
        final DecodeResult plain = new BeamSearch(new Table(2, 5, (r, pre) -> table.getOrDefault(pre, UNIFORM)),
            V, 1, 5, 2, 0.0, 5).run(StepListener.NONE, () -> false);
        assertArrayEquals(new int[] {1, 0, 0, 0, 0}, plain.ids());
        assertEquals((float)Math.log(0.5f), plain.scores()[0], 1e-6);

        final DecodeResult penalised = new BeamSearch(new Table(2, 5, (r, pre) -> table.getOrDefault(pre, UNIFORM)),
            V, 1, 5, 2, 2.0, 5).run(StepListener.NONE, () -> false);
        assertArrayEquals(new int[] {2, 1, 0, 0, 0}, penalised.ids());
        final double logProb = Math.log(0.4998f) + Math.log(0.9f);
        assertEquals((float)(logProb / Math.pow(7.0 / 6.0, 2.0)), penalised.scores()[0], 1e-6);
    }

    @Test
    void withoutAFinishedHypothesisTheBestAliveAndItsLogProb()
    {
        // With one beam the top 2 candidates are ids 2 and 3, never EOS: after decode_length 3 the best
        // alive is 2, 2, 2.
        final double[] noEos = p(0.1, 0.05, 0.6, 0.25);
        final DecodeResult r = new BeamSearch(new Table(2, 4, (row, pre) -> noEos), V, 2, 4, 1, 0.6, 3)
            .run(StepListener.NONE, () -> false);
        final int[] expected = {2, 2, 2, 0, 2, 2, 2, 0};
        assertArrayEquals(expected, r.ids());
        final double lp = 3 * Math.log(0.6f);
        assertEquals((float)lp, r.scores()[0], 1e-5);
        assertEquals((float)lp, r.scores()[1], 1e-5);
    }

    @Test
    void rowsDecodeIndependentlyAndTiesGoToTheLowestIndex()
    {
        // Row 0: ids 2 and 3 tie at every step, so the beam keeps 2 first and answers 2, EOS.
        // Row 1: EOS first is best.
        final DecodeResult r = new BeamSearch(new Table(4, 3, (row, prefix) ->
        {
            if (row == 1)
            {
                return prefix.isEmpty() ? p(0.05, 0.8, 0.1, 0.05) : UNIFORM;
            }
            return prefix.isEmpty() ? p(0.1, 0.1, 0.4, 0.4) : p(0.05, 0.55, 0.2, 0.2);
        }), V, 2, 3, 2, 0.0, 3).run(StepListener.NONE, () -> false);
        assertArrayEquals(new int[] {2, 1, 0, 1, 0, 0}, r.ids());
    }
}
