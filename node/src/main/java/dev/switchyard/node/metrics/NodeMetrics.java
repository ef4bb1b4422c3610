package dev.switchyard.node.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.experts.endpoint.ExpertEndpoint;
import dev.switchyard.experts.endpoint.StatusCounters;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.gateway.metrics.PerExpertMetrics;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.sbe.BlockStatus;
import io.aeron.AeronCounters;
import io.aeron.driver.status.SystemCounterDescriptor;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.agrona.concurrent.status.CountersReader;

/**
 * A node's metrics, exposed through Prometheus' client library: what its gateway and expert
 * endpoint count (read at scrape time from their allocation-free counters, so the data plane pays
 * nothing for a scrape), the request latency histogram, the media driver's errors and
 * back-pressure events, and the cluster's members as this node sees them.
 */
public final class NodeMetrics
{
    /** What this node sees of its Pekko cluster. */
    public interface ClusterView
    {
        int members();

        int unreachable();

        /** Expert copies placement is moving or starting, in its last decision this node heard. */
        int movingCopies();

        /** Copies beyond the configured ones that placement gave hot experts, likewise. */
        int extraCopies();

        /**
         * How many placement decisions changed something (a copy added, removed or moved, a bridge
         * opened or closed): the version of the last one this node heard, which only grows.
         */
        long placementDecisions();
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * @param gateway  null on a node without a gateway
     * @param endpoint null on a node without experts
     * @param counters the media driver's counters
     */
    public NodeMetrics(
        final GatewayMetrics gateway, final ExpertEndpoint endpoint, final CountersReader counters,
        final ClusterView cluster)
    {
        if (gateway != null)
        {
            gatewayMetrics(gateway);
        }
        if (endpoint != null)
        {
            statuses("switchyard_expert_blocks", "Blocks received by this node's experts, by status.",
                endpoint.counters());
            counter("switchyard_expert_rows", "Rows computed by this node's experts.", () -> endpoint.rowsServed());
            counter("switchyard_expert_unanswerable", "Frames to experts without a sender to answer.",
                () -> endpoint.unanswerable());
            counter("switchyard_expert_reply_failures", "Expert results not delivered.",
                () -> endpoint.replyFailures());
            counter("switchyard_expert_agent_errors", "Exceptions that escaped the expert endpoint's duty cycle.",
                () -> endpoint.agentErrors().get());
            refusedFrames("switchyard_expert_refused_frames", "Frames refused by this node's experts, by cause.",
                "expert_block", endpoint.faults());
            PerExpertMetrics.registerCompute(registry, endpoint);
        }
        counter("switchyard_aeron_errors", "Errors the media driver recorded.",
            () -> systemCounter(counters, SystemCounterDescriptor.ERRORS));
        counter("switchyard_aeron_backpressure_events",
            "Back-pressure events of this node's network publications (sender flow control).",
            () -> sumOfType(counters, AeronCounters.DRIVER_SENDER_BPE_TYPE_ID));
        counter("switchyard_aeron_naks_received", "Retransmissions asked for by receivers.",
            () -> systemCounter(counters, SystemCounterDescriptor.NAK_MESSAGES_RECEIVED));
        gauge("switchyard_cluster_members", "Members of the cluster, as this node sees it.", cluster::members);
        gauge("switchyard_cluster_unreachable_members", "Members this node's failure detector finds unreachable.",
            cluster::unreachable);
        gauge("switchyard_placement_moving_copies",
            "Expert copies placement is moving or starting, as this node last heard.", cluster::movingCopies);
        gauge("switchyard_placement_extra_copies",
            "Copies beyond the configured ones that placement gave hot experts, as this node last heard.",
            cluster::extraCopies);
        counter("switchyard_placement_decisions",
            "Placement decisions that changed a copy or a bridge; a steady rise means experts keep moving.",
            cluster::placementDecisions);
    }

