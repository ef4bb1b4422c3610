package dev.switchyard.bench.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import dev.switchyard.model.tensor.F32Tensor;

/** Random inputs and weights (off-heap, like a mapped model file) for the kernel benchmarks. */
final class BenchTensors
{
    private BenchTensors()
    {
    }

    static F32Tensor tensor(final String name, final SplittableRandom random, final double scale, final long... shape)
    {
        long count = 1;
        for (final long d : shape)
        {
            count *= d;
        }
        final MemorySegment data = Arena.ofAuto().allocate(count * Float.BYTES, 64);
        final float[] values = values(random, scale, Math.toIntExact(count));
        MemorySegment.copy(values, 0, data, F32Tensor.LE_FLOAT, 0, values.length);
        return new F32Tensor(name, shape, data);
    }

    static float[] values(final SplittableRandom random, final double scale, final int count)
    {
        final float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.nextGaussian() * scale);
        }
        return values;
    }
}
