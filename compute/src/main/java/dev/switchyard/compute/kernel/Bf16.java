package dev.switchyard.compute.kernel;

/** bfloat16: the upper 16 bits of a float32. Converting back to float32 is exact. */
public final class Bf16
{
    private Bf16()
    {
    }

    /** Rounds to the nearest bfloat16, ties to even; NaN stays NaN, infinities stay infinite. */
    public static short fromFloat(final float value)
    {
        final int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000)
        {
            return (short)((bits >>> 16) | 0x0040);
        }
        final int lsb = (bits >>> 16) & 1;
        return (short)((bits + 0x7fff + lsb) >>> 16);
    }

    public static float toFloat(final short bf16)
    {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }

    /** The float32 value a weight has once stored as bfloat16. */
    public static float round(final float value)
    {
        return toFloat(fromFloat(value));
    }
}
