package dev.switchyard.tools.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchyard.client.AnswerStatus;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What an open-loop run measures: latency from each request's intended send time to its answer,
 * how late requests left their schedule, answers by status, and a sample of all of it per second.
 * Answers are recorded from the client's threads, seconds are closed by the progress thread.
 */
public final class RunStats
{
    private static final long HIGHEST_NS = 3_600_000_000_000L;

    private final Recorder latency = new Recorder(HIGHEST_NS, 3);
    private final Histogram totalLatency = new Histogram(HIGHEST_NS, 3);
    private final Recorder lateness = new Recorder(HIGHEST_NS, 3);
    private final Histogram totalLateness = new Histogram(HIGHEST_NS, 3);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong okTokens = new AtomicLong();
    private final long[] statusCounts = new long[AnswerStatus.values().length];
    private final long[] statusAtLastSample = new long[AnswerStatus.values().length];
    private final List<SecondSample> seconds = Collections.synchronizedList(new ArrayList<>());
    private final ExpertLoad expertLoad;
    private final long[] expertRowsLast;
    private final long[] expertDropsLast;
    private long droppedLast = -1;
    private Histogram interval;
    private Histogram lateInterval;
    private long sentLast;
    private long answeredLast;
    private long okTokensLast;
    private long startNs;
    private long endNs;

    /** @param expertLoad the gateway's per-expert counters, or null when they cannot be read */
    public RunStats(final ExpertLoad expertLoad)
    {
        this.expertLoad = expertLoad;
        this.expertRowsLast = expertLoad == null ? null : new long[expertLoad.experts()];
        this.expertDropsLast = expertLoad == null ? null : new long[expertLoad.experts()];
        if (expertLoad != null)
        {
            droppedLast = expertLoad.sample(expertRowsLast, expertDropsLast);
        }
    }

    public void start(final long nowNs)
    {
        startNs = nowNs;
    }

    public void finish(final long nowNs)
    {
        endNs = nowNs;
    }

    /** A request left {@code latenessNs} after its intended time. */
    public void onSent(final long latenessNs)
    {
        sent.incrementAndGet();
        lateness.recordValue(Math.max(0, Math.min(latenessNs, HIGHEST_NS)));
    }

    /** A request's answer came {@code latencyNs} after its intended send time. */
    public void onAnswer(final AnswerStatus status, final int rows, final long latencyNs)
    {
        latency.recordValue(Math.max(0, Math.min(latencyNs, HIGHEST_NS)));
        synchronized (statusCounts)
        {
            statusCounts[status.ordinal()]++;
        }
        if (status == AnswerStatus.OK)
        {
            okTokens.addAndGet(rows);
        }
        answered.incrementAndGet();
    }

    /** Closes the current second (called once a second, and once at the end) and returns it. */
    public synchronized SecondSample sampleSecond(final int second)
    {
        interval = latency.getIntervalHistogram(interval);
        totalLatency.add(interval);
        lateInterval = lateness.getIntervalHistogram(lateInterval);
        totalLateness.add(lateInterval);
        final Map<String, Long> errors = new TreeMap<>();
        synchronized (statusCounts)
        {
            for (final AnswerStatus s : AnswerStatus.values())
            {
                final long n = statusCounts[s.ordinal()] - statusAtLastSample[s.ordinal()];
                if (s != AnswerStatus.OK && n > 0)
                {
                    errors.put(s.name(), n);
                }
                statusAtLastSample[s.ordinal()] = statusCounts[s.ordinal()];
            }
        }
        long[] rows = null;
        long[] drops = null;
        long dropped = -1;
        if (expertLoad != null)
        {
            final long[] now = new long[expertRowsLast.length];
            final long[] dropsNow = new long[expertDropsLast.length];
            final long droppedNow = expertLoad.sample(now, dropsNow);
            if (droppedNow != Long.MIN_VALUE)
            {
                rows = new long[now.length];
                for (int e = 0; e < now.length; e++)
                {
                    rows[e] = now[e] - expertRowsLast[e];
                    expertRowsLast[e] = now[e];
                }
                drops = perSecondDrops(dropsNow);
                dropped = droppedNow < 0 || droppedLast < 0 ? -1 : droppedNow - droppedLast;
                droppedLast = droppedNow;
            }
        }
        final long s = sent.get();
        final long a = answered.get();
        final long t = okTokens.get();
        final SecondSample sample = new SecondSample(second, s - sentLast, a - answeredLast, t - okTokensLast, s - a,
            errors, ms(interval, 50), ms(interval, 90), ms(interval, 99), interval.getTotalCount() == 0 ? 0 :
            interval.getMaxValue() / 1e6, rows, drops, dropped);
        sentLast = s;
        answeredLast = a;
        okTokensLast = t;
        seconds.add(sample);
        return sample;
    }

    private static double ms(final Histogram h, final double percentile)
    {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e6;
    }

    public long sent()
    {
        return sent.get();
    }

    public long answered()
    {
        return answered.get();
    }

    public long okTokens()
    {
        return okTokens.get();
    }

    /** Answers by status, every status that occurred. */
    public Map<String, Long> statuses()
    {
        final Map<String, Long> out = new TreeMap<>();
        synchronized (statusCounts)
        {
            for (final AnswerStatus s : AnswerStatus.values())
            {
                if (statusCounts[s.ordinal()] > 0)
                {
                    out.put(s.name(), statusCounts[s.ordinal()]);
                }
            }
        }
        return out;
    }

    /** Latency of every answer so far, ns from the intended send time (after {@link #sampleSecond}). */
    public synchronized Histogram latency()
    {
        return totalLatency.copy();
    }

    /** How late requests left their schedule, ns. */
    public synchronized Histogram lateness()
    {
        return totalLateness.copy();
    }

    public List<SecondSample> seconds()
    {
        synchronized (seconds)
        {
            return List.copyOf(seconds);
        }
    }

    public double elapsedSeconds()
    {
        return (endNs - startNs) / 1e9;
    }

    // Drops since the last sample per expert; null while the gateway does not count them per expert.
    private long[] perSecondDrops(final long[] now)
    {
        if (now[0] < 0 || expertDropsLast[0] < 0)
        {
            System.arraycopy(now, 0, expertDropsLast, 0, now.length);
            return null;
        }
        final long[] perSecond = new long[now.length];
        for (int e = 0; e < now.length; e++)
        {
            perSecond[e] = now[e] - expertDropsLast[e];
            expertDropsLast[e] = now[e];
        }
        return perSecond;
    }

    public int experts()
    {
        return expertLoad == null ? 0 : expertLoad.experts();
    }
}
