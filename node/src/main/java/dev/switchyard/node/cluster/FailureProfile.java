package dev.switchyard.node.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.wire.BadInputException;

/**
 * How fast the cluster decides that a silent node is dead ({@code switchyard.cluster.failure-profile}):
 * {@code production} keeps Pekko's documented margins (switchyard-pekko.conf), {@code local} trades
 * them for recovery in seconds on one host (switchyard-pekko-local.conf, which documents the cost).
 */
public final class FailureProfile
{
    public static final String KEY = "switchyard.cluster.failure-profile";

    private FailureProfile()
    {
    }

    /** The Pekko settings the profile named in {@code config} adds, to apply under the user's own. */
    public static Config pekkoSettings(final Config config)
    {
        final String profile;
        try
        {
            profile = config.hasPath(KEY) ? config.getString(KEY) : "production";
        }
        catch (final ConfigException ex)
        {
            throw new BadInputException("configuration: " + ex.getMessage().replace('\n', ' '));
        }
        return switch (profile)
        {
            case "production" -> ConfigFactory.empty();
            case "local" -> ConfigFactory.parseResources(FailureProfile.class.getClassLoader(),
                "switchyard-pekko-local.conf");
            default -> throw new BadInputException(KEY + " must be local or production (got '" + profile + "')");
        };
    }
}
