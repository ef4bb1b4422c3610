package dev.switchyard.node.system;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.layer.CheckpointRouting;
import dev.switchyard.compute.network.CheckpointExperts;
import dev.switchyard.compute.network.ExpertNetwork;
import dev.switchyard.experts.actor.ExpertLoader;
import dev.switchyard.experts.actor.LoadedExpert;
import dev.switchyard.gateway.gating.CheckpointLayerGating;
import dev.switchyard.gateway.gating.LayerGating;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.ExpertForm;
import dev.switchyard.model.checkpoint.ExpertTensors;
import dev.switchyard.model.checkpoint.MoeLayerSpec;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.wire.BadInputException;
import org.agrona.CloseHelper;

/**
 * A Hugging Face checkpoint folder served by the system (docs/contracts.md §9): every served layer
 * routed by its family's rule in the gateway, its routed experts as experts {@code 0 .. E} and its
 * shared expert, where it has one, as expert {@code E}, each computed by an expert actor from the
 * mapped weights in their stored type.
 */
final class CheckpointModel implements ServedModel
{
    /** Tokens per group where the node is told none: the dropless families route each token alone. */
    static final int DEFAULT_GROUP_SIZE = 256;
    private static final int WARM_UP_ROUNDS = 3;

    private final Checkpoint checkpoint;
    private final ModelConfig config;
    private final MoeLayerSpec first;

    private CheckpointModel(final Checkpoint checkpoint, final ModelConfig config)
    {
        this.checkpoint = checkpoint;
        this.config = config;
        this.first = checkpoint.layer(0);
    }

    static CheckpointModel open(final Path dir, final int groupSize)
    {
        final Checkpoint checkpoint = Checkpoint.open(dir);
        try
        {
            return new CheckpointModel(checkpoint, servedShape(checkpoint, groupSize > 0 ? groupSize :
                DEFAULT_GROUP_SIZE));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(checkpoint);
            throw ex;
        }
    }

    /**
     * One shape for every served layer: d, E and the shared expert must agree. Its routing object only
     * sizes blocks and groups: a capacity factor of E (+ 1) lets one expert's block hold the whole
     * group, the most a checkpoint rule can give it.
     */
    private static ModelConfig servedShape(final Checkpoint checkpoint, final int groupSize)
    {
        final MoeLayerSpec first = checkpoint.layer(0);
        for (final MoeLayerSpec layer : checkpoint.layers())
        {
            if (layer.dModel() != first.dModel() || layer.experts() != first.experts() ||
                layer.shared().present() != first.shared().present())
            {
                throw new BadInputException("checkpoint " + checkpoint.dir() + ": served layer " + layer.index() +
                    " (" + layer.prefix() + ") differs from layer 0 in d, experts or shared experts; " +
                    "a system serves layers of one shape");
            }
        }
        final int experts = first.experts() + (first.shared().present() ? 1 : 0);
        final RoutingConfig routing = new RoutingConfig(groupSize, experts, 1, SecondPolicy.ALL, 0.0,
            Normalize.BEFORE_CAPACITY, false, 0L);
        final Activation activation = first.form() == ExpertForm.SWIGLU ? Activation.SWIGLU : Activation.RELU;
        return new ModelConfig(first.dModel(), first.intermediate(), experts, activation,
            first.form() == ExpertForm.RELU_BIAS, routing);
    }

    @Override
    public ModelConfig config()
    {
        return config;
    }

    @Override
    public int layers()
    {
        return checkpoint.layers().size();
    }

    @Override
    public int reportEntries()
    {
        int k = 1;
        for (final MoeLayerSpec layer : checkpoint.layers())
        {
            k = Math.max(k, layer.topK());
        }
        return k;
    }

    @Override
    public LayerGating[] gatings()
    {
        final LayerGating[] gatings = new LayerGating[layers()];
        for (int l = 0; l < gatings.length; l++)
        {
            gatings[l] = new CheckpointLayerGating(CheckpointRouting.load(checkpoint, l), config.routing().groupSize());
        }
        return gatings;
    }

    /** The shared expert, expert E where there is one, is as wide as the checkpoint made it. */
    @Override
    public double[] flopsPerRow()
    {
        final double[] flops = ServedModel.super.flopsPerRow();
        if (first.shared().present())
        {
            flops[first.experts()] = ServedModel.rowFlops(config, first.shared().intermediateSize());
        }
        return flops;
    }

    @Override
    public ExpertLoader expertLoader(final ComputeBackend backend)
    {
        final AtomicBoolean warmedUp = new AtomicBoolean();
        return (layer, expert) ->
        {
            final ExpertTensors tensors = expert == first.experts() ?
                checkpoint.sharedExpert(layer) : checkpoint.expert(layer, expert);
            final ExpertNetwork network = CheckpointExperts.load(tensors, checkpoint.layer(layer).form(), backend,
                CheckpointExperts.nativeFormat(tensors));
            // Compiled before the expert announces itself, so that no request pays for it.
            if (warmedUp.compareAndSet(false, true))
            {
                network.warmUp(WARM_UP_ROUNDS);
            }
            return LoadedExpert.holding(network);
        };
    }

    @Override
    public String describeJson()
    {
        final ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("model_type", checkpoint.family().modelType());
        node.put("d_model", first.dModel());
        node.put("experts", first.experts());
        node.put("top_k", first.topK());
        node.put("shared_expert", first.shared().present() ? first.experts() : -1);
        node.put("capacity_limited", first.routing().capacityLimited());
        node.put("group_size", config.routing().groupSize());
        final ArrayNode prefixes = node.putArray("served_layers");
        checkpoint.layers().forEach(layer -> prefixes.add(layer.prefix()));
        return node.toString();
    }

    @Override
    public ModelDirectory directory()
    {
        return null;
    }

    @Override
    public boolean groupPerRequest()
    {
        return first.routing().capacityLimited();
    }

    @Override
    public void close()
    {
        checkpoint.close();
    }
}
