package dev.switchyard.compute.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import dev.switchyard.model.tensor.F32Tensor;

/** Random tensors over heap arrays (native order is little-endian on the machines this runs on). */
public final class TestTensors
{
    private TestTensors()
    {
    }

    public static F32Tensor random(final String name, final SplittableRandom random, final double scale, final int... shape)
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new IllegalStateException("tests assume a little-endian machine");
        }
        int count = 1;
        final long[] longShape = new long[shape.length];
        for (int i = 0; i < shape.length; i++)
        {
            count *= shape[i];
            longShape[i] = shape[i];
        }
        return new F32Tensor(name, longShape, MemorySegment.ofArray(values(random, scale, count)));
    }

    public static float[] values(final SplittableRandom random, final double scale, final int count)
    {
        final float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.nextGaussian() * scale);
        }
        return values;
    }

    /** max |actual − expected| / max |expected| (0 when both are all zero). */
    public static double maxRelativeError(final float[] actual, final float[] expected)
    {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++)
        {
            maxDiff = Math.max(maxDiff, Math.abs((double)actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }
}
