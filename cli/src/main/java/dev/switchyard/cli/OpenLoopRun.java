package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.List;

import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.tools.replay.AnswerCheck;
import dev.switchyard.tools.replay.OpenLoopRunner;
import dev.switchyard.tools.replay.RunEnd;
import dev.switchyard.tools.replay.RunVerdict;
import dev.switchyard.tools.replay.ScheduledRequest;
import dev.switchyard.tools.replay.SendObserver;
import dev.switchyard.tools.report.PrometheusExpertLoad;
import dev.switchyard.tools.report.ReportFiles;
import dev.switchyard.tools.report.RunReport;
import dev.switchyard.tools.report.RunStats;
import dev.switchyard.wire.BadInputException;

/** What {@code replay} and {@code loadgen} share: run a schedule open loop, print and write the report. */
final class OpenLoopRun
{
    private OpenLoopRun()
    {
    }

    /**
     * @param metrics HOST:PORT of the gateway's metrics, or null
     * @param check   answers compared with the recorded ones, or null
     * @param report  prefix of the report files, or null
     * @param observer sees every request sent and its answer
     * @param sendWindowNs requests not sent when the run is this old are not sent (Long.MAX_VALUE: all are)
     * @return the exit status: 0, or 1 when the run failed ({@link RunVerdict}), its reason the report's last line
     */
    static int run(
        final SwitchyardClient client, final Iterable<ScheduledRequest> schedule, final String title,
        final String metrics, final AnswerCheck check, final List<String> notes, final Path report,
        final SendObserver observer, final long sendWindowNs)
        throws InterruptedException
    {
        PrometheusExpertLoad load = null;
        if (metrics != null)
        {
            load = new PrometheusExpertLoad(metrics, client.numExperts());
            if (!load.reachable())
            {
                throw new BadInputException("--metrics " + metrics + ": no /metrics there (start the gateway " +
                    "with --metrics-port)");
            }
        }
        final RunStats stats = new RunStats(load);
        System.out.println(title);
        final RunEnd end = new OpenLoopRunner(client, stats, check, System.out).observe(observer)
            .sendWindow(sendWindowNs).run(schedule);
        final List<String> allNotes = new java.util.ArrayList<>(notes);
        final String behind = RunVerdict.behindNote(end);
        if (behind != null)
        {
            allNotes.add(behind);
        }
        final String failure = RunVerdict.failure(end, stats.sent(), stats.statuses(), check);
        if (failure != null)
        {
            allNotes.add(failure);
        }
        final RunReport result = new RunReport(title, stats, check, allNotes);
        System.out.print(result.text());
        if (report != null)
        {
            for (final Path file : ReportFiles.write(report, result))
            {
                System.out.println("wrote " + file);
            }
        }
        System.out.flush();
        return failure == null ? 0 : Main.EXIT_FAILURE;
    }
}
