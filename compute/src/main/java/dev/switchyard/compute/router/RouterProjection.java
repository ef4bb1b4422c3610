package dev.switchyard.compute.router;

import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.routing.gating.GateFunction;
import dev.switchyard.routing.gating.Softmax;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The learned gating function: gates = softmax(x · Wᵣᵀ) in float32.
 * <p>
 * Lanes run over experts, never over d_model: every logit is one chain of fused multiply-adds over
 * j = 0 .. d-1, the same chain {@code s = Math.fma(x[j], w[e][j], s)} computes. No lane reduction
 * (whose order the Vector API leaves open, and which differs between interpreted and compiled code)
 * touches a logit, so a token gets bit-identical gates whatever its group, block, thread, JIT state or
 * vector width.
 */
public final class RouterProjection implements GateFunction
{
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Tokens that share each load of the weights. */
    private static final int TOKEN_BLOCK = 4;

    private final float[] weightT; // [d, paddedExperts]: Wᵣ transposed, zero-padded to whole vectors
    private final int experts;
    private final int paddedExperts;
    private final int dModel;
    private final ThreadLocal<float[]> scratch; // [TOKEN_BLOCK, paddedExperts]

    public RouterProjection(final F32Tensor routerWeight)
    {
        if (routerWeight.rank() != 2)
        {
            throw new IllegalArgumentException(routerWeight.name() + " must be [E, d_model], is " +
                routerWeight.shapeString());
        }
        this.experts = routerWeight.dim(0);
        this.dModel = routerWeight.dim(1);
        this.paddedExperts = (experts + LANES - 1) / LANES * LANES;
        this.weightT = new float[dModel * paddedExperts];
        for (int e = 0; e < experts; e++)
        {
            for (int j = 0; j < dModel; j++)
            {
                weightT[j * paddedExperts + e] = routerWeight.get(e, j);
            }
        }
        final int scratchFloats = TOKEN_BLOCK * paddedExperts;
        this.scratch = ThreadLocal.withInitial(() -> new float[scratchFloats]);
    }

    @Override
    public int experts()
    {
        return experts;
    }

    @Override
    public int dModel()
    {
        return dModel;
    }

    /** x [tokens, d] at xOffset → gates [tokens, E] from 0. */
    @Override
    public void gates(final float[] x, final int xOffset, final int tokens, final float[] gates)
    {
        logits(x, xOffset, tokens, gates);
        for (int t = 0; t < tokens; t++)
        {
            Softmax.inPlace(gates, t * experts, experts);
        }
    }

    /** x [tokens, d] at xOffset → logits [tokens, E] from 0. */
    public void logits(final float[] x, final int xOffset, final int tokens, final float[] logits)
    {
        final float[] block = scratch.get();
        int t = 0;
        for (; t + TOKEN_BLOCK <= tokens; t += TOKEN_BLOCK)
        {
            for (int c = 0; c < paddedExperts; c += LANES)
            {
                logits4(x, xOffset + t * dModel, c, block);
            }
            for (int i = 0; i < TOKEN_BLOCK; i++)
            {
                System.arraycopy(block, i * paddedExperts, logits, (t + i) * experts, experts);
            }
        }
        for (; t < tokens; t++)
        {
            for (int c = 0; c < paddedExperts; c += LANES)
            {
                logits1(x, xOffset + t * dModel, c, block);
            }
            System.arraycopy(block, 0, logits, t * experts, experts);
        }
    }

    // Four tokens × LANES experts: each weight load feeds four chains.
    private void logits4(final float[] x, final int x0, final int c, final float[] out)
    {
        final int d = dModel;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = FloatVector.zero(SPECIES);
        FloatVector a2 = FloatVector.zero(SPECIES);
        FloatVector a3 = FloatVector.zero(SPECIES);
        for (int j = 0; j < d; j++)
        {
            final FloatVector w = FloatVector.fromArray(SPECIES, weightT, j * paddedExperts + c);
            a0 = FloatVector.broadcast(SPECIES, x[x0 + j]).fma(w, a0);
            a1 = FloatVector.broadcast(SPECIES, x[x0 + d + j]).fma(w, a1);
            a2 = FloatVector.broadcast(SPECIES, x[x0 + 2 * d + j]).fma(w, a2);
            a3 = FloatVector.broadcast(SPECIES, x[x0 + 3 * d + j]).fma(w, a3);
        }
        a0.intoArray(out, c);
        a1.intoArray(out, paddedExperts + c);
        a2.intoArray(out, 2 * paddedExperts + c);
        a3.intoArray(out, 3 * paddedExperts + c);
    }

    private void logits1(final float[] x, final int x0, final int c, final float[] out)
    {
        FloatVector a = FloatVector.zero(SPECIES);
        for (int j = 0; j < dModel; j++)
        {
            a = FloatVector.broadcast(SPECIES, x[x0 + j])
                .fma(FloatVector.fromArray(SPECIES, weightT, j * paddedExperts + c), a);
        }
        a.intoArray(out, c);
    }
}
