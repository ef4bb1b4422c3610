package dev.switchyard.tools.loadgen;

import java.util.Locale;
import java.util.SplittableRandom;

import dev.switchyard.wire.BadInputException;

/**
 * Gaps between arrivals at a mean rate: constant, Poisson (exponential gaps) or gamma, whose
 * burstiness B is the gaps' coefficient of variation (B = 1 is Poisson, above 1 burstier, below
 * smoother).
 */
public record Arrivals(String kind, double rate, double burstiness)
{
    /**
     * The highest mean rate one load generator schedules: one thread sends every request, and each
     * send takes microseconds; past this it would fall behind its own schedule.
     */
    public static final double MAX_RATE = 100_000;

    public Arrivals
    {
        if (!(rate > 0) || Double.isInfinite(rate))
        {
            throw new BadInputException("--rate must be a positive number of requests per second (got " + rate + ")");
        }
        if (rate > MAX_RATE)
        {
            throw new BadInputException(String.format(Locale.ROOT, "--rate %s is refused: one load generator " +
                "schedules at most %.0f requests/s (run several for more)", rate, MAX_RATE));
        }
        if (!kind.equals("constant") && !kind.equals("poisson") && !kind.equals("gamma"))
        {
            throw new BadInputException("--arrivals must be constant, poisson or gamma (got '" + kind + "')");
        }
        if (!(burstiness > 0) || Double.isInfinite(burstiness))
        {
            throw new BadInputException("--burstiness must be a positive number (got " + burstiness + ")");
        }
    }

    /** The next gap, ns. */
    public long nextGapNs(final SplittableRandom random)
    {
        final double mean = 1e9 / rate;
        return switch (kind)
        {
            case "constant" -> Math.round(mean);
            case "poisson" -> Math.round(-Math.log(1.0 - random.nextDouble()) * mean);
            default ->
            {
                final double shape = 1.0 / (burstiness * burstiness);
                yield Math.round(gamma(shape, random) * mean / shape);
            }
        };
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang; shape below 1 through Gamma(shape + 1)·U^(1/shape). */
    static double gamma(final double shape, final SplittableRandom random)
    {
        if (shape < 1)
        {
            return gamma(shape + 1, random) * Math.pow(1.0 - random.nextDouble(), 1.0 / shape);
        }
        final double d = shape - 1.0 / 3;
        final double c = 1.0 / Math.sqrt(9 * d);
        while (true)
        {
            double x;
            double v;
            do
            {
                x = random.nextGaussian();
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            final double u = random.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v)))
            {
                return d * v;
            }
        }
    }

    public String describe()
    {
        return kind.equals("gamma") ? String.format(Locale.ROOT, "gamma arrivals (burstiness %.2f)", burstiness) :
            kind + " arrivals";
    }
}
