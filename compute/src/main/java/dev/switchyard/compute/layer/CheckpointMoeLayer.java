package dev.switchyard.compute.layer;

import java.util.Arrays;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.network.CheckpointExperts;
import dev.switchyard.compute.network.ExpertNetwork;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.MoeLayerSpec;
import dev.switchyard.routing.family.DegradedRouting;

/**
 * One served layer of a Hugging Face checkpoint, in process (docs/contracts.md §9): the router's logits,
 * the family's routing rule, the routed experts and the shared experts.
 * <pre>
 * logits = x·Wᵣᵀ (+ bᵣ)                         // [T, E]
 * expert, gate = rule(logits)                   // [T, k] each; a dropped entry is −1, 0.0
 * y[t] = Σ gate·FFN_e(x[t]), e ascending        // NLLB-MoE: each term × (1 − moe_token_dropout)
 *      + s(x[t])·FFN_shared(x[t])               // Qwen2-MoE: s = sigmoid(x·w_g); DeepSeek: s = 1
 * </pre>
 * Every row is computed alone (the kernels' rows do not depend on their block), and a token's terms are
 * added in ascending expert index, then the shared experts, as the reference's loop over experts: for
 * the dropless families a token's output is the same bits whatever other tokens share its call.
 * <p>
 * Not thread-safe: it owns the rule's and the blocks' scratch.
 */
public final class CheckpointMoeLayer
{
    private final MoeLayerSpec spec;
    private final CheckpointRouting routing;
    private final ExpertNetwork[] experts; // [E]
    private final ExpertNetwork shared;    // or null
    private final float termScale;         // NLLB-MoE: 1 − moe_token_dropout; else 1
    private final int d;
    private boolean[] unavailable;         // [E] or null

    private float[] logits = new float[0];   // [G, E]
    private int[] choice = new int[0];       // [G, k]
    private float[] weight = new float[0];   // [G, k]
    private float[] block = new float[0];    // [rows, d]
    private float[] blockOut = new float[0]; // [rows, d]
    private int[] blockToken = new int[0];   // [rows]
    private float[] blockGate = new float[0]; // [rows]

    CheckpointMoeLayer(final CheckpointRouting routing, final ExpertNetwork[] experts, final ExpertNetwork shared)
    {
        this.spec = routing.spec();
        this.routing = routing;
        this.experts = experts;
        this.shared = shared;
        this.termScale = routing.termScale();
        this.d = spec.dModel();
    }

    /**
     * Served layer {@code layer} of a checkpoint, its experts packed in {@code format} (null: as stored,
     * see {@link CheckpointExperts#nativeFormat}).
     */
    public static CheckpointMoeLayer load(
        final Checkpoint checkpoint, final int layer, final ComputeBackend backend, final WeightFormat format)
    {
        final MoeLayerSpec spec = checkpoint.layer(layer);
        final ExpertNetwork[] experts = new ExpertNetwork[spec.experts()];
        for (int e = 0; e < experts.length; e++)
        {
            experts[e] = CheckpointExperts.load(checkpoint.expert(layer, e), spec.form(), backend,
                format != null ? format : CheckpointExperts.nativeFormat(checkpoint.expert(layer, e)));
        }
        ExpertNetwork shared = null;
        if (spec.shared().present())
        {
            shared = CheckpointExperts.load(checkpoint.sharedExpert(layer), spec.form(), backend,
                format != null ? format : CheckpointExperts.nativeFormat(checkpoint.sharedExpert(layer)));
        }
        return new CheckpointMoeLayer(CheckpointRouting.load(checkpoint, layer), experts, shared);
    }

    public MoeLayerSpec spec()
    {
        return spec;
    }

    /** Bytes the packed weights of the routed and shared experts hold in memory. */
    public long packedBytes()
    {
        long bytes = shared == null ? 0 : shared.packedBytes();
        for (final ExpertNetwork e : experts)
        {
            bytes += e.packedBytes();
        }
        return bytes;
    }

    /** The weight format the experts were packed in. */
    public String format()
    {
        return experts[0].format().configName();
    }

    /** Entries per token in the routing: top_k (Switch 1, NLLB-MoE 2). */
    public int k()
    {
        return routing.k();
    }

    /** Whether each token is routed alone, so that groups do not matter. */
    public boolean dropless()
    {
        return routing.dropless();
    }

