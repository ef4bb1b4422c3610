package dev.switchyard.model.config;

import java.util.Locale;

/** What happens to second-choice experts (Mesh TF {@code moe_second_policy_*}). */
public enum SecondPolicy
{
    /** Every token keeps its second choice. */
    ALL,
    /** No token has a second choice. */
    NONE,
    /** A second choice is kept where its gate is above the threshold. */
    THRESHOLD,
    /** A second choice is kept with probability min(1, gate / threshold). */
    RANDOM;

    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SecondPolicy fromConfigName(final String name)
    {
        for (final SecondPolicy p : values())
        {
            if (p.configName().equals(name))
            {
                return p;
            }
        }
        throw new IllegalArgumentException("must be one of all, none, threshold, random (got '" + name + "')");
    }
}
