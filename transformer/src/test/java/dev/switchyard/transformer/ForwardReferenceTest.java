package dev.switchyard.transformer;

import java.nio.file.Path;
import java.util.SplittableRandom;

import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.ModelType;
import dev.switchyard.transformer.attention.Memory;
import dev.switchyard.transformer.forward.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The Vector API forward equals the literal reference on random models, for every layer type and bias. */
class ForwardReferenceTest
{
    @TempDir
    Path tmp;

    @Test
    void decoderEveryLayerTypeWithoutSegments()
    {
        check(TestModels.config(ModelType.DECODER, null, "att,drd,local_att,moe,att,moe", 12, false), 3, 11, 9, false);
    }

    @Test
    void decoderPackedSegmentsAndSharedSoftmax()
    {
        check(TestModels.config(ModelType.DECODER, null, "local_att,moe,att,drd", 16, true), 4, 16, 10, true);
    }

    @Test
    void encoderDecoderWithPaddingAndAllPaddingRow()
    {
        check(TestModels.config(ModelType.ENCDEC, "att,moe,drd,att", "att,enc_att,moe,local_att,enc_att,drd", 12, false),
            3, 7, 11, false);
    }

    @Test
    void encoderDecoderWithSegments()
    {
        check(TestModels.config(ModelType.ENCDEC, "att,drd,moe", "enc_att,att,moe", 10, true), 2, 9, 10, true);
    }

    private void check(final ModelConfig config, final int rows, final int len, final int inLen, final boolean segmented)
    {
        final SplittableRandom random = new SplittableRandom(len * 31L + rows);
        try (TestModels.Loaded m = TestModels.load(TestModels.write(tmp.resolve("m"), config, 7)))
        {
            final var t = config.transformer();
            final int[] targets = TestModels.ids(random, rows, len, t.vocabSize(), true);
            final int[] inputs = t.encdec() ? TestModels.ids(random, rows, inLen, t.inputsVocabSize(), true) : null;
            if (inputs != null)
            {
                // One source row of padding alone: its enc_att queries see nothing and average the memory.
                java.util.Arrays.fill(inputs, (rows - 1) * inLen, rows * inLen, 0);
            }
            final int[] tSeg = segmented ? TestModels.segments(random, targets, rows, len) : null;
            final int[] iSeg = segmented && inputs != null ? TestModels.segments(random, inputs, rows, inLen) : null;

            final Transformer tr = m.transformer();
            final Memory[] cross = inputs == null ? null : tr.encode(inputs, rows, inLen, iSeg);
            final float[] got = tr.score(targets, rows, len, tSeg, cross);
            final float[] want = new DenseReference(m.dir(), m.moe()).score(targets, rows, len, tSeg, inputs, inLen, iSeg);
            assertClose(want, got, 2e-4f);
        }
    }

    static void assertClose(final float[] want, final float[] got, final float tolerance)
    {
        assertTrue(want.length == got.length, "lengths differ");
        double worst = 0;
        for (int i = 0; i < want.length; i++)
        {
            final double diff = Math.abs(want[i] - got[i]) / Math.max(1.0, Math.abs(want[i]));
            worst = Math.max(worst, diff);
            if (!(diff <= tolerance))
            {
                fail("element " + i + ": want " + want[i] + ", got " + got[i]);
            }
        }
        assertTrue(worst > 0 || want.length > 0);
    }
}
