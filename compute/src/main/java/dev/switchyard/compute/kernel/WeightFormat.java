package dev.switchyard.compute.kernel;

import java.util.Locale;

import dev.switchyard.wire.BadInputException;

/** How packed weights are stored; products always accumulate in float32. */
public enum WeightFormat
{
    /** float32, as in the model file. */
    F32,
    /** bfloat16, rounded once at load (round to nearest even): half the bytes per weight. */
    BF16;

    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static WeightFormat fromConfigName(final String name)
    {
        for (final WeightFormat f : values())
        {
            if (f.configName().equalsIgnoreCase(name))
            {
                return f;
            }
        }
        throw new BadInputException("weight format must be f32 or bf16 (got '" + name + "')");
    }
}
