package dev.switchyard.tools.lmload;

import java.util.SplittableRandom;

import dev.switchyard.tools.loadgen.Arrivals;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drawn and traced workloads: lengths, times, clipping, and the length syntax. */
class WorkloadTest
{
    @Test
    void drawnTrafficIsReproducibleAndWithinItsLengths()
    {
        final Workload w = Workload.drawn(new Arrivals("constant", 5, 1), 20_000_000_000L,
            LengthSpec.parse("--prompt-tokens", "uniform:4:32"), LengthSpec.parse("--output-tokens", "8"), 3,
            new Workload.Limits(0, 0));
        assertEquals(100, w.requests().size());
        assertEquals(19_800_000_000L, w.requests().get(99).offsetNs());
        assertTrue(w.requests().stream().allMatch(r -> r.prompt() >= 4 && r.prompt() <= 32 && r.output() == 8));
        assertEquals(w, Workload.drawn(new Arrivals("constant", 5, 1), 20_000_000_000L,
            LengthSpec.parse("--prompt-tokens", "uniform:4:32"), LengthSpec.parse("--output-tokens", "8"), 3,
            new Workload.Limits(0, 0)));
    }

    @Test
    void lognormalLengthsHaveTheirMean()
    {
        final LengthSpec spec = LengthSpec.parse("--output-tokens", "lognormal:200:1");
        final SplittableRandom random = new SplittableRandom(7);
        double sum = 0;
        for (int i = 0; i < 200_000; i++)
        {
            sum += spec.draw(random);
        }
        assertEquals(200, sum / 200_000, 4);
    }

    @Test
    void traceLengthsAreClippedToMaxPromptAndContextAndCounted()
    {
        final Trace trace = TraceFile.read(TraceFileTest.traces().resolve("mooncake.jsonl"), TraceFormat.MOONCAKE);
        final Workload w = Workload.replayed(trace, 2, Long.MAX_VALUE, new Workload.Limits(4096, 4120));
        assertEquals(new LmRequest(0, 0, 4096, 24), w.requests().get(0));
        assertEquals(new LmRequest(2, 13_741_000_000L, 4096, 24), w.requests().get(2));
        assertEquals(new LmRequest(4, 19_500_000_000L, 10, 4), w.requests().get(4));
        assertEquals(4, w.clippedPrompts());
        assertEquals(4, w.clippedOutputs());
        assertEquals(3, Workload.replayed(trace, 1, 30_000_000_000L, new Workload.Limits(0, 0)).requests().size());
    }

    @Test
    void badLengthsAreRefusedNamingTheFlag()
    {
        for (final String bad : new String[] {"0", "uniform:5:2", "normal:3:4", "lognormal:10", "x"})
        {
            final String message = assertThrows(BadInputException.class,
                () -> LengthSpec.parse("--prompt-tokens", bad)).getMessage();
            assertTrue(message.startsWith("--prompt-tokens"), message);
        }
    }
}
