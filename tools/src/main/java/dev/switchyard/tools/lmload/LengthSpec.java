package dev.switchyard.tools.lmload;

import java.util.Locale;
import java.util.SplittableRandom;

import dev.switchyard.wire.BadInputException;

/**
 * How many tokens a synthetic request's prompt or output has: {@code N} (fixed), {@code uniform:A:B} (A to B
 * inclusive) or {@code lognormal:MEAN:SIGMA} (lengths whose mean is MEAN, the log of which has standard deviation
 * SIGMA: the long tail real prompts and answers show), each at least 1.
 */
public record LengthSpec(String kind, double a, double b)
{
    /** @param flag the option the text came from, for the error */
    public static LengthSpec parse(final String flag, final String text)
    {
        final String[] parts = text.trim().split(":", -1);
        try
        {
            if (parts.length == 1)
            {
                return checked(flag, text, new LengthSpec("fixed", Integer.parseInt(parts[0].trim()), 0));
            }
            if (parts.length == 3 && (parts[0].equals("uniform") || parts[0].equals("lognormal")))
            {
                return checked(flag, text, new LengthSpec(parts[0], Double.parseDouble(parts[1].trim()),
                    Double.parseDouble(parts[2].trim())));
            }
        }
        catch (final NumberFormatException ex)
        {
            // the error below names the syntax
        }
        throw new BadInputException(flag + " must be N, uniform:MIN:MAX or lognormal:MEAN:SIGMA (got '" + text + "')");
    }

    private static LengthSpec checked(final String flag, final String text, final LengthSpec spec)
    {
        final boolean ok = switch (spec.kind)
        {
            case "fixed" -> spec.a >= 1;
            case "uniform" -> spec.a >= 1 && spec.b >= spec.a && spec.a == Math.rint(spec.a) &&
                spec.b == Math.rint(spec.b);
            default -> spec.a >= 1 && spec.b >= 0 && spec.b <= 4 && Double.isFinite(spec.a);
        };
        if (!ok)
        {
            throw new BadInputException(flag + " '" + text + "': lengths are whole numbers of at least 1 " +
                "(uniform:MIN:MAX with MIN <= MAX; lognormal:MEAN:SIGMA with MEAN >= 1 and SIGMA in 0..4)");
        }
        return spec;
    }

    /** One length, at least 1. */
    public int draw(final SplittableRandom random)
    {
        return switch (kind)
        {
            case "fixed" -> (int)a;
            case "uniform" -> (int)a + random.nextInt((int)(b - a) + 1);
            default ->
            {
                // E[exp(N(mu, s²))] = exp(mu + s²/2): mu chosen so that the mean is MEAN.
                final double mu = Math.log(a) - b * b / 2;
                final double v = Math.exp(mu + b * random.nextGaussian());
                yield (int)Math.max(1, Math.min(Integer.MAX_VALUE / 2, Math.round(v)));
            }
        };
    }

    public String describe()
    {
        return switch (kind)
        {
            case "fixed" -> Integer.toString((int)a);
            case "uniform" -> String.format(Locale.ROOT, "uniform %d..%d", (int)a, (int)b);
            default -> String.format(Locale.ROOT, "lognormal mean %s sigma %s", a, b);
        };
    }
}
