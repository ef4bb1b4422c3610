package dev.switchyard.wire.frame;

import java.nio.ByteOrder;

import dev.switchyard.testkit.Tokens;
import dev.switchyard.wire.sbe.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the frame tests share: values a copy could change without a float comparison noticing, a
 * check bit for bit, and frames cut short in a buffer that ends where the frame does, so that a
 * reader looking one byte too far fails the test with the buffer's bounds check.
 */
final class FrameBytes
{
    /**
     * Float bit patterns a lossy copy would change: both zeros, quiet and signalling NaNs with
     * payloads, subnormals, both infinities and the largest finite values.
     */
    static final int[] SPECIAL_BITS = {0x0000_0000, 0x8000_0000, 0x7FC0_0000, 0x7FC1_2345, 0xFFC0_0001,
        0x7F80_0001, 0xFF80_0001, 0x0000_0001, 0x8000_0001, 0x007F_FFFF, 0x7F80_0000, 0xFF80_0000, 0x7F7F_FFFF,
        0xFF7F_FFFF};

    /** Where the header's fields sit: every frame starts with it. */
    static final int BLOCK_LENGTH_AT = MessageHeaderEncoder.blockLengthEncodingOffset();
    static final int TEMPLATE_ID_AT = MessageHeaderEncoder.templateIdEncodingOffset();
    static final int SCHEMA_ID_AT = MessageHeaderEncoder.schemaIdEncodingOffset();
    static final int VERSION_AT = MessageHeaderEncoder.versionEncodingOffset();

    private FrameBytes()
    {
    }

    /** {@code count} seeded values, the first of them {@link #SPECIAL_BITS}. */
    static float[] floats(final int count, final long seed)
    {
        final float[] x = Tokens.gaussian(1, count, seed);
        for (int i = 0; i < Math.min(count, SPECIAL_BITS.length); i++)
        {
            x[i] = Float.intBitsToFloat(SPECIAL_BITS[i]);
        }
        return x;
    }

    static void assertSameBits(
        final float[] expected, final int expectedOffset, final float[] actual, final int actualOffset,
        final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final int at = i;
            assertEquals(Float.floatToRawIntBits(expected[expectedOffset + i]),
                Float.floatToRawIntBits(actual[actualOffset + i]), () -> "value " + at);
        }
    }

    /** The first {@code length} bytes of a frame written at index 0 of {@code frame}, in a buffer of that capacity. */
    static UnsafeBuffer cut(final UnsafeBuffer frame, final int length)
    {
        return new UnsafeBuffer(frame.byteArray(), 0, length);
    }

    static void putShort(final UnsafeBuffer buffer, final int index, final int value)
    {
        buffer.putShort(index, (short)value, ByteOrder.LITTLE_ENDIAN);
    }

    static void putInt(final UnsafeBuffer buffer, final int index, final int value)
    {
        buffer.putInt(index, value, ByteOrder.LITTLE_ENDIAN);
    }
}
