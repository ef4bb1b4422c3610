package dev.switchyard.model.config;

import java.util.Locale;

/** When the two gates of a token are renormalised to sum to one. */
public enum Normalize
{
    /** Canonical Mesh TF: right after the top-2 choice, before policy and capacity. */
    BEFORE_CAPACITY,
    /** The older variant: after capacity, so a dropped choice hands its weight to the other. */
    AFTER_CAPACITY;

    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Normalize fromConfigName(final String name)
    {
        for (final Normalize n : values())
        {
            if (n.configName().equals(name))
            {
                return n;
            }
        }
        throw new IllegalArgumentException("must be one of before_capacity, after_capacity (got '" + name + "')");
    }
}
