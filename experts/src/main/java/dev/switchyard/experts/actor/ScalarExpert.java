package dev.switchyard.experts.actor;

import dev.switchyard.router.model.ExpertWeights;
import dev.switchyard.router.tensor.F32Tensor;

/**
 * FFN(x) = relu(x·Wᵢᵀ + bᵢ)·Wₒᵀ + bₒ row by row, straight from the mapped weights: the plain
 * reading of the expert, used until the packed vector kernels serve it.
 */
final class ScalarExpert
{
    private final F32Tensor wi;      // [d_ff, d]
    private final F32Tensor wiBias;  // [d_ff] or null
    private final F32Tensor wo;      // [d, d_ff]
    private final F32Tensor woBias;  // [d] or null
    private final int d;
    private final int dFf;
    private final float[] hidden;    // [d_ff]

    ScalarExpert(final ExpertWeights weights)
    {
        wi = weights.wi();
        wiBias = weights.wiBias();
        wo = weights.wo();
        woBias = weights.woBias();
        d = weights.dModel();
        dFf = weights.dFf();
        hidden = new float[dFf];
    }

    void forward(final float[] x, final int xOffset, final int rows, final float[] y, final int yOffset)
    {
        for (int r = 0; r < rows; r++)
        {
            final int xo = xOffset + r * d;
            for (int j = 0; j < dFf; j++)
            {
                float acc = 0f;
                final long row = (long)j * d;
                for (int k = 0; k < d; k++)
                {
                    acc += x[xo + k] * wi.get(row + k);
                }
                if (wiBias != null)
                {
                    acc += wiBias.get(j);
                }
                hidden[j] = Math.max(acc, 0f);
            }
            final int yo = yOffset + r * d;
            for (int i = 0; i < d; i++)
            {
                float acc = 0f;
                final long row = (long)i * dFf;
                for (int j = 0; j < dFf; j++)
                {
                    acc += hidden[j] * wo.get(row + j);
                }
                if (woBias != null)
                {
                    acc += woBias.get(i);
                }
                y[yo + i] = acc;
            }
        }
    }
}
