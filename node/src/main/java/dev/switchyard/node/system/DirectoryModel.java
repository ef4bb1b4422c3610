package dev.switchyard.node.system;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.router.RouterProjection;
import dev.switchyard.experts.actor.ExpertLoader;
import dev.switchyard.experts.actor.ModelExpertLoader;
import dev.switchyard.gateway.gating.LayerGating;
import dev.switchyard.gateway.gating.SeedLayerGating;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.io.ModelConfigJson;
import dev.switchyard.routing.gating.GatingWarmUp;
import org.agrona.CloseHelper;

/** A Switchyard model directory, served with the seed's top-2 gating. */
final class DirectoryModel implements ServedModel
{
    /** Groups each layer's gating runs before the gateway starts, for the JIT. */
    private static final int GATING_WARM_UP_ROUNDS = 20;

    private final ModelDirectory model;
    private final ModelConfig config;

    private DirectoryModel(final ModelDirectory model, final ModelConfig config)
    {
        this.model = model;
        this.config = config;
    }

    static DirectoryModel open(final Path dir, final int groupSize)
    {
        final ModelDirectory model = ModelDirectory.open(dir);
        try
        {
            return new DirectoryModel(model, servedConfig(model.config(), groupSize));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(model);
            throw ex;
        }
    }

    /** The model's configuration with the group size this node is told to gate by, when it is told one. */
    private static ModelConfig servedConfig(final ModelConfig config, final int groupSize)
    {
        if (groupSize <= 0)
        {
            return config;
        }
        return new ModelConfig(config.dModel(), config.dFf(), config.numExperts(), config.activation(),
            config.expertBias(), config.routing().withGroupSize(groupSize));
    }

    @Override
    public ModelConfig config()
    {
        return config;
    }

    @Override
    public int layers()
    {
        return model.layerCount();
    }

    @Override
    public int reportEntries()
    {
        return 2;
    }

    @Override
    public LayerGating[] gatings()
    {
        final List<RouterProjection> routers = new ArrayList<>();
        for (int l = 0; l < layers(); l++)
        {
            routers.add(new RouterProjection(model.router(l)));
            GatingWarmUp.run(routers.get(l), config.routing(), GATING_WARM_UP_ROUNDS);
        }
        return SeedLayerGating.of(config, routers);
    }

    @Override
    public ExpertLoader expertLoader(final ComputeBackend backend)
    {
        return new ModelExpertLoader(model, backend);
    }

    @Override
    public String describeJson()
    {
        return ModelConfigJson.toJson(config);
    }

    @Override
    public ModelDirectory directory()
    {
        return model;
    }

    @Override
    public boolean groupPerRequest()
    {
        return false;
    }

    @Override
    public void close()
    {
        model.close();
    }
}
