package dev.switchyard.node.record;

import java.util.zip.CRC32C;

import io.aeron.archive.checksum.Checksum;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * CRC-32C of recorded frames, for the archive (which writes it into each frame) and the reader
 * (which checks it). Aeron's own needs java.util.zip opened to reflection; this one copies through a
 * small array instead. One instance per thread.
 */
public final class Crc32c implements Checksum
{
    private final CRC32C crc = new CRC32C();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final byte[] scratch = new byte[8192];

    @Override
    public int compute(final long address, final int offset, final int length)
    {
        crc.reset();
        view.wrap(address + offset, length);
        for (int at = 0; at < length; at += scratch.length)
        {
            final int n = Math.min(scratch.length, length - at);
            view.getBytes(at, scratch, 0, n);
            crc.update(scratch, 0, n);
        }
        return (int)crc.getValue();
    }
}
