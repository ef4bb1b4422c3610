package dev.switchyard.model.config;

import java.util.Locale;

/** A transformer's shape: decoder only, or encoder and decoder. */
public enum ModelType
{
    DECODER,
    ENCDEC;

    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ModelType fromConfigName(final String name)
    {
        for (final ModelType t : values())
        {
            if (t.configName().equals(name))
            {
                return t;
            }
        }
        throw new IllegalArgumentException("must be one of decoder, encdec (got '" + name + "')");
    }
}
