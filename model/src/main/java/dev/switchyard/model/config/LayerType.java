package dev.switchyard.model.config;

import java.util.Locale;

/** A layer of a transformer stack. */
public enum LayerType
{
    /** Self-attention. */
    ATT,
    /** Encoder-decoder attention (decoder of an encdec model). */
    ENC_ATT,
    /** Blocked local self-attention (decoder stacks). */
    LOCAL_ATT,
    /** Dense ReLU dense, no biases. */
    DRD,
    /** The served MoE layer. */
    MOE;

    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean attention()
    {
        return this == ATT || this == ENC_ATT || this == LOCAL_ATT;
    }

    public static LayerType fromConfigName(final String name)
    {
        for (final LayerType t : values())
        {
            if (t.configName().equals(name))
            {
                return t;
            }
        }
        throw new IllegalArgumentException("must be one of att, enc_att, local_att, drd, moe (got '" + name + "')");
    }
}
