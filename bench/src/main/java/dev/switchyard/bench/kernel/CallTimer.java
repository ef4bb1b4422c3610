package dev.switchyard.bench.kernel;

import java.util.Arrays;

/** Seconds per call, robust to a busy machine: the median of five runs of at least 20 ms each. */
final class CallTimer
{
    private static final long RUN_NANOS = 20_000_000L;

    private CallTimer()
    {
    }

    static double secondsPerCall(final Runnable call)
    {
        final double[] runs = new double[5];
        for (int i = 0; i < runs.length; i++)
        {
            final long start = System.nanoTime();
            int calls = 0;
            do
            {
                call.run();
                calls++;
            }
            while (System.nanoTime() - start < RUN_NANOS);
            runs[i] = (System.nanoTime() - start) / 1e9 / calls;
        }
        Arrays.sort(runs);
        return runs[2];
    }
}
