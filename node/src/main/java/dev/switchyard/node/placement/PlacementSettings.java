package dev.switchyard.node.placement;

import java.time.Duration;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.switchyard.wire.BadInputException;

/**
 * {@code switchyard.placement}: how experts are placed by the work gateways measure.
 *
 * @param enabled       off: experts are placed by count alone, as without measurements
 * @param window        the work placement sees: rows per second over this window times each row's cost
 * @param publishEvery  how often gateways publish what they measured (and expert nodes their costs)
 * @param maxMoves      expert copies moving or starting at once, at most
 * @param margin        a move is made only if it lowers max/mean of work across nodes by this fraction
 * @param hotShare      an expert doing more than this share of its layer's work gets an extra copy
 * @param coolShare     an extra copy goes once its expert's share stays below this for {@code coolAfter}
 * @param coolAfter     how long a share must stay below {@code coolShare}
 */
public record PlacementSettings(
    boolean enabled, Duration window, Duration publishEvery, int maxMoves, double margin, double hotShare,
    double coolShare, Duration coolAfter)
{
    public static final String PREFIX = "switchyard.placement.";

    public PlacementSettings
    {
        if (coolShare >= hotShare)
        {
            throw new BadInputException(PREFIX + "cool-share must be below " + PREFIX + "hot-share (got " +
                coolShare + " and " + hotShare + ")");
        }
    }

    public static PlacementSettings from(final Config config)
    {
        try
        {
            final Config c = config.getConfig("switchyard.placement");
            return new PlacementSettings(c.getBoolean("enabled"), c.getDuration("window"),
                c.getDuration("publish-interval"), c.getInt("max-concurrent-moves"), c.getDouble("improve-margin"),
                c.getDouble("hot-share"), c.getDouble("cool-share"), c.getDuration("cool-after"));
        }
        catch (final ConfigException ex)
        {
            throw new BadInputException("configuration: " + ex.getMessage().replace('\n', ' '));
        }
    }

    /** A gateway silent this long (ten publish intervals, at least 10 s) no longer counts in the load. */
    public Duration forgetAfter()
    {
        final Duration tenTimes = publishEvery.multipliedBy(10);
        return tenTimes.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : tenTimes;
    }

    /** The window in whole seconds, at least one. */
    public int windowSeconds()
    {
        return (int)Math.max(1, window.toSeconds());
    }
}
