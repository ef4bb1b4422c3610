package dev.switchyard.compute.kernel.scalar;

import dev.switchyard.compute.kernel.Bf16;
import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.compute.kernel.LinearShapes;
import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.tensor.F32Tensor;

/**
 * The reference: a plain triple loop on the caller's thread, float32 sums in k order, activations in
 * double. Slow and obviously right; the vector backend is tested against it.
 */
public final class ScalarBackend implements ComputeBackend
{
    @Override
    public String name()
    {
        return "scalar";
    }

    @Override
    public PackedLinear pack(final F32Tensor weight, final F32Tensor biasOrNull, final WeightFormat format)
    {
        LinearShapes.requireMatrix(weight);
        LinearShapes.requireBias(biasOrNull, weight.dim(0));
        return new ScalarPackedLinear(
            weight.dim(1), weight.dim(0), format, copy(weight, format), null,
            biasOrNull == null ? null : biasOrNull.toArray());
    }

    @Override
    public PackedLinear packGated(
        final F32Tensor gate, final F32Tensor up, final F32Tensor upBiasOrNull, final WeightFormat format)
    {
        LinearShapes.requireMatrix(up);
        LinearShapes.requireSameShape(up, gate);
        LinearShapes.requireBias(upBiasOrNull, up.dim(0));
        return new ScalarPackedLinear(
            up.dim(1), up.dim(0), format, copy(up, format), copy(gate, format),
            upBiasOrNull == null ? null : upBiasOrNull.toArray());
    }

    @Override
    public void linear(
        final PackedLinear weights, final Epilogue epilogue,
        final float[] x, final int xOffset, final int rows, final float[] y, final int yOffset)
    {
        final ScalarPackedLinear w = LinearShapes.requireOwn(ScalarPackedLinear.class, weights, epilogue);
        final int k = w.inFeatures();
        final int n = w.outFeatures();
        LinearShapes.requireBlock(x, xOffset, rows, k, y, yOffset, n);
        for (int i = 0; i < rows; i++)
        {
            final int xRow = xOffset + i * k;
            for (int j = 0; j < n; j++)
            {
                float h = dot(x, xRow, w.weight(), j * k, k);
                if (w.bias() != null)
                {
                    h += w.bias()[j];
                }
                y[yOffset + i * n + j] = switch (epilogue)
                {
                    case NONE -> h;
                    case RELU -> ScalarActivations.relu(h);
                    case GELU -> ScalarActivations.gelu(h);
                    case SILU -> ScalarActivations.silu(h);
                    case SWIGLU -> ScalarActivations.silu(dot(x, xRow, w.gate(), j * k, k)) * h;
                };
            }
        }
    }

    private static float dot(final float[] x, final int xOff, final float[] w, final int wOff, final int k)
    {
        float sum = 0.0f;
        for (int kk = 0; kk < k; kk++)
        {
            sum += x[xOff + kk] * w[wOff + kk];
        }
        return sum;
    }

    private static float[] copy(final F32Tensor weight, final WeightFormat format)
    {
        LinearShapes.requireUnscaledFormat(weight, format);
        final float[] values = weight.toArray();
        if (format == WeightFormat.BF16)
        {
            for (int i = 0; i < values.length; i++)
            {
                values[i] = Bf16.round(values[i]);
            }
        }
        return values;
    }
}
