package dev.switchyard.router.gating;

import dev.switchyard.router.tensor.F32Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;


/**
 * The learned gating function: gates = softmax(x · Wᵣᵀ) in float32.
 * <p>
 * Each token's logits are a function of that token alone (fixed lane layout and reduction order),
 * so a token gets the same gates whatever group, block or thread it is computed in.
 */
public final class RouterProjection
{
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int EXPERT_BLOCK = 4;

    private final float[] weight; // [E, d] row-major, copied once: E·d is small next to the experts
    private final int experts;
    private final int dModel;

    public RouterProjection(final F32Tensor routerWeight)
    {
        if (routerWeight.rank() != 2)
        {
            throw new IllegalArgumentException(routerWeight.name() + " must be [E, d_model], is " + routerWeight.shapeString());
        }
        this.experts = routerWeight.dim(0);
        this.dModel = routerWeight.dim(1);
        this.weight = routerWeight.toArray();
    }

    public int experts()
    {
        return experts;
    }

    public int dModel()
    {
        return dModel;
    }

    /** x [tokens, d] at xOffset → gates [tokens, E] from 0. */
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
        for (int t = 0; t < tokens; t++)
        {
            final int xRow = xOffset + t * dModel;
            int e = 0;
            for (; e + EXPERT_BLOCK <= experts; e += EXPERT_BLOCK)
            {
                dot4(x, xRow, e, logits, t * experts + e);
            }
            for (; e < experts; e++)
            {
                logits[t * experts + e] = dot(x, xRow, e * dModel);
            }
        }
    }

    // Four experts share each load of x: the product is bound by loads, not by FMAs.
    private void dot4(final float[] x, final int xRow, final int e, final float[] out, final int outOff)
    {
        final int w0 = e * dModel;
        final int w1 = w0 + dModel;
        final int w2 = w1 + dModel;
        final int w3 = w2 + dModel;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = FloatVector.zero(SPECIES);
        FloatVector a2 = FloatVector.zero(SPECIES);
        FloatVector a3 = FloatVector.zero(SPECIES);
        final int bound = SPECIES.loopBound(dModel);
        int j = 0;
        for (; j < bound; j += SPECIES.length())
        {
            final FloatVector xv = FloatVector.fromArray(SPECIES, x, xRow + j);
            a0 = xv.fma(FloatVector.fromArray(SPECIES, weight, w0 + j), a0);
            a1 = xv.fma(FloatVector.fromArray(SPECIES, weight, w1 + j), a1);
            a2 = xv.fma(FloatVector.fromArray(SPECIES, weight, w2 + j), a2);
            a3 = xv.fma(FloatVector.fromArray(SPECIES, weight, w3 + j), a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD);
        float s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD);
        float s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; j < dModel; j++)
        {
            final float xj = x[xRow + j];
            s0 = Math.fma(xj, weight[w0 + j], s0);
            s1 = Math.fma(xj, weight[w1 + j], s1);
            s2 = Math.fma(xj, weight[w2 + j], s2);
            s3 = Math.fma(xj, weight[w3 + j], s3);
        }
        out[outOff] = s0;
        out[outOff + 1] = s1;
        out[outOff + 2] = s2;
        out[outOff + 3] = s3;
    }

    // Same lane layout and reduction as dot4, so an expert's logit does not depend on its index's block.
    private float dot(final float[] x, final int xRow, final int w)
    {
        FloatVector a = FloatVector.zero(SPECIES);
        final int bound = SPECIES.loopBound(dModel);
        int j = 0;
        for (; j < bound; j += SPECIES.length())
        {
            a = FloatVector.fromArray(SPECIES, x, xRow + j).fma(FloatVector.fromArray(SPECIES, weight, w + j), a);
        }
        float s = a.reduceLanes(VectorOperators.ADD);
        for (; j < dModel; j++)
        {
            s = Math.fma(x[xRow + j], weight[w + j], s);
        }
        return s;
    }
}
