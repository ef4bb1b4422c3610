package dev.switchyard.dataplane;

import java.io.File;
import java.util.regex.Pattern;

import io.aeron.CommonContext;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reclaims the directories that embedded media drivers of killed processes left behind. Every
 * embedded driver gets a directory of its own ({@code aeron-USER-<random>} beside Aeron's default);
 * a clean exit deletes it, a killed process cannot. One whose CnC file shows no driver heartbeat for
 * {@link #DEAD_AFTER_MS} belongs to a driver that is gone: nothing can use it again.
 */
public final class AeronDirs
{
    private static final Logger LOG = LoggerFactory.getLogger(AeronDirs.class);
    /** A live driver beats every few milliseconds; this is far beyond any pause. */
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

    /** Whether {@code dir} holds the CnC file of a driver that has stopped beating. */
    static boolean dead(final File dir)
    {
        final File cnc = new File(dir, "cnc.dat");
        if (!cnc.isFile() || cnc.length() == 0)
        {
            return false;  // being created, or not a driver's: never guess
        }
        try
        {
            return !CommonContext.isDriverActive(dir, DEAD_AFTER_MS, ignored -> { });
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }
}
