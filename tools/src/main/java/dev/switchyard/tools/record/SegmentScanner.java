package dev.switchyard.tools.record;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import dev.switchyard.node.record.Crc32c;
import io.aeron.archive.checksum.Checksum;
import org.agrona.BitUtil;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads the Aeron frames of a recording straight from the archive's segment files and joins
 * fragmented messages. Every frame is checked (length, type, stream, term offset, and the CRC-32C
 * the archive wrote into its session id field), so a damaged file stops the scan at the first bad
 * frame and names its position. A recording that never stopped cleanly (the node crashed) ends at
 * its last complete frame.
 */
final class SegmentScanner
{
    /** Receives each whole message and the byte position where it starts. */
    interface MessageHandler
    {
        /** @return a damage that stops the scan, or null to go on */
        Damage onMessage(long position, UnsafeBuffer buffer, int offset, int length);
    }

    private static final int HEADER_LENGTH = 32;
    private static final int TYPE_PAD = 0;
    private static final int TYPE_DATA = 1;
    private static final int BEGIN = 0x80;
    private static final int END = 0x40;

    private final Checksum checksum = new Crc32c();
    private final ExpandableArrayBuffer assembly = new ExpandableArrayBuffer(1 << 16);
    private final UnsafeBuffer assembled = new UnsafeBuffer(0, 0);

    /** @return why the scan stopped early, or null when the recording was read to its end */
    Damage scan(final Path dir, final RecordingInfo info, final MessageHandler handler)
    {
        return new Pass(info, handler).run(dir);
    }

    /** One scan of one recording: where it stands, and the message being joined from fragments. */
    private final class Pass
    {
        private final RecordingInfo info;
        private final MessageHandler handler;
        private final long termMask;
        private final long startTermBase;
        private long position;
        private long messageStart = -1;
        private int assembledLength;
        // Set when the data ends before the recording's stop: the scan ends there, damaged or not.
        private boolean ended;

        Pass(final RecordingInfo info, final MessageHandler handler)
        {
            this.info = info;
            this.handler = handler;
            this.termMask = info.termLength() - 1L;
            this.startTermBase = info.startPosition() - (info.startPosition() & termMask);
            this.position = info.startPosition();
        }

        Damage run(final Path dir)
        {
            while (beforeStop())
            {
                final long base = startTermBase +
                    (position - startTermBase) / info.segmentLength() * info.segmentLength();
                final Path file = RecordingCatalog.segmentFile(dir, info.id(), base);
                if (!Files.isRegularFile(file))
                {
                    return endOfData();
                }
                final MappedByteBuffer mapped = map(file);
                try
                {
                    final Damage damage = scanSegment(new UnsafeBuffer(mapped), base);
                    if (damage != null || ended)
                    {
                        return damage;
                    }
                }
                finally
                {
                    IoUtil.unmap(mapped);
                }
                if (position - base < info.segmentLength() && beforeStop())
                {
                    // The segment file is shorter than the archive made it.
                    return endOfData();
                }
            }
            return null;
        }

        private boolean beforeStop()
        {
            return info.stopPosition() < 0 || position < info.stopPosition();
        }

        /** A recording that stopped cleanly must hold all its data; one that did not ends where its data does. */
        private Damage endOfData()
        {
            ended = true;
            return info.stoppedCleanly() ? truncated(info, position) : null;
        }

        /** Reads the frames of the segment starting at byte {@code base}, up to its end or the stop. */
        private Damage scanSegment(final UnsafeBuffer segment, final long base)
        {
            while (beforeStop() && position - base < segment.capacity())
            {
                final int at = (int)(position - base);
                final int frameLength = segment.capacity() - at < HEADER_LENGTH ? 0 :
                    segment.getInt(at, ByteOrder.LITTLE_ENDIAN);
                final int aligned = BitUtil.align(frameLength, 32);
                if (frameLength == 0 ||
                    (at + aligned > segment.capacity() && segment.capacity() < info.segmentLength()))
                {
                    // The file ends here or inside this frame: cut short, or the node crashed mid-write.
                    return endOfData();
                }
                final int type = segment.getShort(at + 6, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
                final Damage bad = checkFrame(segment, at, frameLength, aligned, type);
                if (bad != null)
                {
                    return bad;
                }
                if (type == TYPE_DATA)
                {
                    final Damage damage = onData(segment, at, frameLength);
                    if (damage != null)
                    {
                        return damage;
                    }
                }
                position += aligned;
            }
            return null;
        }

        /** @return how the frame at {@code at} is damaged (header, place, checksum), or null when sound */
        private Damage checkFrame(
            final UnsafeBuffer segment, final int at, final int frameLength, final int aligned, final int type)
        {
            if (frameLength < HEADER_LENGTH || at + aligned > segment.capacity() ||
                (type != TYPE_DATA && type != TYPE_PAD))
            {
                return corrupted(info, position, "has a bad frame header (length " + frameLength +
                    ", type " + type + ")");
            }
            if (segment.getInt(at + 8, ByteOrder.LITTLE_ENDIAN) != (int)(position & termMask) ||
                segment.getInt(at + 16, ByteOrder.LITTLE_ENDIAN) != info.streamId())
            {
                return corrupted(info, position, "has a frame out of place (term offset or stream differs)");
            }
            // The archive writes only the header of a padding frame, and no checksum for it.
            if (type == TYPE_DATA && checksum.compute(segment.addressOffset(), at + HEADER_LENGTH,
                aligned - HEADER_LENGTH) != segment.getInt(at + 12, ByteOrder.LITTLE_ENDIAN))
            {
                return corrupted(info, position, "fails its checksum");
            }
            return null;
        }

        /** Adds a data frame's payload to the message it belongs to, and hands on the message it ends. */
        private Damage onData(final UnsafeBuffer segment, final int at, final int frameLength)
        {
            final int flags = segment.getByte(at + 5) & 0xFF;
            final int payload = frameLength - HEADER_LENGTH;
            if ((flags & BEGIN) != 0)
            {
                messageStart = position;
                assembledLength = 0;
            }
            if (messageStart < 0)
            {
                return corrupted(info, position, "has a fragment without its beginning");
            }
            assembly.putBytes(assembledLength, segment, at + HEADER_LENGTH, payload);
            assembledLength += payload;
            if ((flags & END) != 0)
            {
                assembled.wrap(assembly, 0, assembledLength);
                final Damage damage = handler.onMessage(messageStart, assembled, 0, assembledLength);
                if (damage != null)
                {
                    return damage;
                }
                messageStart = -1;
            }
            return null;
        }
    }

    private static MappedByteBuffer map(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        catch (final IOException ex)
        {
            throw new dev.switchyard.wire.BadInputException(file + " cannot be read: " + ex.getMessage());
        }
    }

    private static Damage truncated(final RecordingInfo info, final long position)
    {
        return new Damage(info.id(), position, "is truncated (it stopped at byte " + info.stopPosition() +
            ", the files end)");
    }

    private static Damage corrupted(final RecordingInfo info, final long position, final String why)
    {
        return new Damage(info.id(), position, "is corrupted: it " + why + ",");
    }
}
