package dev.switchyard.dataplane;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.regex.Pattern;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reclaims the directories that embedded media drivers of killed processes left behind. Every
 * embedded driver gets a directory of its own ({@code aeron-USER-<random>} beside Aeron's default);
 * a clean exit deletes it, a killed process cannot. One whose CnC file shows no driver heartbeat for
 * {@link #DEAD_AFTER_MS} and whose process (its pid, in the CnC file) no longer runs belongs to a
 * driver that is gone: nothing can use it again. A driver that has not beaten because its process
 * stands still (a long pause, SIGSTOP) is not gone: deleting its directory would leave it unable to
 * add a single publication once it resumes.
 */
public final class AeronDirs
{
    private static final Logger LOG = LoggerFactory.getLogger(AeronDirs.class);
    /** A live driver beats every few milliseconds. */
    static final long DEAD_AFTER_MS = 10_000;

    private AeronDirs()
    {
    }

    /**
     * Deletes every embedded driver directory beside Aeron's default whose driver is dead.
     *
     * @return how many were deleted
     */
    public static int reclaimDead()
    {
        final File base = new File(CommonContext.getAeronDirectoryName());
        final File parent = base.getParentFile();
        final File[] candidates = parent == null ? null : parent.listFiles();
        if (candidates == null)
        {
            return 0;
        }
        final Pattern ours = Pattern.compile(Pattern.quote(base.getName()) + "-[0-9a-f-]{36}");
        int reclaimed = 0;
        for (final File dir : candidates)
        {
            if (dir.isDirectory() && ours.matcher(dir.getName()).matches() && dead(dir))
            {
                IoUtil.delete(dir, true);
                reclaimed++;
            }
        }
        if (reclaimed > 0)
        {
            LOG.info("reclaimed {} Aeron directories of media drivers that are gone", reclaimed);
        }
        return reclaimed;
    }

    /** Whether {@code dir} holds the CnC file of a driver that has stopped beating and whose process is gone. */
    static boolean dead(final File dir)
    {
        final File cnc = new File(dir, CncFileDescriptor.CNC_FILE);
        if (!cnc.isFile() || cnc.length() < CncFileDescriptor.META_DATA_LENGTH)
        {
            return false;  // being created, or not a driver's: never guess
        }
        try
        {
            return !CommonContext.isDriverActive(dir, DEAD_AFTER_MS, ignored -> { }) && !processAlive(cnc);
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    /** Whether the process that wrote {@code cnc} runs (or stands still) on this host. */
    private static boolean processAlive(final File cnc)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(cnc, FileChannel.MapMode.READ_ONLY, "CnC");
        try
        {
            final long pid = CncFileDescriptor.pid(CncFileDescriptor.createMetaDataBuffer(mapped));
            return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
