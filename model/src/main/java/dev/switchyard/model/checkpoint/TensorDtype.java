package dev.switchyard.model.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * The stored element types a checkpoint may use; every one widens exactly to float32. F8_E4M3 is the
 * fp8 of quantized releases: a weight stored so has a grid of block scales beside it ({@link WeightTensor}).
 */
public enum TensorDtype
{
    F32(4),
    BF16(2),
    F16(2),
    F8_E4M3(1);

    static final ValueLayout.OfFloat LE_FLOAT =
        ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort LE_SHORT =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final SequencedMap<String, Integer> HEADER_WIDTHS = headerWidthsOf();
    private static final float[] E4M3 = e4m3Values();

    private final int bytes;

    TensorDtype(final int bytes)
    {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes()
    {
        return bytes;
    }

    /** The dtype a safetensors header names ({@code "F32"}, {@code "BF16"}, {@code "F8_E4M3"}...), or null. */
    public static TensorDtype fromHeader(final String name)
    {
        for (final TensorDtype d : values())
        {
            if (d.name().equals(name))
            {
                return d;
            }
        }
        return null;
    }

    /** Every dtype as a safetensors header names it, in declaration order, with its bytes per element. */
    public static SequencedMap<String, Integer> headerWidths()
    {
        return HEADER_WIDTHS;
    }

    private static SequencedMap<String, Integer> headerWidthsOf()
    {
        final SequencedMap<String, Integer> widths = new LinkedHashMap<>();
        for (final TensorDtype d : values())
        {
            widths.put(d.name(), d.bytes());
        }
        return Collections.unmodifiableSequencedMap(widths);
    }

    /** Element {@code index} of {@code data}, widened exactly to float32. */
    public float widen(final MemorySegment data, final long index)
    {
        return switch (this)
        {
            case F32 -> data.getAtIndex(LE_FLOAT, index);
            // bfloat16 is the upper half of a float32: the shift is exact.
            case BF16 -> Float.intBitsToFloat((data.getAtIndex(LE_SHORT, index) & 0xFFFF) << 16);
            // Every half-precision value, subnormals and NaN payloads included, is a float32 value.
            case F16 -> Float.float16ToFloat(data.getAtIndex(LE_SHORT, index));
            case F8_E4M3 -> E4M3[data.get(ValueLayout.JAVA_BYTE, index) & 0xFF];
        };
    }

    /**
     * The 256 values of float8 e4m3fn (sign, 4 exponent bits biased by 7, 3 mantissa bits; no infinity,
     * S.1111.111 is NaN), each exactly a float32.
     */
    private static float[] e4m3Values()
    {
        final float[] values = new float[256];
        for (int bits = 0; bits < 256; bits++)
        {
            final int exponent = (bits >> 3) & 0xF;
            final int mantissa = bits & 0x7;
            final float magnitude = exponent == 0xF && mantissa == 0x7 ? Float.NaN
                : exponent == 0 ? Math.scalb(mantissa / 8.0f, -6)
                : Math.scalb(1 + mantissa / 8.0f, exponent - 7);
            values[bits] = (bits & 0x80) != 0 ? -magnitude : magnitude;
        }
        return values;
    }
}