    /**
     * From now on computes as if these experts could not be reached: their assignments are dropped
     * (weight 0), the others keep their weights, and the shared experts stay (§9, degraded answers).
     *
     * @param unavailable [E], or null for every expert available
     */
    public CheckpointMoeLayer withUnavailable(final boolean[] unavailable)
    {
        if (unavailable != null && unavailable.length != spec.experts())
        {
            throw new IllegalArgumentException(unavailable.length + " flags for " + spec.experts() + " experts");
        }
        this.unavailable = unavailable == null ? null : unavailable.clone();
        return this;
    }

    /**
     * y = MoE(x), one routing group after another.
     *
     * @param x         [tokens, d]
     * @param groupSize tokens per routing group for the capacity families (Switch: the sequence length;
     *                  NLLB-MoE: the request); the dropless families route each token alone
     * @param y         [tokens, d] overwritten
     * @param expert    [tokens, k] out, or null: the experts each token was sent to, −1 where dropped
     * @param gate      [tokens, k] out, or null: the weights, 0.0 where dropped
     */
    public void forward(final float[] x, final int tokens, final int groupSize, final float[] y, final int[] expert,
        final float[] gate)
    {
        final int size = routing.dropless() ? Math.max(1, Math.min(tokens, 4096)) : groupSize;
        if (size < 1)
        {
            throw new IllegalArgumentException("group size " + size);
        }
        Arrays.fill(y, 0, tokens * d, 0f);
        for (int start = 0; start < tokens; start += size)
        {
            final int n = Math.min(size, tokens - start);
            forwardGroup(x, start, n, y);
            final int k = routing.k();
            if (expert != null)
            {
                System.arraycopy(choice, 0, expert, start * k, n * k);
            }
            if (gate != null)
            {
                System.arraycopy(weight, 0, gate, start * k, n * k);
            }
        }
    }

    /** Routes tokens [start, start + n) as one group and adds their terms into y. */
    private void forwardGroup(final float[] x, final int start, final int n, final float[] y)
    {
        final int e = spec.experts();
        final int k = routing.k();
        ensure(n, e, k);
        routing.route(x, start * d, n, logits, choice, weight);  // x [n, d] -> choice, weight [n, k]
        if (unavailable != null)
        {
            DegradedRouting.drop(unavailable, n, k, choice, weight);
        }
        for (int ex = 0; ex < e; ex++)
        {
            final int rows = gather(x, start, n, ex);
            if (rows > 0)
            {
                experts[ex].forward(block, 0, rows, blockOut, 0);
                addTerms(rows, y, start);
            }
        }
        if (shared != null)
        {
            addShared(x, start, n, y);
        }
    }

    /** The rows of the group routed to {@code ex} (token order) into the block; returns their count. */
    private int gather(final float[] x, final int start, final int n, final int ex)
    {
        final int k = routing.k();
        int rows = 0;
        for (int t = 0; t < n; t++)
        {
            for (int i = 0; i < k; i++)
            {
                if (choice[t * k + i] == ex)
                {
                    System.arraycopy(x, (start + t) * d, block, rows * d, d);
                    blockToken[rows] = t;
                    blockGate[rows] = weight[t * k + i] * termScale;
                    rows++;
                }
            }
        }
        return rows;
    }

    /** y[token] += gate · out for each row of the expert's block: a multiply then an add. */
    private void addTerms(final int rows, final float[] y, final int start)
    {
        for (int r = 0; r < rows; r++)
        {
            final float g = blockGate[r];
            final int dst = (start + blockToken[r]) * d;
            for (int j = 0; j < d; j++)
            {
                final float term = g * blockOut[r * d + j];
                y[dst + j] += term;
            }
        }
    }

    /** y[t] += s(x[t]) · FFN_shared(x[t]) for every token of the group, after all routed terms. */
    private void addShared(final float[] x, final int start, final int n, final float[] y)
    {
        shared.forward(x, start * d, n, blockOut, 0);
        for (int t = 0; t < n; t++)
        {
            final float s = routing.sharedScale(x, (start + t) * d);
            final int dst = (start + t) * d;
            for (int j = 0; j < d; j++)
            {
                final float term = s * blockOut[t * d + j];
                y[dst + j] += term;
            }
        }
    }

    private void ensure(final int n, final int e, final int k)
    {
        if (logits.length < n * e)
        {
            logits = new float[n * e];
            choice = new int[n * k];
            weight = new float[n * k];
        }
        final int rows = Math.max(n * k, n);
        if (blockToken.length < rows)
        {
            block = new float[rows * d];
            blockOut = new float[rows * d];
            blockToken = new int[rows];
            blockGate = new float[rows];
        }
    }
}
