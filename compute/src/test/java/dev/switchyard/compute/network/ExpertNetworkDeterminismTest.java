package dev.switchyard.compute.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.TestTensors;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.kernel.vector.VectorBackend;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.directory.ExpertWeights;
import dev.switchyard.testkit.Threads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The serving system compares outputs computed in different processes bit for bit, so one row's output
 * must be the same bits whatever block it travels in: its size, the row's position, the other rows, the
 * number of threads, the thread that runs it, the cache blocking.
 */
class ExpertNetworkDeterminismTest
{
    private static final int D_MODEL = 40;
    private static final int D_FF = 200;
    private static final int ROWS = ExpertNetwork.ROW_BLOCK + 44;
    private static final ComputePool POOL_2 = ComputePool.ofThreads(2, 0);
    private static final ComputePool POOL_4 = ComputePool.ofThreads(4, 0);

    @AfterAll
    static void closePools()
    {
        POOL_2.close();
        POOL_4.close();
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void aRowGivesTheSameBitsInEveryBlockOnEveryThreadCount(final Activation activation) throws Exception
    {
        for (final WeightFormat format : WeightFormat.FROM_FLOAT32)
        {
            final SplittableRandom random = new SplittableRandom(100 + activation.ordinal() * 2L + format.ordinal());
            final ExpertWeights w = ExpertNetworkTest.weights(random, D_MODEL, D_FF, true, activation.gated());
            final float[] x = TestTensors.values(random, 1.0, ROWS * D_MODEL);

            // The reference: every row computed alone, on the caller's thread.
            final ExpertNetwork alone = ExpertNetwork.load(w, activation, new VectorBackend(ComputePool.callerOnly()), format);
            final float[] expected = new float[ROWS * D_MODEL];
            for (int r = 0; r < ROWS; r++)
            {
                alone.forward(x, r * D_MODEL, 1, expected, r * D_MODEL);
            }

            final List<ComputeBackend> backends = List.of(
                new VectorBackend(ComputePool.callerOnly()),
                new VectorBackend(POOL_2),
                new VectorBackend(POOL_4),
                new VectorBackend(POOL_4, 16, 5),
                new VectorBackend(POOL_2, 7, 64));
            for (final ComputeBackend backend : backends)
            {
                final ExpertNetwork network = ExpertNetwork.load(w, activation, backend, format);
                final String what = activation + " " + format + " on " + backend.name() + " " + backends.indexOf(backend);
                final float[] whole = new float[ROWS * D_MODEL];
                network.forward(x, 0, ROWS, whole, 0);
                assertBitIdentical(expected, whole, D_MODEL, what + ", one block of " + ROWS);
                for (final int size : new int[] {2, 5, 6, 7, 13, 64, 255})
                {
                    final float[] blocks = new float[ROWS * D_MODEL];
                    // Blocks start at a varying offset, so each row sits at another position than before.
                    final int shift = random.nextInt(size);
                    network.forward(x, 0, shift, blocks, 0);
                    for (int r0 = shift; r0 < ROWS; r0 += size)
                    {
                        final int rows = Math.min(size, ROWS - r0);
                        network.forward(x, r0 * D_MODEL, rows, blocks, r0 * D_MODEL);
                    }
                    assertBitIdentical(expected, blocks, D_MODEL, what + ", blocks of " + size + " from " + shift);
                }
                // A row in a block of other rows copied from elsewhere: the neighbours must not matter.
                final float[] mixed = new float[9 * D_MODEL];
                final float[] mixedOut = new float[9 * D_MODEL];
                for (int i = 0; i < 9; i++)
                {
                    System.arraycopy(x, random.nextInt(ROWS) * D_MODEL, mixed, i * D_MODEL, D_MODEL);
                }
                System.arraycopy(x, 17 * D_MODEL, mixed, 4 * D_MODEL, D_MODEL);
                network.forward(mixed, 0, 9, mixedOut, 0);
                final float[] row17 = new float[D_MODEL];
                System.arraycopy(mixedOut, 4 * D_MODEL, row17, 0, D_MODEL);
                assertBitIdentical(copyRow(expected, 17, D_MODEL), row17, D_MODEL, what + ", row 17 among others");
            }
            concurrentCallersGetTheSameBits(w, activation, format, x, expected);
        }
    }

    /** Several threads share one network and one pool, each with its own block size. */
    private static void concurrentCallersGetTheSameBits(
        final ExpertWeights w, final Activation activation, final WeightFormat format, final float[] x, final float[] expected)
        throws InterruptedException
    {
        final ExpertNetwork shared = ExpertNetwork.load(w, activation, new VectorBackend(POOL_2), format);
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (final int size : new int[] {1, 3, 32, ROWS})
        {
            final Thread t = new Thread(() ->
            {
                try
                {
                    start.await();
                    for (int pass = 0; pass < 3; pass++)
                    {
                        final float[] out = new float[ROWS * D_MODEL];
                        for (int r0 = 0; r0 < ROWS; r0 += size)
                        {
                            shared.forward(x, r0 * D_MODEL, Math.min(size, ROWS - r0), out, r0 * D_MODEL);
                        }
                        assertBitIdentical(expected, out, D_MODEL, activation + " " + format + " concurrent, blocks of " + size);
                    }
                }
                catch (final Throwable e)
                {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(t);
            t.start();
        }
        start.countDown();
        for (final Thread t : threads)
        {
            Threads.joinOrFail(t, Duration.ofSeconds(120));
        }
        if (failure.get() != null)
        {
            throw new AssertionError(failure.get());
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void theScalarReferenceIsRowIndependentToo(final Activation activation)
    {
        final SplittableRandom random = new SplittableRandom(7);
        final ExpertWeights w = ExpertNetworkTest.weights(random, 12, 20, true, activation.gated());
        final ExpertNetwork network = ExpertNetwork.load(w, activation, ComputeBackends.scalar(), WeightFormat.F32);
        final float[] x = TestTensors.values(random, 1.0, 10 * 12);
        final float[] whole = new float[10 * 12];
        network.forward(x, 0, 10, whole, 0);
        for (int r = 0; r < 10; r++)
        {
            final float[] one = new float[12];
            network.forward(x, r * 12, 1, one, 0);
            assertBitIdentical(copyRow(whole, r, 12), one, 12, "scalar row " + r);
        }
    }

    private static float[] copyRow(final float[] rows, final int r, final int width)
    {
        final float[] row = new float[width];
        System.arraycopy(rows, r * width, row, 0, width);
        return row;
    }

    private static void assertBitIdentical(final float[] expected, final float[] actual, final int width, final String what)
    {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++)
        {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i]))
            {
                fail(what + ": row " + i / width + " column " + i % width + " is " + actual[i] + ", alone it is " + expected[i]);
            }
        }
    }
}
