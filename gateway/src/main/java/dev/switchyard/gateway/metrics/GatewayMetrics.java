package dev.switchyard.gateway.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.experts.endpoint.StatusCounters;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a gateway counts, written by its data-plane thread without allocating and read by whoever
 * reports (HTTP metrics, benchmarks, the demo). Latency is recorded in microseconds from a
 * request's arrival to its answer.
 */
public final class GatewayMetrics
{
    /** Answers by status: OK, OVERLOADED, TIMEOUT, BAD_INPUT... */
    public final StatusCounters answers = new StatusCounters();
    /** Expert results by status, as they came back. */
    public final StatusCounters blockReplies = new StatusCounters();
    public final AtomicLong tokensIn = new AtomicLong();
    public final AtomicLong tokensAnswered = new AtomicLong();
    public final AtomicLong groupsDispatched = new AtomicLong();
    public final AtomicLong blocksSent = new AtomicLong();
    public final AtomicLong blocksResent = new AtomicLong();
    public final AtomicLong staleReplies = new AtomicLong();
    public final AtomicLong unanswerableFrames = new AtomicLong();
    /** Requests of several fragments whose tokens went from each fragment straight into their queued request. */
    public final AtomicLong requestsInFragments = new AtomicLong();
    /** Blocks of several fragments gathered straight into fragments claimed one by one. */
    public final AtomicLong blocksInFragments = new AtomicLong();
    /** Answers of several fragments written straight into fragments claimed one by one. */
    public final AtomicLong answersInFragments = new AtomicLong();
    /** Client frames refused (hellos and requests), by cause and session. */
    public final FrameFaults clientFrames = new FrameFaults("gateway client intake");
    /** Expert results refused, by cause and session. */
    public final FrameFaults replyFrames = new FrameFaults("gateway expert replies");
    /** Clients welcomed and not yet released. */
    public final AtomicLong clientsConnected = new AtomicLong();
    /** Clients that never took their welcome (answer channel unreachable or refused). */
    public final AtomicLong clientsGivenUp = new AtomicLong();
    /** Welcomed clients closed after they left (their answer channel disconnected past the idle timeout). */
    public final AtomicLong clientsReleased = new AtomicLong();
    /** Exceptions that escaped a duty cycle of the gateway's data-plane thread (it carried on). */
    public final AtomicLong agentErrors = new AtomicLong();
    public final AtomicLong answersUndelivered = new AtomicLong();
    public final AtomicLong droppedFirstByCapacity = new AtomicLong();
    public final AtomicLong droppedSecondByCapacity = new AtomicLong();
    public final AtomicLong secondRemovedByPolicy = new AtomicLong();
    public final AtomicLong tokensWithoutExpert = new AtomicLong();
    public final AtomicLong queuedRequests = new AtomicLong();
    /** Expert endpoints whose blocks go unanswered now (logged, and shown by cluster status). */
    public final SilentEndpoints silentEndpoints = new SilentEndpoints();
    private final AtomicLongArray expertRows;  // [layers, E] rows dispatched
    /** What routing decided, per (layer, expert) and per layer. */
    public final RoutingCounters routing;
    /** Time spent at each stage, queue wait to answer. */
    public final StageLatency stages = new StageLatency();
    private final int experts;
    private final Recorder latencyMicros = new Recorder(3_600_000_000L, 3);
    // Scraped as a histogram (not a lifetime summary): rates and quantiles over any window.
    private final LatencyHistogram requestLatency = new LatencyHistogram(
        "switchyard_gateway_request_latency_seconds", "Request latency at the gateway, arrival to answer.");
    private final Histogram cumulative = new Histogram(3_600_000_000L, 3);
    private Histogram interval;

    public GatewayMetrics(final int layers, final int experts)
    {
        this.experts = experts;
        this.expertRows = new AtomicLongArray(layers * experts);
        this.routing = new RoutingCounters(layers, experts);
    }

    public void addExpertRows(final int layer, final int expert, final int rows)
    {
        expertRows.addAndGet(layer * experts + expert, rows);
    }

    public long expertRows(final int layer, final int expert)
    {
        return expertRows.get(layer * experts + expert);
    }

    public int layers()
    {
        return expertRows.length() / experts;
    }

    public int experts()
    {
        return experts;
    }

    public void recordLatencyMicros(final long micros)
    {
        final long clamped = Math.max(0, Math.min(micros, 3_600_000_000L));
        latencyMicros.recordValue(clamped);
        requestLatency.recordMicros(clamped);
        stages.recordNanos(StageLatency.Stage.TOTAL, clamped * 1000);
    }

    /** The request latency histogram, for the node's metrics registry. */
    public LatencyHistogram requestLatency()
    {
        return requestLatency;
    }

    /** Every latency recorded since the start or the last {@link #resetLatency()}; a copy. */
    public synchronized Histogram latency()
    {
        interval = latencyMicros.getIntervalHistogram(interval);
        cumulative.add(interval);
        return cumulative.copy();
    }

    /** Forgets the latencies so far (after a warm-up). */
    public synchronized void resetLatency()
    {
        interval = latencyMicros.getIntervalHistogram(interval);
        cumulative.reset();
    }
}
