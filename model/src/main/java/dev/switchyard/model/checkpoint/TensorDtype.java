package dev.switchyard.model.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** The stored element types a checkpoint may use; every one widens exactly to float32. */
public enum TensorDtype
{
    F32(4),
    BF16(2),
    F16(2);

    static final ValueLayout.OfFloat LE_FLOAT =
        ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort LE_SHORT =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final SequencedMap<String, Integer> HEADER_WIDTHS = headerWidthsOf();

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

    /** The dtype a safetensors header names ({@code "F32"}, {@code "BF16"}, {@code "F16"}), or null. */
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
        };
    }
}
