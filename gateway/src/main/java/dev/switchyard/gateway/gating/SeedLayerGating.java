package dev.switchyard.gateway.gating;

import java.util.List;

import dev.switchyard.compute.router.RouterProjection;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.routing.gating.Top2Gating;
import dev.switchyard.routing.plan.RoutingPlan;

/** The seed's top-2 gating of a Switchyard model's layer: its router's softmax, then Mesh TF's capacity. */
public final class SeedLayerGating implements LayerGating
{
    private final RouterProjection router;
    private final Top2Gating gating;
    private final int experts;

    public SeedLayerGating(final RouterProjection router, final Top2Gating gating, final int experts)
    {
        this.router = router;
        this.gating = gating;
        this.experts = experts;
    }

    /** The seed's top-2 gating behind every layer's router, [layers]. */
    public static LayerGating[] of(final ModelConfig config, final List<RouterProjection> routers)
    {
        final int experts = config.numExperts();
        final LayerGating[] gatings = new LayerGating[routers.size()];
        for (int l = 0; l < gatings.length; l++)
        {
            // A model or a term length the gateway cannot serve is refused before any subscription opens.
            gatings[l] = new SeedLayerGating(routers.get(l),
                new Top2Gating(config.routing(), experts, config.routing().groupSize()), experts);
        }
        return gatings;
    }

    @Override
    public void route(final float[] x, final int xOffset, final int tokens, final float[] importance,
        final long ordinal, final boolean[] skip, final float[] scratch, final RoutingPlan plan)
    {
        router.gates(x, xOffset, tokens, scratch);  // x [G, d] -> gates [G, E]
        gating.route(scratch, tokens, importance, 0, ordinal, skip, plan);
    }

    @Override
    public int experts()
    {
        return experts;
    }

    @Override
    public int routedExperts()
    {
        return experts;
    }

    @Override
    public int entries()
    {
        return 2;
    }

    @Override
    public boolean takesImportance()
    {
        return true;
    }

    @Override
    public int reportEntries()
    {
        return 2;
    }

    @Override
    public int groupSize()
    {
        return gating.config().groupSize();
    }

    @Override
    public boolean dropsLateExactly()
    {
        // before_capacity: the gates are final before capacity, so no other gate depends on a dropped one.
        return gating.config().normalize() == Normalize.BEFORE_CAPACITY;
    }

    @Override
    public boolean stagedCombine()
    {
        return false;
    }

    @Override
    public float termScale()
    {
        return 1f;
    }
}
