package dev.switchyard.router.config;

import java.util.Locale;

/** The expert network's activation between its two products. */
public enum Activation
{
    RELU;

    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Activation fromConfigName(final String name)
    {
        for (final Activation a : values())
        {
            if (a.configName().equals(name))
            {
                return a;
            }
        }
        final StringBuilder names = new StringBuilder();
        for (final Activation a : values())
        {
            names.append(names.isEmpty() ? "" : ", ").append(a.configName());
        }
        throw new IllegalArgumentException("must be one of " + names + " (got '" + name + "')");
    }
}
