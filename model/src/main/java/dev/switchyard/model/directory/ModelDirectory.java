package dev.switchyard.model.directory;

import java.io.Closeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchyard.model.checkpoint.MoeFamily;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.io.ModelConfigJson;
import dev.switchyard.model.io.SafeTensors;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;

/**
 * A model directory: {@code config.json} and {@code model.safetensors} (memory-mapped). Opening it
 * checks every tensor's presence and shape against the config, so a model that opens is complete;
 * the tensors are views of the mapping, valid until {@link #close()}.
 */
public final class ModelDirectory implements Closeable
{
    public static final String CONFIG_FILE = ModelConfigJson.FILE_NAME;
    public static final String WEIGHTS_FILE = "model.safetensors";

    private static final Pattern LAYERED = Pattern.compile("layers\\.(0|[1-9][0-9]{0,8})\\.(.+)");
    private static final Pattern EXPERT_TENSOR =
        Pattern.compile("experts\\.(0|[1-9][0-9]{0,8})\\.(wi|wo|wg)\\.(weight|bias)");

    private final Path dir;
    private final ModelConfig config;
    private final SafeTensors weights;
    private final List<F32Tensor> routers;
    private final List<ExpertWeights[]> experts;
    private final boolean gateProduct;

    private ModelDirectory(
        final Path dir,
        final ModelConfig config,
        final SafeTensors weights,
        final List<F32Tensor> routers,
        final List<ExpertWeights[]> experts,
        final boolean gateProduct)
    {
        this.dir = dir;
        this.config = config;
        this.weights = weights;
        this.routers = routers;
        this.experts = experts;
        this.gateProduct = gateProduct;
    }

