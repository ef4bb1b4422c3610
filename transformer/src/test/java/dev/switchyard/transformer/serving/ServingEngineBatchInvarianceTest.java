package dev.switchyard.transformer.serving;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.testkit.TestData;
import dev.switchyard.transformer.decode.Choice;
import dev.switchyard.transformer.decoder.CheckpointDecoder;
import dev.switchyard.transformer.decoder.DecoderCache;
import dev.switchyard.transformer.decoder.EosTokens;
import dev.switchyard.transformer.decoder.GenerateOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's promise: under concurrency (8 requests of different prompt lengths arriving while others
 * decode, greedy and seeded sampling), each request's ids and the logits of each of its steps are the bits
 * of that request computed alone, one position at a time over its own cache.
 */
class ServingEngineBatchInvarianceTest
{
    @ParameterizedTest
    @CsvSource({"mixtral, scalar", "mixtral, vector", "qwen2_moe, vector", "olmoe, vector"})
    void eachRequestEqualsItselfAlone(final String name, final String backendName) throws Exception
    {
        final List<SequenceRequest> requests = requests();
        try (Checkpoint checkpoint = Checkpoint.open(TestData.checkpoints().resolve(name));
             ComputePool pool = ComputePool.ofThreads(2, 0))
        {
            // Threshold 0: the vector backend splits even these tiny calls over its threads.
            final ComputeBackend backend = ComputeBackends.byName(backendName, pool);
            final int[] eos = EosTokens.read(checkpoint.dir());
            final List<List<float[]>> aloneLogits = new ArrayList<>();
            final List<int[]> aloneIds = new ArrayList<>();
            final CheckpointDecoder solo = CheckpointDecoder.load(checkpoint, backend, null);
            for (final SequenceRequest r : requests)
            {
                final List<float[]> logits = new ArrayList<>();
                aloneIds.add(alone(solo, r, eos, logits));
                aloneLogits.add(logits);
            }
            final List<Recorder> recorders = new ArrayList<>();
            final CheckpointDecoder batched = CheckpointDecoder.load(checkpoint, backend, null);
            int maxRows = 0;
            final Observed observed = new Observed();
            try (ServingEngine engine = new ServingEngine(batched, eos, new EngineLimits(8, 1000, 8), observed))
            {
                for (int i = 0; i < requests.size(); i++)
                {
                    final Recorder rec = new Recorder();
                    assertInstanceOf(Admission.Accepted.class, engine.submit(requests.get(i), rec));
                    recorders.add(rec);
                    // The next request arrives once this one has produced i % 3 ids: joins happen mid-decode.
                    rec.awaitTokens(i % 3);
                }
                for (int i = 0; i < requests.size(); i++)
                {
                    final End end = recorders.get(i).awaitEnd();
                    assertEquals(aloneIds.get(i).length, end.completionTokens(), "request " + i);
                    assertArrayEquals(aloneIds.get(i), recorders.get(i).ids(), "request " + i + " ids");
                    for (int k = 0; k < aloneIds.get(i).length; k++)
                    {
                        assertArrayEquals(aloneLogits.get(i).get(k), recorders.get(i).tokens.get(k).logits(),
                            "request " + i + ", step " + k + " logits");
                    }
                }
                maxRows = observed.maxRows;
            }
            assertTrue(maxRows >= 3, "the steps never batched 3 sequences (at most " + maxRows + ")");
        }
    }

    /** 8 requests: prompt lengths 1..12, every other one sampled with its own seed. */
    private static List<SequenceRequest> requests()
    {
        final Random random = new Random(7);
        final List<SequenceRequest> out = new ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            final int[] prompt = new int[1 + (i * 5) % 12];
            for (int p = 0; p < prompt.length; p++)
            {
                prompt[p] = random.nextInt(64);
            }
            final GenerateOptions options = i % 2 == 0 ? GenerateOptions.greedy(6 + i)
                : new GenerateOptions(6 + i, 0.9, 1000 + i);
            out.add(new SequenceRequest(prompt, options, 0, true));
        }
        return out;
    }

    /** The request alone: prefill, then one append per id, choosing ids as §8 says for row 0. */
    static int[] alone(final CheckpointDecoder d, final SequenceRequest r, final int[] eos,
        final List<float[]> logitsOut)
    {
        final int v = d.vocab();
        final int n = r.prompt().length;
        final int steps = r.options().maxNewTokens();
        final DecoderCache cache = d.sequence(n + steps);
        float[] logits = new float[n * v];
        d.append(cache, r.prompt(), 0, n, logits);
        logits = Arrays.copyOfRange(logits, (n - 1) * v, n * v);
        final int[] ids = new int[steps];
        for (int k = 0; k < steps; k++)
        {
            logitsOut.add(logits.clone());
            ids[k] = r.options().temperature() > 0
                ? Choice.sample(logits, 0, v, r.options().temperature(), r.options().seed(), 0, n + k)
                : Choice.argmax(logits, 0, v);
            final int id = ids[k];
            if (Arrays.stream(eos).anyMatch(e -> e == id))
            {
                return Arrays.copyOf(ids, k + 1);
            }
            d.append(cache, ids, k, 1, logits);
        }
        return ids;
    }

    /** The widest decode step. */
    private static final class Observed implements EngineObserver
    {
        volatile int maxRows;

        @Override
        public void step(final int rows, final long nanos)
        {
            maxRows = Math.max(maxRows, rows);
        }
    }
}
