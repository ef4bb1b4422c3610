package dev.switchyard.node.system;

import java.nio.file.Path;
import java.util.Arrays;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.experts.actor.ExpertLoader;
import dev.switchyard.gateway.gating.LayerGating;
import dev.switchyard.model.checkpoint.MoeFamily;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.directory.ModelDirectory;

/**
 * What a node serves, whatever its files: a Switchyard model directory ({@link DirectoryModel}) or a
 * Hugging Face checkpoint folder ({@link CheckpointModel}). The rest of the node sees only the served
 * shape, each layer's gating (for the gateway) and a loader of experts (for the expert role).
 */
interface ServedModel extends AutoCloseable
{
    /**
     * The model at {@code dir}, mapped, never read whole.
     *
     * @param groupSize tokens per group the node is told to gate by, or 0 for the model's own
     */
    static ServedModel open(final Path dir, final int groupSize)
    {
        return MoeFamily.isCheckpoint(dir) ? CheckpointModel.open(dir, groupSize) : DirectoryModel.open(dir, groupSize);
    }

    /**
     * The served shape: d, the experts a layer addresses (a checkpoint's shared expert is one more),
     * the group size and the largest block an expert can get.
     */
    ModelConfig config();

    int layers();

    /**
     * [experts]: the FLOPs of a row of each expert a layer addresses (the same in every layer), which
     * set their costs relative to each other for placement. This default gives every expert the served
     * shape: 2 FLOPs per weight of its two products (three with a gate).
     */
    default double[] flopsPerRow()
    {
        final double[] flops = new double[config().numExperts()];
        Arrays.fill(flops, rowFlops(config(), config().dFf()));
        return flops;
    }

    /** The FLOPs of a row of an expert of {@code shape}'s form and hidden width {@code width}. */
    static double rowFlops(final ModelConfig shape, final int width)
    {
        return 2.0 * (shape.activation().gated() ? 3 : 2) * shape.dModel() * width;
    }

    /** Routing entries per token in an answer: 2 for the seed's top-2, a checkpoint family's k. */
    int reportEntries();

    /** Each layer's gating, [layers]; the seed's routers are warmed up first, for the JIT. */
    LayerGating[] gatings();

    /** Loads expert (layer, e) for an expert actor. */
    ExpertLoader expertLoader(ComputeBackend backend);

    /**
     * What {@code GET /v1/model} says of it: a model directory's config.json; a checkpoint's family,
     * served layers with their prefixes, experts, top-k and shared expert.
     */
    String describeJson();

    /** The model directory, or null for a checkpoint folder. */
    ModelDirectory directory();

    /** Whether every request must be its own group (a capacity family: the request is its sequence). */
    boolean groupPerRequest();

    @Override
    void close();
}
