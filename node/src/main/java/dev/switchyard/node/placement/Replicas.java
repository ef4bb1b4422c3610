package dev.switchyard.node.placement;

import java.util.Map;
import java.util.TreeMap;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import dev.switchyard.experts.actor.ExpertId;
import dev.switchyard.wire.BadInputException;

/**
 * How many copies of each expert the cluster hosts: {@code switchyard.experts.replicas} for all,
 * {@code switchyard.experts.replicas-per-expert} ({@code "E" = R}, every layer) for some.
 */
public record Replicas(int all, Map<Integer, Integer> perExpert) implements ExpertCopies
{
    public static final Replicas ONE = new Replicas(1, Map.of());

    public Replicas
    {
        check("switchyard.experts.replicas", all);
        perExpert.forEach((e, r) -> check("switchyard.experts.replicas-per-expert." + e, r));
        perExpert = Map.copyOf(perExpert);
    }

    /** The replicas {@code config} names; a value out of range or not a number is one {@link BadInputException}. */
    public static Replicas from(final Config config)
    {
        try
        {
            return read(config);
        }
        catch (final ConfigException ex)
        {
            throw new BadInputException("configuration: " + ex.getMessage().replace('\n', ' '));
        }
    }

    private static Replicas read(final Config config)
    {
        final int all = config.hasPath("switchyard.experts.replicas") ?
            config.getInt("switchyard.experts.replicas") : 1;
        final Map<Integer, Integer> per = new TreeMap<>();
        if (config.hasPath("switchyard.experts.replicas-per-expert"))
        {
            for (final Map.Entry<String, ConfigValue> entry :
                config.getConfig("switchyard.experts.replicas-per-expert").root().entrySet())
            {
                final String key = entry.getKey();
                final int expert;
                try
                {
                    expert = Integer.parseInt(key);
                }
                catch (final NumberFormatException ex)
                {
                    throw new BadInputException(
                        "switchyard.experts.replicas-per-expert: key must be an expert index, got '" + key + "'");
                }
                final Object value = entry.getValue().unwrapped();
                if (!(value instanceof Number n))
                {
                    throw new BadInputException(
                        "switchyard.experts.replicas-per-expert." + key + " must be a number, got " + value);
                }
                per.put(expert, n.intValue());
            }
        }
        return new Replicas(all, per);
    }

    private static void check(final String key, final int r)
    {
        if (r < 1 || r > ExpertId.MAX_REPLICAS)
        {
            throw new BadInputException(key + " must be 1 to " + ExpertId.MAX_REPLICAS + ", got " + r);
        }
    }

    public int of(final int expert)
    {
        return perExpert.getOrDefault(expert, all);
    }

    @Override
    public int of(final int layer, final int expert)
    {
        return of(expert);
    }
}
