package dev.switchyard.model.io;

import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/** Bytes in memory read as a channel, so that one reader checks files and request bodies alike. */
final class ByteArrayChannel implements SeekableByteChannel
{
    private final byte[] bytes;
    private int position;
    private boolean open = true;

    ByteArrayChannel(final byte[] bytes)
    {
        this.bytes = bytes;
    }

    @Override
    public int read(final ByteBuffer dst)
    {
        if (position >= bytes.length)
        {
            return -1;
        }
        final int n = Math.min(dst.remaining(), bytes.length - position);
        dst.put(bytes, position, n);
        position += n;
        return n;
    }

    @Override
    public int write(final ByteBuffer src)
    {
        throw new NonWritableChannelException();
    }

    @Override
    public long position()
    {
        return position;
    }

    @Override
    public SeekableByteChannel position(final long newPosition)
    {
        position = (int)Math.min(Math.max(0, newPosition), bytes.length);
        return this;
    }

    @Override
    public long size()
    {
        return bytes.length;
    }

    @Override
    public SeekableByteChannel truncate(final long size)
    {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen()
    {
        return open;
    }

    @Override
    public void close()
    {
        open = false;
    }
}
