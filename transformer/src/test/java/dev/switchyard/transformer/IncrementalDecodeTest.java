package dev.switchyard.transformer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.ModelType;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.transformer.attention.Memory;
import dev.switchyard.transformer.decode.Choice;
import dev.switchyard.transformer.decode.DecodeOptions;
import dev.switchyard.transformer.decode.DecodeResult;
import dev.switchyard.transformer.decode.Decoding;
import dev.switchyard.transformer.decode.StepListener;
import dev.switchyard.transformer.forward.DecodeSession;
import dev.switchyard.transformer.forward.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every decode step equals a full recompute of positions 0..p whose MoE layers group tokens per step as the
 * decode did (logits within 1e-5, identical ids), for every layer type and bias a decode uses.
 */
class IncrementalDecodeTest
{
    @TempDir
    Path tmp;

    @Test
    void decoderGreedyWithForcedPrefix()
    {
        final int[] prefix = {
            5, 0, 7, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0,
            3, 4, 6, 8, 1, 0, 0,
            9, 0, 0, 0, 0, 0, 12};
        check(TestModels.config(ModelType.DECODER, null, "att,moe,local_att,drd,moe", 14, false), prefix, 4, 7, 0);
    }

    @Test
    void aPromptEveryRowForcesIsPrefilledWithTheBitsOfItsSteps()
    {
        // Every row forces positions 0..2 (row 1 ends there with EOS): one pass computes them.
        final int[] prefix = {
            5, 6, 7, 8, 0,
            3, 4, 1, 0, 0,
            9, 9, 9, 0, 0};
        assertEquals(3, Decoding.prefillLength(prefix, 3, 5));
        check(TestModels.config(ModelType.DECODER, null, "att,moe,local_att,drd,moe", 12, false), prefix, 3, 5, 0);
        check(TestModels.config(ModelType.DECODER, null, "local_att,moe,att", 12, true), prefix, 3, 5, 0.9);
    }

    @Test
    void decoderSampling()
    {
        check(TestModels.config(ModelType.DECODER, null, "local_att,moe,att", 12, true), new int[5 * 2], 5, 2, 0.7);
    }

    @Test
    void encoderDecoderGreedyAndSampling()
    {
        final ModelConfig config = TestModels.config(ModelType.ENCDEC, "att,moe,drd", "att,enc_att,moe,local_att,drd", 12, false);
        final SplittableRandom random = new SplittableRandom(3);
        final int[] source = TestModels.ids(random, 4, 6, 19, true);
        Arrays.fill(source, 18, 24, 0); // a source of padding alone
        check(config, source, 4, 6, 0);
        check(config, source, 4, 6, 1.3);
    }

    @Test
    void samplingIsDeterministicAndDependsOnTheSeed()
    {
        final Path dir = TestModels.write(tmp.resolve("s"),
            TestModels.config(ModelType.DECODER, null, "att,moe", 10, false), 5);
        try (TestModels.Loaded m = TestModels.load(dir))
        {
            final int[] input = new int[6 * 1];
            final DecodeOptions a = DecodeOptions.greedy().withTemperature(2.0, 42);
            final DecodeResult r1 = Decoding.decode(m.transformer(), input, 6, 1, a, StepListener.NONE, () -> false);
            final DecodeResult r2 = Decoding.decode(m.transformer(), input, 6, 1, a, StepListener.NONE, () -> false);
            final DecodeResult r3 = Decoding.decode(m.transformer(), input, 6, 1,
                DecodeOptions.greedy().withTemperature(2.0, 43), StepListener.NONE, () -> false);
            assertArrayEquals(r1.ids(), r2.ids());
            assertArrayEquals(r1.scores(), r2.scores());
            assertTrue(!Arrays.equals(r1.ids(), r3.ids()), "another seed draws other ids");
        }
    }

    private void check(final ModelConfig config, final int[] input, final int rows, final int inLen,
        final double temperature)
    {
        final Path dir = tmp.resolve("m" + System.nanoTime());
        TestModels.write(dir, config, 11);
        final TransformerConfig t = config.transformer();
        final int width = t.maxLength();
        final int vocab = t.vocabSize();
        try (TestModels.Loaded m = TestModels.load(dir))
        {
            final Transformer tr = m.transformer();
            final Memory[] cross = t.encdec() ? tr.encode(input, rows, inLen, null) : null;
            final DecodeSession session = tr.session(rows, width, cross);
            final int[] ids = new int[rows * width];
            final boolean[] ended = new boolean[rows];
            final int[] groups = new int[rows * width];
            Arrays.fill(groups, -1);
            final List<float[]> stepLogits = new ArrayList<>();
            final List<int[]> stepRows = new ArrayList<>();
            final double[] logProb = new double[rows];
            for (int p = 0; p < width; p++)
            {
                final int[] active = new int[rows];
                final int[] prev = new int[rows];
                int n = 0;
                for (int b = 0; b < rows; b++)
                {
                    if (!ended[b])
                    {
                        active[n] = b;
                        prev[n] = p == 0 ? 0 : ids[b * width + p - 1];
                        groups[b * width + p] = p;
                        n++;
                    }
                }
                if (n == 0)
                {
                    break;
                }
                final float[] logits = Arrays.copyOf(session.step(active, active, prev, n, p), n * vocab);
                stepLogits.add(logits);
                stepRows.add(Arrays.copyOf(active, n));
                for (int i = 0; i < n; i++)
                {
                    final int b = active[i];
                    final int forced = !t.encdec() && p < inLen ? input[b * inLen + p] : 0;
                    final int id = forced != 0 ? forced : temperature > 0 ?
                        Choice.sample(logits, i * vocab, vocab, temperature, 9, b, p) :
                        Choice.argmax(logits, i * vocab, vocab);
                    ids[b * width + p] = id;
                    logProb[b] += Choice.logProb(logits, i * vocab, vocab, id);
                    ended[b] = id == TransformerConfig.EOS;
                }
            }
            // The decode loop of the product gives the same ids and scores.
            final DecodeResult result = Decoding.decode(m.transformer(), input, rows, inLen,
                DecodeOptions.greedy().withTemperature(temperature, 9), StepListener.NONE, () -> false);
            assertArrayEquals(ids, result.ids());
            for (int b = 0; b < rows; b++)
            {
                assertEquals((float)logProb[b], result.scores()[b]);
            }
            // A full recompute, MoE grouped per step, gives each step's logits.
            final float[] full = tr.score(ids, rows, width, null, cross, groups);
            for (int p = 0; p < stepLogits.size(); p++)
            {
                final int[] active = stepRows.get(p);
                for (int i = 0; i < active.length; i++)
                {
                    final int b = active[i];
                    for (int v = 0; v < vocab; v++)
                    {
                        final float want = full[(b * width + p) * vocab + v];
                        final float got = stepLogits.get(p)[i * vocab + v];
                        assertTrue(Math.abs(want - got) <= 1e-5f,
                            "row " + b + " position " + p + " id " + v + ": recompute " + want + ", step " + got);
                    }
                    if (temperature == 0 && (t.encdec() || p >= inLen || input[b * inLen + p] == 0))
                    {
                        assertEquals(Choice.argmax(full, (b * width + p) * vocab, vocab), ids[b * width + p]);
                    }
                }
            }
        }
    }
}
