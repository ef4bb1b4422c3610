package dev.switchyard.cli;

import java.util.List;

import dev.switchyard.model.config.LayerType;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.TransformerConfig;

/**
 * The heap a transformer run needs, from the model's dimensions and the run's sizes: key/value caches,
 * logits, activations and ids of every slot (a row, or a row's beam). Upper estimates: every attention
 * layer is counted at full width.
 */
final class TransformerMemory
{
    private static final double FLOAT = Float.BYTES;

    private TransformerMemory()
    {
    }

    /**
     * Refuses a decode of {@code rows × beam} slots of {@code width} positions over a source (or prefix)
     * of {@code inputLength}, when it cannot fit.
     */
    static void checkDecode(final ModelConfig config, final String what, final int rows, final int beam,
        final int width, final int inputLength)
    {
        final TransformerConfig t = config.transformer();
        final double slots = (double)rows * beam;
        final double hk = (double)t.heads() * t.kvDim();
        final double perSlot = width * 2 * hk * count(t.decoderLayers(), LayerType.ATT, LayerType.LOCAL_ATT) +
            inputLength * 2 * hk * count(t.decoderLayers(), LayerType.ENC_ATT) +
            2.0 * t.vocabSize() + 3.0 * config.dModel() + 4 * hk + config.dFf() + 4.0 * width;
        final double encoder = t.encdec() ? (double)rows * inputLength * activations(config) : 0;
        final double largest =
            Math.max(slots * width, Math.max(slots * t.vocabSize(), slots * t.heads() * width * t.kvDim()));
        MemoryBudget.require(what, Counts.of(rows, "row") + " × " + Counts.of(beam, "beam") + " × " +
            Counts.of(width, "position"), FLOAT * (slots * perSlot + encoder), largest);
    }

    /** Refuses a teacher-forced forward of {@code rows × length} targets over {@code inputLength} sources. */
    static void checkScore(final ModelConfig config, final String what, final int rows, final int length,
        final int inputLength)
    {
        final TransformerConfig t = config.transformer();
        final double tokens = (double)rows * length;
        final double hk = (double)t.heads() * t.kvDim();
        // Logits twice: the forward's and the copy the .npy writer makes.
        final double perToken = 2.0 * t.vocabSize() + activations(config) +
            2 * hk * count(t.decoderLayers(), LayerType.ATT, LayerType.LOCAL_ATT) +
            2 * hk * count(t.decoderLayers(), LayerType.ENC_ATT) * inputLength / Math.max(1, length);
        final double encoder = (double)rows * inputLength * (activations(config) +
            2 * hk * count(t.encoderLayers(), LayerType.ATT));
        MemoryBudget.require(what, Counts.of(rows, "row") + " × " + Counts.of(length, "position") + " × vocab " +
            t.vocabSize(), FLOAT * (tokens * perToken + encoder), tokens * t.vocabSize());
    }

    /** Floats of one token's activations in a stack: inputs, outputs, q, k, v, heads, hidden. */
    private static double activations(final ModelConfig config)
    {
        final TransformerConfig t = config.transformer();
        return 3.0 * config.dModel() + 4.0 * t.heads() * t.kvDim() + config.dFf();
    }

    private static int count(final List<LayerType> layers, final LayerType... types)
    {
        int n = 0;
        for (final LayerType l : layers)
        {
            for (final LayerType type : types)
            {
                n += l == type ? 1 : 0;
            }
        }
        return n;
    }
}
