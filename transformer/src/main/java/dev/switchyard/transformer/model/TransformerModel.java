package dev.switchyard.transformer.model;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.config.LayerType;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.TensorNames;
import dev.switchyard.model.io.SafeTensors;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;

/**
 * The transformer of a model directory (docs/contracts.md §8), every tensor checked against the config and the
 * dense products packed for the compute backend. The MoE layers are not here: they are served (or computed
 * locally) by layer index, see {@link TransformerConfig#moePrefixes()}.
 */
public final class TransformerModel
{
    private final ModelConfig config;
    private final TransformerConfig t;
    private final F32Tensor targetsEmbedding;  // [V, d]
    private final F32Tensor inputsEmbedding;   // [V_in, d]
    private final F32Tensor positions;         // [max_length, d]
    private final PackedLinear softmax;        // [V, d]
    private final Stack encoder;
    private final Stack decoder;

    /** One stack's layers and its norm scales [layers + 1, d]. */
    public record Stack(String name, List<Layer> layers, float[] normScale)
    {
    }

    /** A layer's weights. */
    public sealed interface Layer permits Attention, Drd, Moe
    {
        LayerType type();
    }

    /** q, k, v [H·K, d] and o [d, H·K]. */
    public record Attention(LayerType type, PackedLinear q, PackedLinear k, PackedLinear v, PackedLinear o)
        implements Layer
    {
    }

    /** wi [d_ff, d], wo [d, d_ff]. */
    public record Drd(PackedLinear wi, PackedLinear wo) implements Layer
    {
        @Override
        public LayerType type()
        {
            return LayerType.DRD;
        }
    }

    /** @param served the MoE layer index the system serves this layer under */
    public record Moe(int served) implements Layer
    {
        @Override
        public LayerType type()
        {
            return LayerType.MOE;
        }
    }

    private TransformerModel(
        final ModelConfig config, final F32Tensor targetsEmbedding, final F32Tensor inputsEmbedding,
        final F32Tensor positions, final PackedLinear softmax, final Stack encoder, final Stack decoder)
    {
        this.config = config;
        this.t = config.transformer();
        this.targetsEmbedding = targetsEmbedding;
        this.inputsEmbedding = inputsEmbedding;
        this.positions = positions;
        this.softmax = softmax;
        this.encoder = encoder;
        this.decoder = decoder;
    }

    /**
     * Checks and packs the transformer of {@code dir}.
     *
     * @throws BadInputException naming the model and the key or tensor that is wrong (no transformer object,
     *                           a missing tensor, a wrong shape, an unexpected tensor)
     */
    public static TransformerModel load(final ModelDirectory dir, final ComputeBackend backend)
    {
        final ModelConfig config = dir.config();
        final TransformerConfig t = config.transformer();
        if (t == null)
        {
            throw new BadInputException("model " + dir.path() + " has no transformer object in " +
                ModelDirectory.CONFIG_FILE + ": it holds MoE layers alone (use infer)");
        }
        final Loader in = new Loader(dir, backend);
        final int d = config.dModel();
        final F32Tensor targets = in.tensor(TensorNames.EMBEDDING_TARGETS, t.vocabSize(), d);
        final F32Tensor inputs = t.separateInputsEmbedding() ?
            in.tensor(TensorNames.EMBEDDING_INPUTS, t.inputsVocabSize(), d) : targets;
        final F32Tensor positions = in.tensor(TensorNames.EMBEDDING_POSITIONS, t.maxLength(), d);
        final PackedLinear softmax;
        if (t.sharedEmbeddingAndSoftmaxWeights())
        {
            softmax = backend.pack(scaled(targets, (float)Math.pow(d, -0.5)), null, WeightFormat.F32);
        }
        else
        {
            softmax = backend.pack(in.tensor(TensorNames.SOFTMAX, t.vocabSize(), d), null, WeightFormat.F32);
        }
        final Stack encoder = t.encdec() ? in.stack(TransformerConfig.ENCODER, t.encoderLayers(), config) : null;
        final Stack decoder = in.stack(TransformerConfig.DECODER, t.decoderLayers(), config);
        in.checkNoneLeft();
        return new TransformerModel(config, targets, inputs, positions, softmax, encoder, decoder);
    }

