package dev.switchyard.compute.kernel.vector;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import dev.switchyard.compute.kernel.scalar.ScalarActivations;
import dev.switchyard.model.tensor.ExactExp;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static dev.switchyard.compute.kernel.vector.KernelGeometry.L;
import static dev.switchyard.compute.kernel.vector.KernelGeometry.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorActivationsTest
{
    /** Every float in [from, to) at a step that also hits many non-representable-in-few-bits values. */
    private static float[] grid(final float from, final float to, final int count)
    {
        final float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = from + (to - from) * i / count + (float)Math.ulp(1.0f) * (i % 7);
        }
        return values;
    }

    private static void assertClose(
        final UnaryOperator<FloatVector> vector, final DoubleUnaryOperator reference,
        final float[] inputs, final double relative, final double absolute, final String name)
    {
        final float[] out = new float[L];
        for (int i = 0; i + L <= inputs.length; i += L)
        {
            vector.apply(FloatVector.fromArray(S, inputs, i)).intoArray(out, 0);
            for (int lane = 0; lane < L; lane++)
            {
                final double expected = reference.applyAsDouble(inputs[i + lane]);
                final double error = Math.abs(out[lane] - expected);
                assertTrue(error <= relative * Math.abs(expected) + absolute,
                    name + "(" + inputs[i + lane] + ") = " + out[lane] + ", expected " + expected);
            }
        }
    }

    @Test
    void expIsWithinTwoUlpOverTheUnclampedRange()
    {
        assertClose(ExactExp::exp, Math::exp, grid(-87f, 88f, 200_000), 2.5e-7, 0, "exp");
    }

    @Test
    void expClampsInsteadOfOverflowing()
    {
        final float[] extremes = new float[L];
        for (int i = 0; i < L; i++)
        {
            extremes[i] = i % 2 == 0 ? 1000f : -1000f;
        }
        final float[] out = new float[L];
        ExactExp.exp(FloatVector.fromArray(S, extremes, 0)).intoArray(out, 0);
        for (int i = 0; i < L; i++)
        {
            assertTrue(Float.isFinite(out[i]) && out[i] > 0, "exp(" + extremes[i] + ") = " + out[i]);
        }
    }

    @Test
    void activationsMatchTheScalarReference()
    {
        // The float32 argument of exp carries a rounding error of about 1e-7·|arg|, which exp turns into a
        // relative error of the same size: up to ~1e-5 where gelu's |arg| nears 87, where outputs are below 1e-20.
        final float[] inputs = grid(-30f, 30f, 120_000);
        assertClose(VectorActivations::silu, v -> ScalarActivations.silu((float)v), inputs, 1e-5, 1e-20, "silu");
        assertClose(VectorActivations::gelu, v -> ScalarActivations.gelu((float)v), inputs, 1e-5, 1e-20, "gelu");
        assertClose(VectorActivations::relu, v -> ScalarActivations.relu((float)v), inputs, 0, 0, "relu");
    }

    @Test
    void geluIsTheTanhApproximation()
    {
        // Reference values of 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
        final float[] x = new float[L];
        final double[] expected = {-0.0036373920817729943, 0.0, 0.8411919906082768, 2.996362607918227};
        final float[] points = {-3f, 0f, 1f, 3f};
        for (int i = 0; i < L; i++)
        {
            x[i] = points[i % points.length];
        }
        final float[] out = new float[L];
        VectorActivations.gelu(FloatVector.fromArray(S, x, 0)).intoArray(out, 0);
        for (int i = 0; i < L; i++)
        {
            assertEquals(expected[i % 4], out[i], 1e-6, "gelu(" + x[i] + ")");
        }
    }
}
