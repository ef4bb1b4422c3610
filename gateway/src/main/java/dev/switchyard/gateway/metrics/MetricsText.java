package dev.switchyard.gateway.metrics;

import java.util.Locale;

import dev.switchyard.experts.endpoint.ExpertEndpoint;
import dev.switchyard.experts.endpoint.StatusCounters;
import dev.switchyard.wire.sbe.BlockStatus;
import org.HdrHistogram.Histogram;

/**
 * What the gateway and the expert endpoint of this node count, in the Prometheus text format, for
 * {@code GET /metrics}.
 */
public final class MetricsText
{
    private MetricsText()
    {
    }

    public static String render(final GatewayMetrics g, final ExpertEndpoint endpoint)
    {
        final StringBuilder out = new StringBuilder(4096);
        if (g != null)
        {
            statuses(out, "switchyard_gateway_answers_total", "Answers by status.", g.answers);
            statuses(out, "switchyard_gateway_block_replies_total", "Expert results by status.", g.blockReplies);
            counter(out, "switchyard_gateway_tokens_in_total", "Tokens admitted.", g.tokensIn.get());
            counter(out, "switchyard_gateway_tokens_answered_total", "Tokens answered OK.", g.tokensAnswered.get());
            counter(out, "switchyard_gateway_groups_total", "Groups dispatched.", g.groupsDispatched.get());
            counter(out, "switchyard_gateway_blocks_sent_total", "Blocks sent to experts.", g.blocksSent.get());
            counter(out, "switchyard_gateway_blocks_resent_total", "Blocks sent again after a move.",
                g.blocksResent.get());
            counter(out, "switchyard_gateway_stale_replies_total", "Late or duplicate results ignored.",
                g.staleReplies.get());
            counter(out, "switchyard_gateway_unanswerable_frames_total", "Frames without a sender to answer.",
                g.unanswerableFrames.get());
            counter(out, "switchyard_gateway_answers_undelivered_total", "Answers a client did not take.",
                g.answersUndelivered.get());
            out.append("# HELP switchyard_gateway_dropped_total Token assignments dropped, by cause.\n")
                .append("# TYPE switchyard_gateway_dropped_total counter\n");
            out.append("switchyard_gateway_dropped_total{cause=\"first_capacity\"} ")
                .append(g.droppedFirstByCapacity.get()).append('\n');
            out.append("switchyard_gateway_dropped_total{cause=\"second_capacity\"} ")
                .append(g.droppedSecondByCapacity.get()).append('\n');
            out.append("switchyard_gateway_dropped_total{cause=\"second_policy\"} ")
                .append(g.secondRemovedByPolicy.get()).append('\n');
            out.append("switchyard_gateway_dropped_total{cause=\"no_expert\"} ")
                .append(g.tokensWithoutExpert.get()).append('\n');
            out.append("# HELP switchyard_gateway_queued_requests Requests admitted, not yet answered.\n")
                .append("# TYPE switchyard_gateway_queued_requests gauge\n")
                .append("switchyard_gateway_queued_requests ").append(g.queuedRequests.get()).append('\n');
            out.append("# HELP switchyard_gateway_expert_rows_total Rows dispatched per expert.\n")
                .append("# TYPE switchyard_gateway_expert_rows_total counter\n");
            for (int l = 0; l < g.layers(); l++)
            {
                for (int e = 0; e < g.experts(); e++)
                {
                    out.append("switchyard_gateway_expert_rows_total{layer=\"").append(l).append("\",expert=\"")
                        .append(e).append("\"} ").append(g.expertRows(l, e)).append('\n');
                }
            }
            final Histogram h = g.latency();
            out.append("# HELP switchyard_gateway_latency_seconds Request latency, arrival to answer.\n")
                .append("# TYPE switchyard_gateway_latency_seconds summary\n");
            for (final double q : new double[] {0.5, 0.9, 0.99, 0.999})
            {
                out.append(String.format(Locale.ROOT, "switchyard_gateway_latency_seconds{quantile=\"%s\"} %.6f%n",
                    q, h.getValueAtPercentile(q * 100) / 1e6));
            }
            out.append("switchyard_gateway_latency_seconds_count ").append(h.getTotalCount()).append('\n');
        }
        if (endpoint != null)
        {
            statuses(out, "switchyard_expert_blocks_total", "Blocks received by this node's experts, by status.",
                endpoint.counters());
            counter(out, "switchyard_expert_rows_total", "Rows computed.", endpoint.rowsServed());
            counter(out, "switchyard_expert_unanswerable_total", "Frames without a sender to answer.",
                endpoint.unanswerable());
            counter(out, "switchyard_expert_reply_failures_total", "Results not delivered.", endpoint.replyFailures());
        }
        return out.toString();
    }

    private static void statuses(final StringBuilder out, final String name, final String help, final StatusCounters c)
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
        for (final BlockStatus s : BlockStatus.values())
        {
            if (s != BlockStatus.NULL_VAL)
            {
                out.append(name).append("{status=\"").append(s.name().toLowerCase(Locale.ROOT)).append("\"} ")
                    .append(c.get(s)).append('\n');
            }
        }
    }

    private static void counter(final StringBuilder out, final String name, final String help, final long value)
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
        out.append(name).append(' ').append(value).append('\n');
    }
}
