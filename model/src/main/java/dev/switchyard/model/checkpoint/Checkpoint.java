package dev.switchyard.model.checkpoint;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.List;

import dev.switchyard.wire.BadInputException;

/**
 * A Hugging Face MoE checkpoint folder read in place (layout: testdata/checkpoints/README.md):
 * config.json in either key spelling, weights in {@code model.safetensors} or the shards of
 * {@code model.safetensors.index.json}, every file memory-mapped, nothing converted. Opening checks
 * every served layer: each tensor it needs is present in its shape, and nothing else is under its
 * prefix. Views are valid until {@link #close()}.
 */
public final class Checkpoint implements Closeable
{
    private final Path dir;
    private final MoeFamily family;
    private final List<MoeLayerSpec> layers;
    private final CheckpointWeights weights;

    private Checkpoint(final Path dir, final MoeFamily family, final List<MoeLayerSpec> layers,
        final CheckpointWeights weights)
    {
        this.dir = dir;
        this.family = family;
        this.layers = layers;
        this.weights = weights;
    }

    /**
     * Opens the checkpoint in {@code dir}.
     *
     * @throws BadInputException naming the file, key or tensor that is wrong
     */
    public static Checkpoint open(final Path dir)
    {
        final ConfigValues config = ConfigValues.read(dir.resolve(MoeFamily.CONFIG_FILE));
        final String type = config.string("model_type", null);
        final MoeFamily family = MoeFamily.fromModelType(type);
        if (family == null)
        {
            throw config.bad("model_type", type == null ? "is missing"
                : "\"" + type + "\" is not a supported MoE model type (" + supported() + ")");
        }
        refuseQuantized(config);
        final CheckpointWeights weights = CheckpointWeights.open(dir);
        try
        {
            final List<MoeLayerSpec> layers = List.copyOf(family.encoderDecoder()
                ? EncoderDecoderLayers.plan(family, config)
                : DecoderOnlyLayers.plan(family, config, weights));
            if (layers.isEmpty())
            {
                throw new BadInputException(config.file() + ": the " + type + " model has no sparse (MoE) layer");
            }
            for (final MoeLayerSpec layer : layers)
            {
                LayerTensors.check(weights, layer);
            }
            return new Checkpoint(dir, family, layers, weights);
        }
        catch (final RuntimeException ex)
        {
            weights.close();
            throw ex;
        }
    }

    /**
     * Block-quantized fp8 (DeepSeek-V3's and Qwen3's fp8 releases: {@code quant_method} "fp8", e4m3 weights
     * with {@code weight_scale_inv} beside them) is read and dequantized as transformers does on a CPU. Other
     * methods (GPTQ, AWQ, bitsandbytes...) store weights that no served form reads: refused by the setting
     * that says so, not by the first tensor that looks wrong.
     */
    private static void refuseQuantized(final ConfigValues config)
    {
        if (!config.has("quantization_config"))
        {
            return;
        }
        final String method = config.field("quantization_config", "quant_method");
        final String format = config.field("quantization_config", "fmt");
        if (!"fp8".equals(method) || format != null && !"e4m3".equals(format))
        {
            throw config.bad("quantization_config", (method == null ? "is set" : "names \"" + method + "\"" +
                (format == null ? "" : " (" + format + ")")) + ": of the quantization methods only \"fp8\" " +
                "(block-quantized e4m3) is served; use the model's float32, bfloat16 or float16 release");
        }
    }

    private static String supported()
    {
        final StringBuilder out = new StringBuilder();
        for (final MoeFamily f : MoeFamily.values())
        {
            out.append(out.isEmpty() ? "" : ", ").append(f.modelType());
        }
        return out.toString();
    }

    public Path dir()
    {
        return dir;
    }

    public MoeFamily family()
    {
        return family;
    }

    /** The served layers (decoder-only: increasing layer; encoder-decoder: the encoder's, then the decoder's). */
    public List<MoeLayerSpec> layers()
    {
        return layers;
    }

    /** Served layer {@code index}. */
    public MoeLayerSpec layer(final int index)
    {
        if (index < 0 || index >= layers.size())
        {
            throw new BadInputException("layer " + index + " is not served: the checkpoint has " + layers.size() +
                " served layers");
        }
        return layers.get(index);
    }

    /** The weight files mapped, in the order first named. */
    public List<Path> files()
    {
        return weights.paths();
    }

    public boolean contains(final String name)
    {
        return weights.contains(name);
    }

    /** A view of any tensor of the checkpoint by its stored name. */
    public WeightTensor tensor(final String name)
    {
        return weights.tensor(name);
    }

    /** Expert {@code j} of served layer {@code layer}, [out, in] as stored; fused storage sliced without copy. */
    public ExpertTensors expert(final int layer, final int j)
    {
        return LayerTensors.expert(weights, layer(layer), j);
    }

    /** The shared experts of served layer {@code layer} as one SwiGLU MLP, or null where it has none. */
    public ExpertTensors sharedExpert(final int layer)
    {
        return LayerTensors.shared(weights, layer(layer));
    }

    /** Bytes one routed expert of served layer {@code layer} takes as stored (weights and biases). */
    public long bytesPerExpert(final int layer)
    {
        return expert(layer, 0).byteSize();
    }

    /** Unmaps every weight file; views taken from this checkpoint must not be used afterwards. */
    @Override
    public void close()
    {
        weights.close();
    }
}
