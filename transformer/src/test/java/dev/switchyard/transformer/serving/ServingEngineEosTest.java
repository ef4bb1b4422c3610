package dev.switchyard.transformer.serving;

import java.util.Arrays;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.testkit.TestData;
import dev.switchyard.transformer.decoder.CheckpointDecoder;
import dev.switchyard.transformer.decoder.GenerateOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An EOS id ends a sequence (and is its last id) unless the request ignores EOS, in which case it runs to its
 * length with the ids it would have produced without any EOS.
 */
class ServingEngineEosTest
{
    private static final int[] PROMPT = {5, 17, 3, 42};
    private static final int NEW = 8;

    @Test
    void eosEndsASequenceUnlessItIsIgnored() throws Exception
    {
        try (Checkpoint checkpoint = Checkpoint.open(TestData.checkpoints().resolve("mixtral")))
        {
            final int[] free = run(checkpoint, new int[0], false);
            assertEquals(NEW, free.length);
            // The third id the model picks becomes EOS (its first appearance: an earlier copy would end sooner).
            final int eos = free[2];
            final int stop = indexOf(free, eos);

            final int[] ended = run(checkpoint, new int[] {eos}, false);
            assertArrayEquals(Arrays.copyOf(free, stop + 1), ended, "ids up to and including the EOS id");

            assertArrayEquals(free, run(checkpoint, new int[] {eos}, true), "ignore_eos runs to the length");
        }
    }

    private static int[] run(final Checkpoint checkpoint, final int[] eos, final boolean ignoreEos) throws Exception
    {
        try (ServingEngine engine = new ServingEngine(CheckpointDecoder.load(checkpoint, ComputeBackends.scalar(),
            null), eos, new EngineLimits(2, 1000, 2), EngineObserver.NONE))
        {
            final Recorder r = new Recorder();
            engine.submit(new SequenceRequest(PROMPT, GenerateOptions.greedy(NEW), 0, false, ignoreEos), r);
            final End end = r.awaitEnd();
            final int[] ids = r.ids();
            assertEquals(ids.length, end.completionTokens(), end.toString());
            assertEquals(eos.length > 0 && !ignoreEos ? End.Reason.EOS : End.Reason.LENGTH, end.reason(),
                end.toString());
            return ids;
        }
    }

    private static int indexOf(final int[] ids, final int id)
    {
        int i = 0;
        while (ids[i] != id)
        {
            i++;
        }
        return i;
    }
}