    private void gatewayMetrics(final GatewayMetrics g)
    {
        statuses("switchyard_gateway_answers", "Answers by status.", g.answers);
        statuses("switchyard_gateway_block_replies", "Expert results by status.", g.blockReplies);
        counter("switchyard_gateway_tokens_in", "Tokens admitted.", () -> g.tokensIn.get());
        counter("switchyard_gateway_tokens_answered", "Tokens answered OK.", () -> g.tokensAnswered.get());
        counter("switchyard_gateway_groups", "Groups dispatched.", () -> g.groupsDispatched.get());
        counter("switchyard_gateway_blocks_sent", "Blocks sent to experts.", () -> g.blocksSent.get());
        counter("switchyard_gateway_blocks_resent", "Blocks sent again after a move or a loss.",
            () -> g.blocksResent.get());
        counter("switchyard_gateway_stale_replies", "Late or duplicate expert results ignored.",
            () -> g.staleReplies.get());
        counter("switchyard_gateway_unanswerable_frames", "Frames without a sender to answer.",
            () -> g.unanswerableFrames.get());
        counter("switchyard_gateway_answers_undelivered", "Answers a client did not take.",
            () -> g.answersUndelivered.get());
        counter("switchyard_gateway_clients_given_up", "Clients that never took their welcome.",
            () -> g.clientsGivenUp.get());
        counter("switchyard_gateway_clients_released", "Clients closed after they left or went idle.",
            () -> g.clientsReleased.get());
        counter("switchyard_gateway_agent_errors", "Exceptions that escaped the gateway's duty cycle.",
            () -> g.agentErrors.get());
        GaugeWithCallback.builder().name("switchyard_gateway_clients").help("Clients connected.")
            .callback(cb -> cb.call(g.clientsConnected.get())).register(registry);
        CounterWithCallback.builder().name("switchyard_gateway_refused_frames")
            .help("Frames the gateway refused, by receiver and cause.").labelNames("receiver", "cause")
            .callback(cb ->
            {
                for (final FrameFault cause : FrameFault.values())
                {
                    cb.call(g.clientFrames.count(cause), "client", cause.label());
                    cb.call(g.replyFrames.count(cause), "expert_reply", cause.label());
                }
            })
            .register(registry);
        CounterWithCallback.builder().name("switchyard_gateway_dropped")
            .help("Token assignments dropped, by cause.").labelNames("cause")
            .callback(cb ->
            {
                cb.call(g.droppedFirstByCapacity.get(), "first_capacity");
                cb.call(g.droppedSecondByCapacity.get(), "second_capacity");
                cb.call(g.secondRemovedByPolicy.get(), "second_policy");
                cb.call(g.tokensWithoutExpert.get(), "no_expert");
            })
            .register(registry);
        GaugeWithCallback.builder().name("switchyard_gateway_queued_requests")
            .help("Requests admitted, not yet answered.").callback(cb -> cb.call(g.queuedRequests.get()))
            .register(registry);
        CounterWithCallback.builder().name("switchyard_gateway_expert_rows")
            .help("Token rows dispatched to each expert.").labelNames("layer", "expert")
            .callback(cb ->
            {
                for (int l = 0; l < g.layers(); l++)
                {
                    for (int e = 0; e < g.experts(); e++)
                    {
                        cb.call(g.expertRows(l, e), Integer.toString(l), Integer.toString(e));
                    }
                }
            })
            .register(registry);
        registry.register(g.requestLatency());
        registry.register(g.stages);
        PerExpertMetrics.registerRouting(registry, g.routing);
    }

    private void refusedFrames(final String name, final String help, final String receiver, final FrameFaults faults)
    {
        CounterWithCallback.builder().name(name).help(help).labelNames("receiver", "cause")
            .callback(cb ->
            {
                for (final FrameFault cause : FrameFault.values())
                {
                    cb.call(faults.count(cause), receiver, cause.label());
                }
            })
            .register(registry);
    }

    private void statuses(final String name, final String help, final StatusCounters c)
    {
        CounterWithCallback.builder().name(name).help(help).labelNames("status")
            .callback(cb ->
            {
                for (final BlockStatus s : BlockStatus.values())
                {
                    if (s != BlockStatus.NULL_VAL)
                    {
                        cb.call(c.get(s), s.name().toLowerCase(Locale.ROOT));
                    }
                }
            })
            .register(registry);
    }

    private void gauge(final String name, final String help, final IntSupplier value)
    {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsInt())).register(registry);
    }

    private void counter(final String name, final String help, final LongSupplier value)
    {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong()))
            .register(registry);
    }

    private static long systemCounter(final CountersReader counters, final SystemCounterDescriptor descriptor)
    {
        return counters.getCounterValue(descriptor.id());
    }

    private static long sumOfType(final CountersReader counters, final int typeId)
    {
        final long[] sum = new long[1];
        counters.forEach((value, counterId, label) ->
        {
            if (counters.getCounterTypeId(counterId) == typeId)
            {
                sum[0] += value;
            }
        });
        return sum[0];
    }

    /** Every metric in the Prometheus text format (version 0.0.4). */
    public String scrape()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try
        {
            writer.write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
