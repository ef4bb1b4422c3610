package dev.switchyard.wire.frame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static dev.switchyard.wire.frame.FrameBytes.assertSameBits;
import static dev.switchyard.wire.frame.FrameBytes.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Rows copied into a buffer and back keep every bit, little-endian, on the heap and off it, and so do
 * rows added from where they lie; a copy that would pass either end of the buffer or the array is
 * refused before a byte moves.
 */
class FloatRowsTest
{
    static final int CAPACITY = 256;

    @Test
    void floatsTravelBitForBitAtAnyPlace()
    {
        for (final UnsafeBuffer buffer : new UnsafeBuffer[] {new UnsafeBuffer(new byte[CAPACITY]),
            new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY))})
        {
            for (final int count : new int[] {0, 1, 2, FrameBytes.SPECIAL_BITS.length, CAPACITY / Float.BYTES - 3})
            {
                final float[] src = floats(count + 5, count);
                FloatRows.write(buffer, 12, src, 5, count);
                for (int i = 0; i < count; i++)
                {
                    final int bits = buffer.getInt(12 + 4 * i, ByteOrder.LITTLE_ENDIAN);
                    assertEquals(Float.floatToRawIntBits(src[5 + i]), bits, "little-endian value " + i);
                }
                final float[] dst = new float[count + 2];
                FloatRows.read(buffer, 12, dst, 2, count);
                assertSameBits(src, 5, dst, 2, count);
            }
        }
    }

    @Test
    void aLargeRunTravels()
    {
        final int count = 1 << 20;
        final float[] src = floats(count, 7);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(count * Float.BYTES));
        FloatRows.write(buffer, 0, src, 0, count);
        final float[] dst = new float[count];
        FloatRows.read(buffer, 0, dst, 0, count);
        assertSameBits(src, 0, dst, 0, count);
    }

    @Test
    void accumulatingWhereTheRowsLieAddsTheBitsOfReadingThemFirst()
    {
        for (final UnsafeBuffer buffer : new UnsafeBuffer[] {new UnsafeBuffer(new byte[CAPACITY]),
            new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY))})
        {
            final int count = CAPACITY / Float.BYTES - 3;
            FloatRows.write(buffer, 12, floats(count, 11), 0, count);
            final float[] start = floats(count + 4, 12);
            for (final float gate : new float[] {0.3f, 1.0f, 0.0f, -2.5e-3f})
            {
                final float[] read = new float[count];
                FloatRows.read(buffer, 12, read, 0, count);
                final float[] expected = start.clone();
                for (int i = 0; i < count; i++)
                {
                    final float product = gate * read[i];
                    expected[4 + i] += product;
                }
                final float[] y = start.clone();
                FloatRows.accumulate(buffer, 12, gate, y, 4, count);
                assertSameBits(expected, 0, y, 0, y.length);
            }
        }
    }

    @Test
    void intsTravelAtAnyPlace()
    {
        final int[] src = new SplittableRandom(3).ints(40).toArray();
        src[0] = Integer.MIN_VALUE;
        src[1] = Integer.MAX_VALUE;
        src[2] = -1;
        for (final UnsafeBuffer buffer : new UnsafeBuffer[] {new UnsafeBuffer(new byte[CAPACITY]),
            new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY))})
        {
            FloatRows.writeInts(buffer, 4, src, 3, 37);
            assertEquals(src[3], buffer.getInt(4, ByteOrder.LITTLE_ENDIAN));
            final int[] dst = new int[38];
            FloatRows.readInts(buffer, 4, dst, 1, 37);
            assertArrayEquals(Arrays.copyOfRange(src, 3, 40), Arrays.copyOfRange(dst, 1, 38));
        }
    }

    @Test
    void copiesPastEitherEndAreRefusedBeforeAByteMoves()
    {
        // {buffer index, count, array offset}, each against a buffer of CAPACITY bytes and arrays of 64 values.
        final int[][] copies = {{-1, 1, 0}, {0, -1, 0}, {0, 1, -1}, {CAPACITY - 3, 1, 0}, {CAPACITY, 1, 0},
            {0, 65, 0}, {0, 64, 1}, {8, 63, 0}, {0, 0x4000_0001, 0}, {0, Integer.MAX_VALUE, 0},
            {Integer.MAX_VALUE, 1, 0}, {0, 1, Integer.MAX_VALUE}, {Integer.MIN_VALUE, 1, 0}, {0, 1, Integer.MIN_VALUE}};
        final byte[] bytes = new byte[CAPACITY];
        Arrays.fill(bytes, (byte)0x5A);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final float[] floats = new float[64];
        Arrays.fill(floats, 1.5f);
        final int[] ints = new int[64];
        Arrays.fill(ints, 7);
        for (final int[] c : copies)
        {
            final String copy = Arrays.toString(c);
            assertThrows(IndexOutOfBoundsException.class, () -> FloatRows.read(buffer, c[0], floats, c[2], c[1]), copy);
            assertThrows(IndexOutOfBoundsException.class, () -> FloatRows.write(buffer, c[0], floats, c[2], c[1]),
                copy);
            assertThrows(IndexOutOfBoundsException.class, () -> FloatRows.readInts(buffer, c[0], ints, c[2], c[1]),
                copy);
            assertThrows(IndexOutOfBoundsException.class, () -> FloatRows.writeInts(buffer, c[0], ints, c[2], c[1]),
                copy);
            assertThrows(IndexOutOfBoundsException.class,
                () -> FloatRows.accumulate(buffer, c[0], 0.5f, floats, c[2], c[1]), copy);
        }
        final byte[] untouched = new byte[CAPACITY];
        Arrays.fill(untouched, (byte)0x5A);
        assertArrayEquals(untouched, bytes);
        for (int i = 0; i < 64; i++)
        {
            assertEquals(1.5f, floats[i]);
            assertEquals(7, ints[i]);
        }
    }

    @Test
    void copiesThatEndExactlyAtEitherEndAreTaken()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[CAPACITY]);
        final float[] src = floats(CAPACITY / Float.BYTES, 9);
        FloatRows.write(buffer, 0, src, 0, src.length);
        FloatRows.write(buffer, CAPACITY, src, src.length, 0);
        final float[] dst = new float[src.length];
        FloatRows.read(buffer, 0, dst, 0, dst.length);
        assertSameBits(src, 0, dst, 0, src.length);
        final float[] last = new float[1];
        FloatRows.read(buffer, CAPACITY - Float.BYTES, last, 0, 1);
        assertSameBits(src, src.length - 1, last, 0, 1);
    }
}
