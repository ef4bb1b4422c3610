package dev.switchyard.compute.network;

import java.util.SplittableRandom;

import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.TestTensors;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.kernel.vector.VectorBackend;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.directory.ExpertWeights;

/**
 * Computes a fixed FFN on fixed rows for every activation and weight format and prints the raw bits of
 * the outputs, one line per case. Run in another JVM (interpreted, C1) to compare with this one.
 */
public final class ForwardProbe
{
    static final int ROWS = 13;
    static final int D_MODEL = 24;
    static final int D_FF = 300;

    private ForwardProbe()
    {
    }

    public static void main(final String[] args)
    {
        for (final Activation activation : Activation.values())
        {
            for (final WeightFormat format : WeightFormat.FROM_FLOAT32)
            {
                System.out.println(activation + " " + format + " " + outputBits(activation, format, 1));
            }
        }
    }

    /** The outputs' bits as hex, after computing them {@code times} times (to let the JIT compile). */
    static String outputBits(final Activation activation, final WeightFormat format, final int times)
    {
        final SplittableRandom random = new SplittableRandom(1234);
        final ExpertWeights w = ExpertNetworkTest.weights(random, D_MODEL, D_FF, true, activation.gated());
        // Inputs wide enough that GELU and SiLU see large negative and positive arguments.
        final float[] x = TestTensors.values(random, 4.0, ROWS * D_MODEL);
        final ExpertNetwork network = ExpertNetwork.load(w, activation, new VectorBackend(ComputePool.callerOnly()), format);
        final float[] y = new float[ROWS * D_MODEL];
        for (int i = 0; i < times; i++)
        {
            network.forward(x, 0, ROWS, y, 0);
        }
        final StringBuilder bits = new StringBuilder();
        for (final float v : y)
        {
            bits.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(',');
        }
        return bits.toString();
    }
}
