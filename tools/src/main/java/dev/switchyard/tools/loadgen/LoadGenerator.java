package dev.switchyard.tools.loadgen;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

import dev.switchyard.tools.replay.ScheduledRequest;
import dev.switchyard.wire.BadInputException;

/**
 * Synthetic traffic, reproducible from its seed: arrival times, request sizes and tokens come from
 * three independent streams split from the seed, so the same flags give the same requests, in the
 * same order, at the same offsets. Tokens are cut from a {@link TokenPool} (skewed towards hot
 * experts through the model's router when asked), so generating a request costs one copy.
 */
public final class LoadGenerator implements Iterable<ScheduledRequest>
{
    private final Arrivals arrivals;
    private final long durationNs;
    private final int minRows;
    private final int maxRows;
    private final int d;
    private final boolean keepApart;
    private final long seed;
    private final float[] router;
    private final int experts;
    private final double skew;

    /**
     * @param router [E, d] the model's router weights for skewed tokens, or null for plain N(0, 1) tokens
     */
    public LoadGenerator(
        final Arrivals arrivals, final long durationNs, final int minRows, final int maxRows, final int d,
        final boolean keepApart, final long seed, final float[] router, final int experts, final double skew)
    {
        if (minRows < 1 || maxRows < minRows)
        {
            throw new BadInputException("--tokens-per-request must be N or MIN:MAX with 1 <= MIN <= MAX (got " +
                minRows + ":" + maxRows + ")");
        }
        if (durationNs <= 0)
        {
            throw new BadInputException("--duration must be positive");
        }
        if (skew < 0 || Double.isNaN(skew) || Double.isInfinite(skew))
        {
            throw new BadInputException("--skew must be 0 or more (got " + skew + ")");
        }
        this.arrivals = arrivals;
        this.durationNs = durationNs;
        this.minRows = minRows;
        this.maxRows = maxRows;
        this.d = d;
        this.keepApart = keepApart;
        this.seed = seed;
        this.router = router;
        this.experts = experts;
        this.skew = skew;
    }

    @Override
    public Iterator<ScheduledRequest> iterator()
    {
        final SplittableRandom root = new SplittableRandom(seed);
        final SplittableRandom timing = root.split();
        final SplittableRandom sizes = root.split();
        final SplittableRandom content = root.split();
        final TokenPool pool = new TokenPool(d, router, experts, skew, root.split());
        return new Iterator<>()
        {
            private long index;
            private long offset = arrivals.kind().equals("constant") ? 0 : arrivals.nextGapNs(timing);

            @Override
            public boolean hasNext()
            {
                return offset < durationNs;
            }

            @Override
            public ScheduledRequest next()
            {
                if (!hasNext())
                {
                    throw new NoSuchElementException();
                }
                final int rows = minRows == maxRows ? minRows : minRows + sizes.nextInt(maxRows - minRows + 1);
                final float[] tokens = new float[rows * d];  // [rows, d]
                pool.fill(tokens, rows, content);
                final ScheduledRequest r =
                    new ScheduledRequest(index++, offset, 0, keepApart, false, 0, rows, tokens, null, null);
                offset += arrivals.nextGapNs(timing);
                return r;
            }
        };
    }
}
