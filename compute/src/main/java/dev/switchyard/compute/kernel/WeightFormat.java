package dev.switchyard.compute.kernel;

import java.util.List;
import java.util.Locale;

import dev.switchyard.wire.BadInputException;

/** How packed weights are stored; products always accumulate in float32. */
public enum WeightFormat
{
    /** float32, as in the model file. */
    F32,
    /** bfloat16, rounded once at load (round to nearest even): half the bytes per weight. */
    BF16,
    /**
     * float8 e4m3 with block scales, an fp8 checkpoint's own bytes: a quarter of float32's per weight, each
     * widened and multiplied by its scale in the product, exactly the float32 weight it dequantizes to. Only
     * for such checkpoints ({@link ComputeBackend#packBlockScaled}); never a conversion.
     */
    FP8;

    /** The formats float32 weights can be packed in (fp8 only keeps an fp8 checkpoint's bytes). */
    public static final List<WeightFormat> FROM_FLOAT32 = List.of(F32, BF16);

    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static WeightFormat fromConfigName(final String name)
    {
        for (final WeightFormat f : values())
        {
            if (f != FP8 && f.configName().equalsIgnoreCase(name))
            {
                return f;
            }
        }
        throw new BadInputException("weight format must be f32 or bf16 (got '" + name + "')");
    }
}
