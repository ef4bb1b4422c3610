package dev.switchyard.node.config;

import java.time.Duration;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;

/** The values a numeric or duration key may take. */
sealed interface Range permits Range.Integers, Range.Fractions, Range.Durations
{
    /** What the value should be, or null when it is in range. */
    String problem(ConfigValue value);

    /** Whole numbers from {@code min} to {@code max}, multiples of {@code step}. */
    record Integers(long min, long max, long step) implements Range
    {
        Integers(final long min, final long max)
        {
            this(min, max, 1);
        }

        @Override
        public String problem(final ConfigValue value)
        {
            final long n;
            try
            {
                n = ConfigFactory.empty().withValue("v", value).getLong("v");
            }
            catch (final ConfigException ex)
            {
                return "a whole number";
            }
            if (n < min || n > max || n % step != 0)
            {
                return "a whole number from " + min + " to " + max + (step > 1 ? ", a multiple of " + step : "");
            }
            return null;
        }
    }

    /** Numbers from {@code min} to {@code max}, both included. */
    record Fractions(double min, double max) implements Range
    {
        @Override
        public String problem(final ConfigValue value)
        {
            final double x;
            try
            {
                x = ConfigFactory.empty().withValue("v", value).getDouble("v");
            }
            catch (final ConfigException ex)
            {
                return "a number";
            }
            if (!(x >= min && x <= max))
            {
                return "a number from " + min + " to " + max;
            }
            return null;
        }
    }

    /** Durations from {@code min} to {@code max}. */
    record Durations(Duration min, Duration max) implements Range
    {
        @Override
        public String problem(final ConfigValue value)
        {
            final Duration d;
            try
            {
                d = ConfigFactory.empty().withValue("v", value).getDuration("v");
            }
            catch (final ConfigException ex)
            {
                return "a duration such as 500ms or 2s";
            }
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0)
            {
                return "a duration from " + min.toMillis() + " ms to " + max.toSeconds() + " s";
            }
            return null;
        }
    }
}