    /**
     * Opens and validates the model in {@code dir}.
     *
     * @throws BadInputException naming the directory and the first problem (missing file, bad config key,
     *                           missing tensor, wrong shape, unexpected tensor)
     */
    public static ModelDirectory open(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            throw new BadInputException("model directory " + dir + (Files.exists(dir) ? " is not a directory" :
                " does not exist"));
        }
        final Path configFile = dir.resolve(CONFIG_FILE);
        if (!Files.exists(configFile))
        {
            throw new BadInputException("model directory " + dir + " has no " + CONFIG_FILE);
        }
        if (MoeFamily.isCheckpoint(dir))
        {
            throw new BadInputException(dir + " is a Hugging Face checkpoint folder: its layers are computed by " +
                "infer --local and bench layer; a running system serves Switchyard model directories");
        }
        final Path weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.exists(weightsFile))
        {
            throw new BadInputException("model directory " + dir + " has no " + WEIGHTS_FILE);
        }
        final ModelConfig config = ModelConfigJson.read(configFile);
        final SafeTensors weights = SafeTensors.open(weightsFile);
        try
        {
            return load(dir, config, weights);
        }
        catch (final RuntimeException ex)
        {
            weights.close();
            throw ex;
        }
    }

    private static ModelDirectory load(final Path dir, final ModelConfig config, final SafeTensors weights)
    {
        final List<String> prefixes = config.transformer() != null ?
            config.transformer().moePrefixes() : plainPrefixes(dir, weights.names());
        // A gated activation (SwiGLU) needs wg on every expert; any other activation forbids it.
        final boolean gateProduct = config.activation().gated();

        final Set<String> used = new HashSet<>();
        final Checker check = new Checker(dir, config, weights, used);
        final List<F32Tensor> routers = new ArrayList<>();
        final List<ExpertWeights[]> experts = new ArrayList<>();
        final int e = config.numExperts();
        final int dModel = config.dModel();
        final int dFf = config.dFf();
        for (final String p : prefixes)
        {
            routers.add(check.tensor(TensorNames.router(p), "[num_experts, d_model]", e, dModel));
            final ExpertWeights[] layerExperts = new ExpertWeights[e];
            for (int x = 0; x < e; x++)
            {
                final F32Tensor wi = check.tensor(TensorNames.wi(p, x), "[d_ff, d_model]", dFf, dModel);
                final F32Tensor wiBias = config.expertBias() ?
                    check.bias(TensorNames.wiBias(p, x), "[d_ff]", dFf) : null;
                final F32Tensor wo = check.tensor(TensorNames.wo(p, x), "[d_model, d_ff]", dModel, dFf);
                final F32Tensor woBias = config.expertBias() ?
                    check.bias(TensorNames.woBias(p, x), "[d_model]", dModel) : null;
                final String wgName = TensorNames.wg(p, x);
                if (weights.contains(wgName) != gateProduct)
                {
                    throw bad(dir, gateProduct ?
                        "missing tensor " + wgName + " (activation " + config.activation().configName() +
                            " needs a gate product on every expert)" :
                        "unexpected tensor " + wgName + " (activation " + config.activation().configName() +
                            " has no gate product)");
                }
                final F32Tensor wg = gateProduct ? check.tensor(wgName, "[d_ff, d_model]", dFf, dModel) : null;
                layerExperts[x] = new ExpertWeights(wi, wiBias, wo, woBias, wg);
            }
            experts.add(layerExperts);
        }

        final TreeSet<String> extra = new TreeSet<>(weights.names());
        extra.removeAll(used);
        if (config.transformer() != null)
        {
            // The transformer's own tensors are checked where the transformer is loaded.
            extra.removeIf(name -> !name.contains(TensorNames.MOE_INFIX));
        }
        if (!extra.isEmpty())
        {
            throw bad(dir, "unexpected tensor " + extra.first() + hint(config, extra.first()));
        }
        return new ModelDirectory(dir, config, weights, List.copyOf(routers), List.copyOf(experts), gateProduct);
    }

    /** The layer prefixes of a file of MoE layers alone: none for one layer, else {@code layers.{L}.}. */
    private static List<String> plainPrefixes(final Path dir, final Set<String> names)
    {
        String prefixedExample = null;
        String plainExample = null;
        int maxLayer = -1;
        for (final String name : names)
        {
            final Matcher m = LAYERED.matcher(name);
            if (m.matches())
            {
                prefixedExample = prefixedExample == null ? name : prefixedExample;
                maxLayer = Math.max(maxLayer, Integer.parseInt(m.group(1)));
            }
            else if (name.startsWith(TensorNames.LAYER_PREFIX))
            {
                throw bad(dir, "unexpected tensor " + name + " (layer prefixes look like layers.0.)");
            }
            else
            {
                plainExample = plainExample == null ? name : plainExample;
            }
        }
        if (prefixedExample != null && plainExample != null)
        {
            throw bad(dir, "tensor names mix layer prefixes (" + prefixedExample + ") and no prefix (" +
                plainExample + ")");
        }
        final boolean prefixed = prefixedExample != null;
        final int layerCount = prefixed ? maxLayer + 1 : 1;
        final List<String> prefixes = new ArrayList<>();
        for (int layer = 0; layer < layerCount; layer++)
        {
            prefixes.add(TensorNames.prefix(layer, prefixed));
        }
        return prefixes;
    }

    private static String hint(final ModelConfig config, final String name)
    {
        final Matcher layered = LAYERED.matcher(name);
        final Matcher m = EXPERT_TENSOR.matcher(layered.matches() ? layered.group(2) : name);
        if (!m.matches())
        {
            return "";
        }
        if (Integer.parseInt(m.group(1)) >= config.numExperts())
        {
            return " (config has num_experts " + config.numExperts() + ")";
        }
        if (m.group(3).equals("bias"))
        {
            return " (config has expert_bias " + config.expertBias() + ")";
        }
        return "";
    }

    /** Looks tensors up, checks their shapes and records which names the model used. */
    private record Checker(Path dir, ModelConfig config, SafeTensors weights, Set<String> used)
    {
        F32Tensor tensor(final String name, final String dims, final long... shape)
        {
            if (!weights.contains(name))
            {
                throw bad(dir, "missing tensor " + name + " in " + WEIGHTS_FILE);
            }
            final F32Tensor t = weights.tensor(name);
            if (!Arrays.equals(t.shape(), shape))
            {
                throw bad(dir, "tensor " + name + " has shape " + t.shapeString() + ", the config needs " +
                    Arrays.toString(shape) + " " + dims);
            }
            used.add(name);
            return t;
        }

        F32Tensor bias(final String name, final String dims, final long length)
        {
            if (!weights.contains(name))
            {
                throw bad(dir, "missing tensor " + name + " in " + WEIGHTS_FILE + " (config has expert_bias true)");
            }
            return tensor(name, dims, length);
        }
    }

    private static BadInputException bad(final Path dir, final String what)
    {
        return new BadInputException("model " + dir + ": " + what);
    }

    public Path path()
    {
        return dir;
    }

    public ModelConfig config()
    {
        return config;
    }

    /** The mapped weight file: the transformer's own tensors are read from it. */
    public SafeTensors weights()
    {
        return weights;
    }

    public int layerCount()
    {
        return routers.size();
    }

    /** Whether the experts have a gate product {@code wg} (gated activations such as SwiGLU). */
    public boolean hasGateProduct()
    {
        return gateProduct;
    }

    /**
     * The router of {@code layer}: [E, d_model].
     *
     * @throws BadInputException naming the layer when the model has no such layer
     */
    public F32Tensor router(final int layer)
    {
        checkLayer(layer);
        return routers.get(layer);
    }

    /**
     * Expert {@code expert} of {@code layer}.
     *
     * @throws BadInputException naming the layer or expert when the model has no such one
     */
    public ExpertWeights expert(final int layer, final int expert)
    {
        checkLayer(layer);
        if (expert < 0 || expert >= config.numExperts())
        {
            throw bad(dir, "no expert " + expert + ", the model has experts 0 to " + (config.numExperts() - 1));
        }
        return experts.get(layer)[expert];
    }

    private void checkLayer(final int layer)
    {
        if (layer < 0 || layer >= routers.size())
        {
            throw bad(dir, "no layer " + layer + ", the model has layers 0 to " + (routers.size() - 1));
        }
    }

    /** Unmaps the weights; tensors taken from this model must not be used afterwards. */
    @Override
    public void close()
    {
        weights.close();
    }
}
