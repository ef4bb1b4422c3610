package dev.switchyard.compute.network;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.TestTensors;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.kernel.vector.VectorBackend;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.directory.ExpertWeights;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpertNetworkTest
{
    static ExpertWeights weights(
        final SplittableRandom random, final int dModel, final int dFf, final boolean bias, final boolean gated)
    {
        return new ExpertWeights(
            TestTensors.random("experts.0.wi.weight", random, 1.0 / Math.sqrt(dModel), dFf, dModel),
            bias ? TestTensors.random("experts.0.wi.bias", random, 0.3, dFf) : null,
            TestTensors.random("experts.0.wo.weight", random, 1.0 / Math.sqrt(dFf), dModel, dFf),
            bias ? TestTensors.random("experts.0.wo.bias", random, 0.3, dModel) : null,
            gated ? TestTensors.random("experts.0.wg.weight", random, 1.0 / Math.sqrt(dModel), dFf, dModel) : null);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void vectorFfnMatchesTheScalarReference(final Activation activation)
    {
        final SplittableRandom random = new SplittableRandom(activation.ordinal());
        final int[][] shapes = {{1, 1, 1}, {3, 17, 33}, {7, 64, 256}, {20, 40, 200}, {300, 24, 70}};
        for (final WeightFormat format : WeightFormat.FROM_FLOAT32)
        {
            for (final int[] shape : shapes)
            {
                final int rows = shape[0];
                final int dModel = shape[1];
                final int dFf = shape[2];
                final ExpertWeights w = weights(random, dModel, dFf, random.nextBoolean(), activation.gated());
                final float[] x = TestTensors.values(random, 1.0, rows * dModel);
                final float[] expected = new float[rows * dModel];
                final float[] actual = new float[rows * dModel];
                final ExpertNetwork scalar = ExpertNetwork.load(w, activation, ComputeBackends.scalar(), format);
                scalar.forward(x, 0, rows, expected, 0);
                assertArrayEquals(expected, forwardIntoMemory(scalar, x, rows), "scalar, through its rows");
                final ExpertNetwork vector = ExpertNetwork.load(w, activation, new VectorBackend(ComputePool.callerOnly()), format);
                vector.forward(x, 0, rows, actual, 0);
                final double error = TestTensors.maxRelativeError(actual, expected);
                assertTrue(error <= 1e-5, activation + " " + format + " rows=" + rows + " d_model=" + dModel +
                    " d_ff=" + dFf + ": relative error " + error);
                assertEquals(dModel, vector.dModel());
                assertEquals(dFf, vector.dFf());
                assertArrayEquals(actual, forwardIntoMemory(vector, x, rows), "into memory, rows=" + rows);
            }
        }
    }

    /** The network's output written as an answer frame's rows (little-endian, after a 64-byte header). */
    private static float[] forwardIntoMemory(final ExpertNetwork network, final float[] x, final int rows)
    {
        final int d = network.dModel();
        try (Arena arena = Arena.ofShared())
        {
            final MemorySegment frame = arena.allocate(64 + (long)rows * d * Float.BYTES);
            network.forward(x, 0, rows, frame, 64);
            final float[] y = new float[rows * d];
            MemorySegment.copy(frame, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 64,
                y, 0, y.length);
            return y;
        }
    }

    @Test
    void ffnIsTheSeedFormulaOnAHandExample()
    {
        // d_model 2, d_ff 3: h = relu(x·Wiᵀ + bi), y = h·Woᵀ + bo.
        final F32Tensor wi = tensor("experts.0.wi.weight", new float[] {1, 0, 0, 1, 1, -1}, 3, 2);
        final F32Tensor bi = tensor("experts.0.wi.bias", new float[] {0, 0.5f, -10}, 3);
        final F32Tensor wo = tensor("experts.0.wo.weight", new float[] {1, 1, 1, 0, 2, 0}, 2, 3);
        final F32Tensor bo = tensor("experts.0.wo.bias", new float[] {0.25f, -1}, 2);
        final float[] x = {2, 3};
        // x·Wiᵀ + bi = (2, 3.5, -11) → relu (2, 3.5, 0) → y = (5.5 + 0.25, 7 - 1)
        for (final ComputeBackend backend : new ComputeBackend[] {ComputeBackends.scalar(), new VectorBackend(ComputePool.callerOnly())})
        {
            final float[] y = new float[2];
            ExpertNetwork.load(new ExpertWeights(wi, bi, wo, bo, null), Activation.RELU, backend, WeightFormat.F32)
                .forward(x, 0, 1, y, 0);
            assertEquals(5.75f, y[0], backend.name());
            assertEquals(6.0f, y[1], backend.name());
        }
    }

    @Test
    void swigluGatesWithWg()
    {
        // d_model 1, d_ff 1, wo = 1: y = silu(wg·x)·(wi·x + bi).
        final float[] x = {1.5f};
        final ExpertWeights w = new ExpertWeights(
            tensor("experts.0.wi.weight", new float[] {2}, 1, 1), tensor("experts.0.wi.bias", new float[] {0.5f}, 1),
            tensor("experts.0.wo.weight", new float[] {1}, 1, 1), null,
            tensor("experts.0.wg.weight", new float[] {-0.5f}, 1, 1));
        final double gate = -0.75;
        final double expected = gate / (1 + Math.exp(-gate)) * (2 * 1.5 + 0.5);
        for (final ComputeBackend backend : new ComputeBackend[] {ComputeBackends.scalar(), new VectorBackend(ComputePool.callerOnly())})
        {
            final float[] y = new float[1];
            ExpertNetwork.load(w, Activation.SWIGLU, backend, WeightFormat.F32).forward(x, 0, 1, y, 0);
            assertEquals(expected, y[0], 1e-6, backend.name());
        }
    }

    @Test
    void rejectsShapesThatDoNotFitNamingTheTensor()
    {
        final SplittableRandom random = new SplittableRandom(9);
        final ComputeBackend backend = new VectorBackend(ComputePool.callerOnly());
        final ExpertWeights ok = weights(random, 8, 16, true, false);
        final ExpertWeights badWo = new ExpertWeights(ok.wi(), ok.wiBias(),
            TestTensors.random("experts.0.wo.weight", random, 1, 16, 8), ok.woBias(), null);
        final BadInputException wo = assertThrows(BadInputException.class,
            () -> ExpertNetwork.load(badWo, Activation.RELU, backend, WeightFormat.F32));
        assertEquals("tensor experts.0.wo.weight has shape [16, 8], expected [8, 16] to match experts.0.wi.weight [16, 8]",
            wo.getMessage());
        final BadInputException gate = assertThrows(BadInputException.class,
            () -> ExpertNetwork.load(ok, Activation.SWIGLU, backend, WeightFormat.F32));
        assertTrue(gate.getMessage().startsWith("activation swiglu needs the gate tensor"), gate.getMessage());
        final ExpertWeights badBias = new ExpertWeights(ok.wi(), ok.wiBias(), ok.wo(),
            TestTensors.random("experts.0.wo.bias", random, 1, 16), null);
        final BadInputException bias = assertThrows(BadInputException.class,
            () -> ExpertNetwork.load(badBias, Activation.GELU, backend, WeightFormat.BF16));
        assertEquals("tensor experts.0.wo.bias has shape [16], expected [8]", bias.getMessage());
    }

    @Test
    void rejectsBlocksOutsideTheArrays()
    {
        final SplittableRandom random = new SplittableRandom(10);
        final ExpertNetwork network = ExpertNetwork.load(
            weights(random, 8, 16, false, false), Activation.RELU, new VectorBackend(ComputePool.callerOnly()), WeightFormat.F32);
        assertThrows(IndexOutOfBoundsException.class, () -> network.forward(new float[16], 1, 2, new float[16], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> network.forward(new float[16], 0, 2, new float[15], 0));
    }

    private static F32Tensor tensor(final String name, final float[] values, final long... shape)
    {
        return new F32Tensor(name, shape, java.lang.foreign.MemorySegment.ofArray(values));
    }
}
