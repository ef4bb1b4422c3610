package dev.switchyard.wire.frame;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * Bulk copies of float32/int32 little-endian rows between Java arrays and Agrona buffers. On a
 * little-endian host these are single memory copies (no per-element bounds checks, no garbage);
 * elsewhere they fall back to element loops with explicit byte order.
 */
public final class FloatRows
{
    private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final long FLOAT_BASE = UnsafeApi.arrayBaseOffset(float[].class);
    private static final long INT_BASE = UnsafeApi.arrayBaseOffset(int[].class);

    private FloatRows()
    {
    }

    public static void read(
        final DirectBuffer src, final int index, final float[] dst, final int dstOffset, final int count)
    {
        checkBounds(src.capacity(), index, count, dst.length, dstOffset);
        if (NATIVE_LE)
        {
            UnsafeApi.copyMemory(
                src.byteArray(), src.addressOffset() + index, dst, FLOAT_BASE + (long)dstOffset * Float.BYTES,
                (long)count * Float.BYTES);
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                dst[dstOffset + i] = src.getFloat(index + i * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    public static void write(
        final MutableDirectBuffer dst, final int index, final float[] src, final int srcOffset, final int count)
    {
        checkBounds(dst.capacity(), index, count, src.length, srcOffset);
        if (NATIVE_LE)
        {
            UnsafeApi.copyMemory(
                src, FLOAT_BASE + (long)srcOffset * Float.BYTES, dst.byteArray(), dst.addressOffset() + index,
                (long)count * Float.BYTES);
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                dst.putFloat(index + i * Float.BYTES, src[srcOffset + i], ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /**
     * {@code dst[dstOffset + i] += gate * src[index + 4 i]} for {@code count} floats read where they
     * lie (a received frame), so that a weighted sum needs no copy of its rows first. A product then
     * a sum, never fused: the bits of reading the rows into an array first and adding from there.
     */
    public static void accumulate(
        final DirectBuffer src, final int index, final float gate, final float[] dst, final int dstOffset,
        final int count)
    {
        checkBounds(src.capacity(), index, count, dst.length, dstOffset);
        if (NATIVE_LE)
        {
            final byte[] array = src.byteArray();
            final long address = src.addressOffset() + index;
            for (int i = 0; i < count; i++)
            {
                final float product = gate * UnsafeApi.getFloat(array, address + (long)i * Float.BYTES);
                dst[dstOffset + i] += product;
            }
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                final float product = gate * src.getFloat(index + i * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
                dst[dstOffset + i] += product;
            }
        }
    }

    public static void readInts(
        final DirectBuffer src, final int index, final int[] dst, final int dstOffset, final int count)
    {
        checkBounds(src.capacity(), index, count, dst.length, dstOffset);
        if (NATIVE_LE)
        {
            UnsafeApi.copyMemory(
                src.byteArray(), src.addressOffset() + index, dst, INT_BASE + (long)dstOffset * Integer.BYTES,
                (long)count * Integer.BYTES);
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                dst[dstOffset + i] = src.getInt(index + i * Integer.BYTES, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    public static void writeInts(
        final MutableDirectBuffer dst, final int index, final int[] src, final int srcOffset, final int count)
    {
        checkBounds(dst.capacity(), index, count, src.length, srcOffset);
        if (NATIVE_LE)
        {
            UnsafeApi.copyMemory(
                src, INT_BASE + (long)srcOffset * Integer.BYTES, dst.byteArray(), dst.addressOffset() + index,
                (long)count * Integer.BYTES);
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                dst.putInt(index + i * Integer.BYTES, src[srcOffset + i], ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    private static void checkBounds(
        final int bufferCapacity, final int index, final int count, final int arrayLength, final int arrayOffset)
    {
        // Raw memory copies must never run past either side: check once per copy, not per element.
        if (count < 0 || index < 0 || (long)index + (long)count * 4 > bufferCapacity ||
            arrayOffset < 0 || (long)arrayOffset + count > arrayLength)
        {
            throw new IndexOutOfBoundsException(
                "copy of " + count + " values at buffer index " + index + " (capacity " + bufferCapacity +
                ") and array offset " + arrayOffset + " (length " + arrayLength + ")");
        }
    }
}
