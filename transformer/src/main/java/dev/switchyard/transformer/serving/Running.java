package dev.switchyard.transformer.serving;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.switchyard.transformer.decode.Choice;
import dev.switchyard.transformer.decoder.DecoderCache;
import dev.switchyard.transformer.decoder.GenerateOptions;

/**
 * One admitted sequence on the engine's thread: its cache, the id chosen last (fed at the next step) and how
 * many ids it has produced. Ids are chosen as {@code CheckpointGenerator} chooses row 0's, so a request gives
 * the ids {@code generate} gives for it alone.
 */
final class Running
{
    final SequenceRequest request;
    final SequenceListener listener;
    final SequenceHandle handle;
    final long submittedNanos;
    DecoderCache cache;
    int pending;
    int produced;
    End.Reason ended;

    Running(final SequenceRequest request, final SequenceListener listener, final SequenceHandle handle)
    {
        this.request = request;
        this.listener = listener;
        this.handle = handle;
        this.submittedNanos = System.nanoTime();
    }

    /** Key/value positions the sequence needs: the last new id is chosen but never fed back. */
    int capacity()
    {
        return request.prompt().length + request.options().maxNewTokens() - 1;
    }

    /**
     * Chooses the next id from logits [V] at offset, tells the listener, and says whether the sequence has ended
     * (EOS or its most new ids; {@link #ended} then says which).
     */
    boolean choose(final float[] logits, final int offset, final int vocab, final int[] eos)
    {
        final GenerateOptions o = request.options();
        final int position = request.prompt().length + produced;
        // Row 0 always: a request's noise depends on its seed and its positions, never on its place in a batch.
        final int id = o.temperature() > 0
            ? Choice.sample(logits, offset, vocab, o.temperature(), o.seed(), 0, position)
            : Choice.argmax(logits, offset, vocab);
        final double logprob = Choice.logProb(logits, offset, vocab, id);
        final float[] kept = request.keepLogits() ? Arrays.copyOfRange(logits, offset, offset + vocab) : null;
        listener.token(new Token(id, produced, logprob, top(logits, offset, vocab, request.topLogprobs()), kept));
        produced++;
        pending = id;
        if (contains(eos, id))
        {
            ended = End.Reason.EOS;
        }
        else if (produced == o.maxNewTokens())
        {
            ended = End.Reason.LENGTH;
        }
        return ended != null;
    }

    End end(final End.Reason reason, final String error)
    {
        return new End(reason, request.prompt().length, produced, error);
    }

    /** The n most likely ids, most likely first, lowest id on ties. */
    private static List<Token.Alternative> top(final float[] logits, final int offset, final int vocab, final int n)
    {
        if (n == 0)
        {
            return List.of();
        }
        final double lse = Choice.logSumExp(logits, offset, vocab);
        final boolean[] taken = new boolean[vocab];
        final List<Token.Alternative> out = new ArrayList<>();
        for (int k = 0; k < Math.min(n, vocab); k++)
        {
            int best = -1;
            for (int id = 0; id < vocab; id++)
            {
                if (!taken[id] && (best < 0 || logits[offset + id] > logits[offset + best]))
                {
                    best = id;
                }
            }
            taken[best] = true;
            out.add(new Token.Alternative(best, logits[offset + best] - lse));
        }
        return out;
    }

    private static boolean contains(final int[] ids, final int id)
    {
        for (final int e : ids)
        {
            if (e == id)
            {
                return true;
            }
        }
        return false;
    }
}
