package dev.switchyard.cli;

import java.util.ArrayList;
import java.util.List;

import dev.switchyard.model.config.LayerType;
import dev.switchyard.model.config.ModelType;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.Option;

/** The flags of {@code model init --transformer}: the transformer object of config.json. */
final class TransformerOptions
{
    @Option(names = "--transformer", paramLabel = "TYPE",
        description = "Write a whole transformer around the MoE layers: decoder | encdec.")
    String type;

    @Option(names = "--vocab", paramLabel = "V", description = "Target vocabulary (default: ${DEFAULT-VALUE}).")
    int vocab = 512;

    @Option(names = "--inputs-vocab", paramLabel = "V", description = "Source vocabulary (default: --vocab).")
    Integer inputsVocab;

    @Option(names = "--max-length", paramLabel = "L", description = "Positions (default: ${DEFAULT-VALUE}).")
    int maxLength = 64;

    @Option(names = "--heads", paramLabel = "H", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads = 4;

    @Option(names = "--kv-dim", paramLabel = "K", description = "Width of a head (default: ${DEFAULT-VALUE}).")
    int kvDim = 16;

    @Option(names = "--decoder-layers", paramLabel = "LIST",
        description = "Decoder layers, e.g. att,drd,att,moe (default: ${DEFAULT-VALUE}).")
    String decoderLayers = "att,drd,att,moe";

    @Option(names = "--encoder-layers", paramLabel = "LIST",
        description = "Encoder layers (encdec), e.g. att,drd,att,moe.")
    String encoderLayers;

    @Option(names = "--local-window", paramLabel = "W",
        description = "Block length of local_att (default: ${DEFAULT-VALUE}).")
    int localWindow = 8;

    @Option(names = "--norm-epsilon", paramLabel = "E", description = "RMS norm epsilon (default: ${DEFAULT-VALUE}).")
    double normEpsilon = 1e-6;

    @Option(names = "--shared-embedding", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "encdec: the source shares the target embedding (default: ${DEFAULT-VALUE}).")
    boolean sharedEmbedding;

    @Option(names = "--shared-softmax", description = "The softmax is the target embedding · d^-0.5.")
    boolean sharedSoftmax;

    @Option(names = "--decode-length-multiplier", paramLabel = "F",
        description = "Beam search over a source: positions per source token (default: ${DEFAULT-VALUE}).")
    double multiplier = 1.5;

    @Option(names = "--decode-length-constant", paramLabel = "F",
        description = "Beam search over a source: positions added before flooring (default: ${DEFAULT-VALUE}).")
    double constant = 10;

    boolean wanted()
    {
        return type != null;
    }

    TransformerConfig toConfig()
    {
        final ModelType modelType = CliArgs.parse("--transformer", type, ModelType::fromConfigName);
        if (modelType == ModelType.DECODER && encoderLayers != null)
        {
            throw new BadInputException("--encoder-layers needs --transformer encdec");
        }
        if (modelType == ModelType.ENCDEC && encoderLayers == null)
        {
            throw new BadInputException("--transformer encdec needs --encoder-layers");
        }
        return new TransformerConfig(modelType, vocab, inputsVocab == null ? vocab : inputsVocab, maxLength, heads,
            kvDim,
            normEpsilon, sharedEmbedding, sharedSoftmax, localWindow, multiplier, constant,
            encoderLayers == null ? List.of() : layers("--encoder-layers", encoderLayers),
            layers("--decoder-layers", decoderLayers));
    }

    private static List<LayerType> layers(final String flag, final String csv)
    {
        final List<LayerType> out = new ArrayList<>();
        for (final String name : csv.split(",", -1))
        {
            out.add(CliArgs.parse(flag, name.trim(), LayerType::fromConfigName));
        }
        return out;
    }
}
