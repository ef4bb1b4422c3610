package dev.switchyard.model.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code transformer} object of {@code config.json}: the seed's model around the MoE layers. The
 * top-level {@code d_model}, {@code d_ff}, {@code num_experts}, {@code activation}, {@code expert_bias} and
 * {@code routing} apply to its {@code moe} layers ({@code d_ff} also to {@code drd}).
 *
 * @param type                             decoder-only or encoder-decoder
 * @param vocabSize                        target vocabulary V (id 0 is padding, id 1 is EOS)
 * @param inputsVocabSize                  source vocabulary V_in (encdec)
 * @param maxLength                        positions of {@code embedding.positions}
 * @param heads                            attention heads H
 * @param kvDim                            width K of a head's query, key and value
 * @param normEpsilon                      RMS normalisation epsilon
 * @param sharedEmbedding                  encdec: the source uses {@code embedding.targets}
 * @param sharedEmbeddingAndSoftmaxWeights the softmax is {@code embedding.targets} · d^-0.5
 * @param localAttentionWindow             block length W of {@code local_att}
 * @param decodeLengthMultiplier           beam search over a source: decode length per source token
 * @param decodeLengthConstant             beam search over a source: decode length added (a float hparam, as
 *                                         the seed's; the length is floored after adding)
 * @param encoderLayers                    encoder stack (empty for a decoder-only model)
 * @param decoderLayers                    decoder stack
 */
public record TransformerConfig(
    ModelType type,
    int vocabSize,
    int inputsVocabSize,
    int maxLength,
    int heads,
    int kvDim,
    double normEpsilon,
    boolean sharedEmbedding,
    boolean sharedEmbeddingAndSoftmaxWeights,
    int localAttentionWindow,
    double decodeLengthMultiplier,
    double decodeLengthConstant,
    List<LayerType> encoderLayers,
    List<LayerType> decoderLayers)
{
    /** Padding id: never attended to in a source, 0 in a prefix means "choose freely". */
    public static final int PAD = 0;
    /** End of sequence. */
    public static final int EOS = 1;

    public static final String ENCODER = "encoder";
    public static final String DECODER = "decoder";

    public TransformerConfig
    {
        encoderLayers = List.copyOf(encoderLayers);
        decoderLayers = List.copyOf(decoderLayers);
    }

    public boolean encdec()
    {
        return type == ModelType.ENCDEC;
    }

    /**
     * Positions beam search decodes over a source whose longest row has {@code longestSource} tokens, as
     * the seed's rule: floor(longest source × multiplier + constant), at most {@code width}.
     */
    public int decodeLength(final int longestSource, final int width)
    {
        return (int)Math.min(width, Math.floor(longestSource * decodeLengthMultiplier + decodeLengthConstant));
    }

    /** The encoder's source embedding has its own table. */
    public boolean separateInputsEmbedding()
    {
        return encdec() && !sharedEmbedding;
    }

    /**
     * The tensor-name prefix of every {@code moe} layer, in the order the system serves them: the
     * encoder's in stack order, then the decoder's ({@code encoder.layers.3.moe.}, ...). Served MoE layer
     * {@code i} is entry {@code i}.
     */
    public List<String> moePrefixes()
    {
        final List<String> prefixes = new ArrayList<>();
        addMoe(prefixes, ENCODER, encoderLayers);
        addMoe(prefixes, DECODER, decoderLayers);
        return prefixes;
    }

    /** The served MoE layer index of each layer of {@code stack} ({@code -1} where it is not {@code moe}). */
    public int[] servedMoeIndex(final String stack)
    {
        final int first = ENCODER.equals(stack) ? 0 : count(encoderLayers, LayerType.MOE);
        final List<LayerType> layers = ENCODER.equals(stack) ? encoderLayers : decoderLayers;
        final int[] index = new int[layers.size()];
        int next = first;
        for (int l = 0; l < index.length; l++)
        {
            index[l] = layers.get(l) == LayerType.MOE ? next++ : -1;
        }
        return index;
    }

    private static void addMoe(final List<String> prefixes, final String stack, final List<LayerType> layers)
    {
        for (int l = 0; l < layers.size(); l++)
        {
            if (layers.get(l) == LayerType.MOE)
            {
                prefixes.add(stack + ".layers." + l + ".moe.");
            }
        }
    }

    private static int count(final List<LayerType> layers, final LayerType type)
    {
        int n = 0;
        for (final LayerType t : layers)
        {
            n += t == type ? 1 : 0;
        }
        return n;
    }
}
