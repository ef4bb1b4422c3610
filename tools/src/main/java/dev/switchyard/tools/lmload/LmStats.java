package dev.switchyard.tools.lmload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.HdrHistogram.Histogram;

/**
 * What a language-model run measures, from the request threads: TTFT and ITL as tokens arrive, E2E and the
 * outcome once per request when it ends, and the same per second of the run. A second is summarised (its raw
 * samples dropped) once it is two seconds old, so a long run holds a few seconds of samples at a time.
 */
public final class LmStats
{
    private static final long HIGHEST_NS = 3_600_000_000_000L;
    private static final long SECOND_NS = 1_000_000_000L;

    private final Slo slo;
    private final Histogram ttft = new Histogram(HIGHEST_NS, 3);
    private final Histogram itl = new Histogram(HIGHEST_NS, 3);
    private final Histogram e2e = new Histogram(HIGHEST_NS, 3);
    private final Histogram lateness = new Histogram(HIGHEST_NS, 3);
    private final Map<String, Long> outcomes = new TreeMap<>();
    private final Map<String, String> firstMessages = new TreeMap<>();
    private final Map<String, Long> finishReasons = new TreeMap<>();
    private final TreeMap<Integer, Open> open = new TreeMap<>();
    private final List<LmSecond> closed = new ArrayList<>();
    private long startNs;
    private long lastEndNs;
    private long sent;
    private long ended;
    private long ok;
    private long good;
    private long tokens;
    private long okTokens;
    private long reportedTokens;
    private long cumSent;
    private long cumEnded;

    public LmStats(final Slo slo)
    {
        this.slo = slo;
    }

    public synchronized void start(final long nowNs)
    {
        startNs = nowNs;
        lastEndNs = nowNs;
    }

    /** A request left, {@code latenessNs} after its intended time. */
    public synchronized void sent(final long latenessNs, final long nowNs)
    {
        sent++;
        lateness.recordValue(clamp(latenessNs));
        second(nowNs).sent++;
    }

    /** {@code n} tokens arrived in one event; {@code gapNs} since the previous event's, or -1 for the first. */
    public synchronized void tokens(final int n, final long sinceIntendedNs, final long gapNs, final long nowNs)
    {
        final Open s = second(nowNs);
        tokens += n;
        s.tokens += n;
        if (gapNs < 0)
        {
            ttft.recordValue(clamp(sinceIntendedNs));
            s.ttft.add(sinceIntendedNs / 1e6);
        }
        else
        {
            itl.recordValue(clamp(gapNs));
            s.itl.add(gapNs / 1e6);
        }
    }

    /** A request ended (called once per request sent, whatever happened to it). */
    public synchronized void ended(final String outcome, final String message, final CallState call, final long nowNs)
    {
        ended++;
        outcomes.merge(outcome, 1L, Long::sum);
        if (message != null)
        {
            firstMessages.putIfAbsent(outcome, message);
        }
        lastEndNs = Math.max(lastEndNs, nowNs);
        notifyAll();
        final Open s = second(nowNs);
        if (!outcome.equals(Outcomes.OK))
        {
            s.errors++;
            return;
        }
        ok++;
        s.ok++;
        okTokens += call.tokens();
        reportedTokens += call.reportedTokens();
        if (call.finishReason() != null)
        {
            finishReasons.merge(call.finishReason(), 1L, Long::sum);
        }
        final long latency = nowNs - call.intendedNs();
        e2e.recordValue(clamp(latency));
        s.e2e.add(latency / 1e6);
        if (call.tokens() > 0 && slo.met(call.ttftNs(), call.meanItlNs()))
        {
            good++;
        }
    }

    /** Summarises the seconds that ended two seconds before {@code nowNs} (all of them: Long.MAX_VALUE). */
    public synchronized void closeSeconds(final long nowNs)
    {
        final long upTo = nowNs == Long.MAX_VALUE ? (open.isEmpty() ? closed.size() - 1 : open.lastKey())
            : (nowNs - startNs) / SECOND_NS - 2;
        for (int next = closed.size(); next <= upTo; next++)
        {
            final Open s = open.remove(next);
            closed.add((s == null ? new Open() : s).close(next, this));
        }
    }

    private Open second(final long nowNs)
    {
        final int s = (int)Math.max(0, Math.max((nowNs - startNs) / SECOND_NS, closed.size()));
        return open.computeIfAbsent(s, k -> new Open());
    }

    private static long clamp(final long ns)
    {
        return Math.max(0, Math.min(ns, HIGHEST_NS));
    }

    /** The counts and histograms so far; call once the run has ended. */
    public synchronized LmResult result(final String title, final List<String> notes)
    {
        closeSeconds(Long.MAX_VALUE);
        return new LmResult(title, (lastEndNs - startNs) / 1e9, sent, new TreeMap<>(outcomes),
            new TreeMap<>(firstMessages), new TreeMap<>(finishReasons), tokens, okTokens, reportedTokens, ok, good,
            slo, ttft.copy(), itl.copy(), e2e.copy(), lateness.copy(), List.copyOf(closed), List.copyOf(notes));
    }

    /** Waits until every request sent has ended or {@code deadlineNs} (System.nanoTime) passes; true if all ended. */
    public synchronized boolean awaitAllEnded(final long deadlineNs) throws InterruptedException
    {
        while (ended < sent)
        {
            final long left = deadlineNs - System.nanoTime();
            if (left <= 0)
            {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** The first error message of each outcome that had one. */
    public synchronized Map<String, String> firstMessages()
    {
        return new TreeMap<>(firstMessages);
    }

    public synchronized long sentCount()
    {
        return sent;
    }

    public synchronized long endedCount()
    {
        return ended;
    }

    /** One line of progress: elapsed, sent, ended, in flight, tokens, errors. */
    public synchronized String progress(final long nowNs)
    {
        return String.format(Locale.ROOT, "%6.1f s  sent %d  ended %d  in flight %d  tokens %d  errors %d",
            (nowNs - startNs) / 1e9, sent, ended, sent - ended, tokens, ended - ok);
    }

    /** A second still collecting samples. */
    private static final class Open
    {
        private final Samples ttft = new Samples();
        private final Samples itl = new Samples();
        private final Samples e2e = new Samples();
        private long sent;
        private long ok;
        private long errors;
        private long tokens;

        /** This second's summary; adds its counts to the run's running totals, which give what is in flight. */
        LmSecond close(final int second, final LmStats stats)
        {
            stats.cumSent += sent;
            stats.cumEnded += ok + errors;
            return new LmSecond(second, sent, ok, errors, tokens, stats.cumSent - stats.cumEnded, ttft.percentile(50),
                ttft.percentile(99), itl.percentile(50), itl.percentile(99), e2e.percentile(50), e2e.percentile(99));
        }
    }

    /** Raw samples of one second, ms. */
    private static final class Samples
    {
        private double[] values = new double[16];
        private int size;

        void add(final double v)
        {
            if (size == values.length)
            {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        /** Nearest rank; NaN when empty. */
        double percentile(final double p)
        {
            if (size == 0)
            {
                return Double.NaN;
            }
            Arrays.sort(values, 0, size);
            final int rank = (int)Math.ceil(p / 100 * size);
            return values[Math.max(0, Math.min(size - 1, rank - 1))];
        }
    }
}
