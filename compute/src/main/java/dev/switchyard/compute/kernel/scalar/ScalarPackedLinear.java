package dev.switchyard.compute.kernel.scalar;

import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;

/**
 * Weights as they are in the file, copied to the heap (rounded through bfloat16 when so asked).
 *
 * @param weight [n, k]: the product, or the up product of a gated pair
 * @param gate   [n, k] or null
 * @param bias   [n] or null
 */
record ScalarPackedLinear(int inFeatures, int outFeatures, WeightFormat format, float[] weight, float[] gate,
    float[] bias)
    implements PackedLinear
{
    @Override
    public boolean gated()
    {
        return gate != null;
    }

    @Override
    public boolean hasBias()
    {
        return bias != null;
    }

    @Override
    public long packedBytes()
    {
        final long perWeight = format == WeightFormat.BF16 ? Short.BYTES : Float.BYTES;
        return (long)weight.length * perWeight * (gate == null ? 1 : 2);
    }
}
