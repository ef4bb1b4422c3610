package dev.switchyard.tools.lmload;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import dev.switchyard.tools.loadgen.Arrivals;
import dev.switchyard.wire.BadInputException;

/**
 * The requests of a run, in time order: drawn (arrivals at a rate, lengths from {@link LengthSpec}s, each from its
 * own stream split from the seed, so changing one flag leaves the others' draws alone) or replayed from a
 * {@link Trace}. Lengths beyond {@code --max-prompt} or the model's context are clipped here and counted.
 *
 * @param requests       by offset
 * @param description    what it is, for the report's title
 * @param clippedPrompts prompts cut to --max-prompt or to fit the context
 * @param clippedOutputs outputs cut so that prompt + output fit the context
 * @param zeroOutput     trace rows skipped for having no output (0 when drawn)
 */
public record Workload(List<LmRequest> requests, String description, long clippedPrompts, long clippedOutputs,
    long zeroOutput)
{
    /**
     * Where lengths are cut.
     *
     * @param maxPrompt prompt tokens at most, 0 for no limit
     * @param context   prompt + output tokens at most (the model's context), 0 for no limit
     */
    public record Limits(int maxPrompt, int context)
    {
        public Limits
        {
            if (maxPrompt < 0 || context < 0 || context == 1)
            {
                throw new BadInputException("--max-prompt must be at least 1 and the context at least 2 (got " +
                    maxPrompt + ", " + context + ")");
            }
        }
    }

    public static Workload drawn(final Arrivals arrivals, final long durationNs, final LengthSpec prompt,
        final LengthSpec output, final long seed, final Limits limits)
    {
        final SplittableRandom root = new SplittableRandom(seed);
        final SplittableRandom gaps = root.split();
        final SplittableRandom prompts = root.split();
        final SplittableRandom outputs = root.split();
        final Clipper clip = new Clipper(limits);
        final List<LmRequest> out = new ArrayList<>();
        for (long t = 0; t < durationNs; t += arrivals.nextGapNs(gaps))
        {
            out.add(clip.request(out.size(), t, prompt.draw(prompts), output.draw(outputs)));
        }
        return new Workload(out, String.format(Locale.ROOT, "%s at %.2f requests/s for %.1f s, prompts %s, " +
            "outputs %s tokens, seed %d", arrivals.describe(), arrivals.rate(), durationNs / 1e9, prompt.describe(),
            output.describe(), seed), clip.prompts, clip.outputs, 0);
    }

    /** @param durationNs requests past this offset (after --speed) are left out; Long.MAX_VALUE: none */
    public static Workload replayed(final Trace trace, final double speed, final long durationNs, final Limits limits)
    {
        if (!(speed > 0) || Double.isInfinite(speed))
        {
            throw new BadInputException("--speed must be a positive number (got " + speed + ")");
        }
        final Clipper clip = new Clipper(limits);
        final List<LmRequest> out = new ArrayList<>();
        for (final TraceEntry e : trace.entries())
        {
            final long offset = Math.round(e.timeNs() / speed);
            if (offset >= durationNs)
            {
                break;
            }
            out.add(clip.request(out.size(), offset, e.input(), e.output()));
        }
        return new Workload(out, String.format(Locale.ROOT, "%s trace %s at speed %s (%d of its %d requests)",
            trace.format().name().toLowerCase(Locale.ROOT), trace.file().getFileName(), speed, out.size(),
            trace.entries().size()), clip.prompts, clip.outputs, trace.zeroOutput());
    }

    /** Cuts lengths to the limits and counts what it cut; a prompt of 0 tokens (traces have some) becomes 1. */
    private static final class Clipper
    {
        private final Limits limits;
        private long prompts;
        private long outputs;

        Clipper(final Limits limits)
        {
            this.limits = limits;
        }

        LmRequest request(final int index, final long offsetNs, final int prompt, final int output)
        {
            int p = Math.max(1, prompt);
            int o = output;
            int maxPrompt = limits.maxPrompt() == 0 ? Integer.MAX_VALUE : limits.maxPrompt();
            if (limits.context() > 0)
            {
                maxPrompt = Math.min(maxPrompt, limits.context() - 1);
            }
            if (p > maxPrompt)
            {
                p = maxPrompt;
                prompts++;
            }
            if (limits.context() > 0 && (long)p + o > limits.context())
            {
                o = limits.context() - p;
                outputs++;
            }
            return new LmRequest(index, offsetNs, p, o);
        }
    }
}