    /** The softmax of a shared embedding: emb · d^-0.5 in float32, on the heap [V, d]. */
    private static F32Tensor scaled(final F32Tensor emb, final float factor)
    {
        final float[] w = emb.toArray();
        for (int i = 0; i < w.length; i++)
        {
            w[i] *= factor;
        }
        return new F32Tensor(TensorNames.SOFTMAX, emb.shape().clone(), MemorySegment.ofArray(w));
    }

    public ModelConfig config()
    {
        return config;
    }

    public TransformerConfig transformer()
    {
        return t;
    }

    public int dModel()
    {
        return config.dModel();
    }

    /** x[row] = emb[id] + pos[p], as float32. */
    public void embed(final boolean source, final int id, final int p, final float[] x, final int offset)
    {
        final F32Tensor emb = source ? inputsEmbedding : targetsEmbedding;
        final int d = dModel();
        for (int i = 0; i < d; i++)
        {
            x[offset + i] = emb.get((long)id * d + i) + positions.get((long)p * d + i);
        }
    }

    public PackedLinear softmax()
    {
        return softmax;
    }

    /** Null for a decoder-only model. */
    public Stack encoder()
    {
        return encoder;
    }

    public Stack decoder()
    {
        return decoder;
    }

    /** Looks tensors up, checks their shapes, packs them, and records which names were used. */
    private static final class Loader
    {
        private final ModelDirectory dir;
        private final SafeTensors weights;
        private final ComputeBackend backend;
        private final Set<String> used = new HashSet<>();

        Loader(final ModelDirectory dir, final ComputeBackend backend)
        {
            this.dir = dir;
            this.weights = dir.weights();
            this.backend = backend;
        }

        F32Tensor tensor(final String name, final long... shape)
        {
            if (!weights.contains(name))
            {
                throw bad("missing tensor " + name + " in " + ModelDirectory.WEIGHTS_FILE);
            }
            final F32Tensor tensor = weights.tensor(name);
            if (!Arrays.equals(tensor.shape(), shape))
            {
                throw bad("tensor " + name + " has shape " + tensor.shapeString() + ", the config needs " +
                    Arrays.toString(shape));
            }
            used.add(name);
            return tensor;
        }

        PackedLinear linear(final String name, final long out, final long in)
        {
            return backend.pack(tensor(name, out, in), null, WeightFormat.F32);
        }

        Stack stack(final String name, final List<LayerType> types, final ModelConfig config)
        {
            final TransformerConfig t = config.transformer();
            final int d = config.dModel();
            final int hk = t.heads() * t.kvDim();
            final int[] served = t.servedMoeIndex(name);
            final List<Layer> layers = new ArrayList<>();
            for (int l = 0; l < types.size(); l++)
            {
                final LayerType type = types.get(l);
                final String p = TensorNames.layer(name, l, type.configName());
                layers.add(switch (type)
                {
                    case ATT, ENC_ATT, LOCAL_ATT -> new Attention(type,
                        linear(p + "q.weight", hk, d), linear(p + "k.weight", hk, d), linear(p + "v.weight", hk, d),
                        linear(p + "o.weight", d, hk));
                    case DRD -> new Drd(linear(p + "wi.weight", config.dFf(), d),
                        linear(p + "wo.weight", d, config.dFf()));
                    case MOE -> new Moe(served[l]);
                });
            }
            final F32Tensor norm = tensor(TensorNames.normScale(name), types.size() + 1, d);
            return new Stack(name, List.copyOf(layers), norm.toArray());
        }

        void checkNoneLeft()
        {
            final TreeSet<String> extra = new TreeSet<>(weights.names());
            extra.removeAll(used);
            extra.removeIf(n -> n.contains(TensorNames.MOE_INFIX));
            if (!extra.isEmpty())
            {
                throw bad("unexpected tensor " + extra.first() + " (the transformer object does not use it)");
            }
        }

        private BadInputException bad(final String what)
        {
            return new BadInputException("model " + dir.path() + ": " + what);
        }
    }
}
