package dev.switchyard.compute.layer;

import java.util.Arrays;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.network.BlockCompute;
import dev.switchyard.compute.network.ExpertNetwork;
import dev.switchyard.compute.router.RouterProjection;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.routing.gating.Top2Gating;
import dev.switchyard.routing.plan.Combine;
import dev.switchyard.routing.plan.Dispatch;
import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.routing.plan.TokenGroups;

/**
 * One MoE layer computed in this process: per group, gating → dispatch → experts → combine.
 * It is the reference every distributed path must equal bit for bit, and the {@code --local} path.
 * <p>
 * Not thread-safe (it owns the group's scratch); the experts inside may use a compute pool.
 */
public final class LocalMoeLayer
{
    /** Sees each group's plan as soon as it is routed. */
    @FunctionalInterface
    public interface GroupListener
    {
        void onGroup(int group, RoutingPlan plan);
    }

    private final ModelConfig config;
    private final RouterProjection router;
    private final BlockCompute[] experts;
    private final Top2Gating gating;
    private final RoutingPlan plan;
    private final int dModel;

    private boolean[] unavailable;  // [E] or null

    private final float[] gates;    // [G, E]
    private final float[] block;    // [2G, d]
    private final float[] blockOut; // [2G, d]

    /** @param experts the layer's experts, [E]: its networks, or {@link IdentityExpert}s to time the rest */
    public LocalMoeLayer(final ModelConfig config, final RouterProjection router, final BlockCompute[] experts)
    {
        if (experts.length != config.numExperts() || router.experts() != config.numExperts())
        {
            throw new IllegalArgumentException("expert count differs between config, router and networks");
        }
        this.config = config;
        this.router = router;
        this.experts = experts;
        this.dModel = config.dModel();
        final int g = config.routing().groupSize();
        this.gating = new Top2Gating(config.routing(), config.numExperts(), g);
        this.plan = new RoutingPlan(g, config.numExperts());
        this.gates = new float[g * config.numExperts()];
        this.block = new float[plan.maxBlockRows() * dModel];
        this.blockOut = new float[plan.maxBlockRows() * dModel];
    }

    /** Layer {@code layer} of a model directory; the expert weights stay mapped. */
    public static LocalMoeLayer load(
        final ModelDirectory model, final int layer, final ComputeBackend backend, final WeightFormat format)
    {
        final ModelConfig cfg = model.config();
        final ExpertNetwork[] nets = new ExpertNetwork[cfg.numExperts()];
        for (int e = 0; e < nets.length; e++)
        {
            nets[e] = ExpertNetwork.load(model.expert(layer, e), cfg.activation(), backend, format);
        }
        return new LocalMoeLayer(cfg, new RouterProjection(model.router(layer)), nets);
    }

    /**
     * Layer {@code layer} of a model directory with experts that answer every block unchanged: the
     * routing, dispatch and combine of the layer without its FFNs.
     */
    public static LocalMoeLayer loadIdentity(final ModelDirectory model, final int layer)
    {
        final ModelConfig cfg = model.config();
        final BlockCompute[] experts = new BlockCompute[cfg.numExperts()];
        Arrays.fill(experts, new IdentityExpert(cfg.dModel()));
        return new LocalMoeLayer(cfg, new RouterProjection(model.router(layer)), experts);
    }

    public ModelConfig config()
    {
        return config;
    }

    /**
     * Computes from now on as if the experts marked here could not be reached: capacity 0 for every
     * group (docs/contracts.md §3, degraded answers), what a gateway answers with {@code drop}.
     *
     * @param experts [E], or null for every expert available
     */
    public LocalMoeLayer withUnavailable(final boolean[] experts)
    {
        if (experts != null && experts.length != config.numExperts())
        {
            throw new IllegalArgumentException("unavailable experts: " + experts.length + " flags for " +
                config.numExperts() + " experts");
        }
        this.unavailable = experts == null ? null : experts.clone();
        return this;
    }

    /**
     * y = MoE(x), group by group.
     *
     * @param x          [tokens, d]
     * @param importance [tokens] or null
     * @param y          [tokens, d] overwritten
     * @param listener   sees every group's plan, or null
     */
    public void forward(
        final float[] x, final int tokens, final float[] importance, final float[] y, final GroupListener listener)
    {
        final TokenGroups groups = new TokenGroups(tokens, config.routing().groupSize());
        for (int group = 0; group < groups.count(); group++)
        {
            forwardGroup(x, groups.start(group), groups.size(group), importance, group, y);
            if (listener != null)
            {
                listener.onGroup(group, plan);
            }
        }
    }

    /**
     * One group: x[start .. start+size) → y[start .. start+size).
     *
     * @param groupOrdinal seeds the random policy's draws (the group's index in its sequence)
     */
    public RoutingPlan forwardGroup(
        final float[] x, final int start, final int size, final float[] importance, final long groupOrdinal,
        final float[] y)
    {
        final int d = dModel;
        router.gates(x, start * d, size, gates);
        gating.route(gates, size, importance, start, groupOrdinal, unavailable, plan);
        Combine.clear(y, start * d, size, d);
        for (int e = 0; e < experts.length; e++)
        {
            final int rows = plan.slotCount(e);
            if (rows == 0)
            {
                continue;
            }
            Dispatch.gather(plan, e, x, start * d, d, block);
            experts[e].forward(block, 0, rows, blockOut, 0);
            Combine.accumulate(plan, e, blockOut, d, y, start * d);
        }
        return plan;
    }
}
