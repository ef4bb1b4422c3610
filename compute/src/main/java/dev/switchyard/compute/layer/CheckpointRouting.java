package dev.switchyard.compute.layer;

import dev.switchyard.compute.router.RouterProjection;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.MoeLayerSpec;
import dev.switchyard.model.checkpoint.RoutingParams;
import dev.switchyard.model.tensor.ExactExp;
import dev.switchyard.routing.family.CheckpointRules;
import dev.switchyard.routing.family.RoutingRule;

/**
 * The routing half of a checkpoint's served layer (docs/contracts.md §9): the router's logits, the
 * family's rule, the weight of each routed term and the scale of the shared expert's term. The same
 * object routes in process ({@link CheckpointMoeLayer}) and in the gateway, so both give the same bits.
 * <p>
 * The rule owns scratch: one instance per thread.
 */
public final class CheckpointRouting
{
    private final MoeLayerSpec spec;
    private final RouterProjection router;
    private final float[] routerBias;   // [E] or null
    private final RoutingRule rule;
    private final float[] sharedGate;   // [d] or null: Qwen2-MoE's shared_expert_gate
    private final float termScale;

    private CheckpointRouting(final MoeLayerSpec spec, final RouterProjection router, final float[] routerBias,
        final RoutingRule rule, final float[] sharedGate)
    {
        this.spec = spec;
        this.router = router;
        this.routerBias = routerBias;
        this.rule = rule;
        this.sharedGate = sharedGate;
        this.termScale = spec.routing() instanceof RoutingParams.Nllb nllb ? (float)(1.0 - nllb.moeTokenDropout()) : 1f;
    }

    /** The routing of served layer {@code layer}, its tensors read (widened to f32) from the checkpoint. */
    public static CheckpointRouting load(final Checkpoint checkpoint, final int layer)
    {
        final MoeLayerSpec spec = checkpoint.layer(layer);
        final float[] correction = spec.scoreCorrectionBias() == null ? null :
            checkpoint.tensor(spec.scoreCorrectionBias()).toF32().toArray();
        final float[] routerBias = spec.routerBias() == null ? null :
            checkpoint.tensor(spec.routerBias()).toF32().toArray();
        final float[] sharedGate = spec.shared().present() && spec.shared().gateWeight() != null ?
            checkpoint.tensor(spec.shared().gateWeight()).toF32().toArray() : null;
        return new CheckpointRouting(spec, new RouterProjection(checkpoint.tensor(spec.routerWeight()).toF32()),
            routerBias, CheckpointRules.create(spec, correction), sharedGate);
    }

    public MoeLayerSpec spec()
    {
        return spec;
    }

    /** Entries per token: top_k (Switch 1, NLLB-MoE 2). */
    public int k()
    {
        return rule.k();
    }

    /** Whether each token is routed alone, so that groups do not matter. */
    public boolean dropless()
    {
        return rule.dropless();
    }

    /** The factor on every routed weight before its product: NLLB-MoE's 1 − moe_token_dropout, else 1. */
    public float termScale()
    {
        return termScale;
    }

    /**
     * Routes tokens {@code n} rows of x from {@code xOffset} as one group.
     *
     * @param logits [n, E] scratch
     * @param expert [n, k] out: −1 where dropped
     * @param gate   [n, k] out: 0.0 where dropped
     */
    public void route(final float[] x, final int xOffset, final int n, final float[] logits, final int[] expert,
        final float[] gate)
    {
        final int e = spec.experts();
        router.logits(x, xOffset, n, logits);  // x [n, d] -> logits [n, E]
        if (routerBias != null)
        {
            for (int t = 0; t < n; t++)
            {
                for (int j = 0; j < e; j++)
                {
                    logits[t * e + j] += routerBias[j];
                }
            }
        }
        rule.route(logits, n, e, expert, gate);
    }

    /**
     * The weight of the shared expert's term for the token at {@code off} of x: Qwen2-MoE's
     * sigmoid(x·w_g), one dot product in index order with the routing's deterministic exp; 1 for DeepSeek.
     */
    public float sharedScale(final float[] x, final int off)
    {
        if (sharedGate == null)
        {
            return 1f;
        }
        float dot = 0f;
        for (int j = 0; j < sharedGate.length; j++)
        {
            dot = Math.fma(x[off + j], sharedGate[j], dot);
        }
        return 1f / (1f + ExactExp.exp(-dot));
    }
}
