package dev.switchyard.dataplane;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import io.aeron.CncFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastBufferDescriptor;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which driver directories are gone: one whose driver has not beaten for long is reclaimed only
 * when its process is gone too; a process that stands still keeps its directory.
 */
class AeronDirsTest
{
    private static final int RING = 1024;

    @TempDir
    Path dir;

    @Test
    void aSilentDriverOfALiveProcessIsNotGone() throws IOException
    {
        final File driverDir = cnc("paused", ProcessHandle.current().pid(), System.currentTimeMillis() - 60_000);
        assertFalse(AeronDirs.dead(driverDir), "a driver whose process lives (paused) was taken for dead");
    }

    @Test
    void aSilentDriverOfAGoneProcessIsGone() throws Exception
    {
        final Process child = new ProcessBuilder("true").start();
        assertTrue(child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        final File driverDir = cnc("killed", child.pid(), System.currentTimeMillis() - 60_000);
        assertTrue(AeronDirs.dead(driverDir));
    }

    @Test
    void aBeatingDriverIsNotGone() throws IOException
    {
        final File driverDir = cnc("beating", Long.MAX_VALUE, System.currentTimeMillis());
        assertFalse(AeronDirs.dead(driverDir));
    }

    /** A CnC file as a driver of process {@code pid} writes it, its last heartbeat at {@code heartbeatMs}. */
    private File cnc(final String name, final long pid, final long heartbeatMs) throws IOException
    {
        final File driverDir = dir.resolve(name).toFile();
        assertTrue(driverDir.mkdirs());
        final int toDriver = RING + RingBufferDescriptor.TRAILER_LENGTH;
        final int toClients = RING + BroadcastBufferDescriptor.TRAILER_LENGTH;
        final int length = CncFileDescriptor.computeCncFileLength(
            CncFileDescriptor.META_DATA_LENGTH + toDriver + toClients + RING + RING + RING, 4096);
        final File file = new File(driverDir, CncFileDescriptor.CNC_FILE);
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
        {
            raf.setLength(length);
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, FileChannel.MapMode.READ_WRITE, "CnC");
        try
        {
            final UnsafeBuffer meta = CncFileDescriptor.createMetaDataBuffer(mapped);
            CncFileDescriptor.fillMetaData(meta, toDriver, toClients, RING, RING, 10_000_000_000L, RING,
                heartbeatMs, pid, 4096);
            new ManyToOneRingBuffer(CncFileDescriptor.createToDriverBuffer(mapped, meta))
                .consumerHeartbeatTime(heartbeatMs);
            CncFileDescriptor.signalCncReady(meta);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
        return driverDir;
    }
}
