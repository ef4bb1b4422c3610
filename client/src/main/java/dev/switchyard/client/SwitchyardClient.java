package dev.switchyard.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.switchyard.dataplane.AgentErrors;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.wire.BadInputException;
import dev.switchyard.wire.frame.WireLayout;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;

/**
 * A client of a Switchyard gateway over Aeron. {@link #infer} sends tokens and returns a future of
 * the answer; {@link #stream} delivers answers to a callback in request order. Requests larger
 * than one message are split into whole groups and their answers joined; the first message carries
 * the request's total, so that the gateway admits or refuses the request whole. Thread-safe.
 * <p>
 * Over UDP the client says hello on a small publication; once welcomed, it sends its requests on
 * one whose term carries the largest request the gateway announced, so that any request fits.
 * The gateway sends a heartbeat whenever it has had nothing else for the client for its interval:
 * a gateway that stops serving (stopped, wedged) while Aeron still reaches its media driver is
 * detected as surely as one whose connection is gone.
 * <p>
 * A lost gateway is not given up for good: a gateway that stood still (a long pause, a frozen VM)
 * or was restarted at the same address serves this client again once it is heard from. While lost,
 * the client says hello again every 500 ms; a heartbeat or a welcome of a gateway serving the same
 * model ends the loss, and later requests are sent as before.
 */
public final class SwitchyardClient implements AutoCloseable
{
    /**
     * How long the connection to a welcomed gateway may be down before every request in flight fails
     * as {@link AnswerStatus#GATEWAY_UNAVAILABLE}. The media driver declares a peer's publication
     * disconnected after {@link DataPlane#PEER_TIMEOUT_NS} without a status message; this adds the
     * margin for a gateway that is only slow.
     */
    public static final long DEFAULT_GATEWAY_TIMEOUT_MS = 1_000;

    /** Which media driver a client uses. */
    public enum Driver
    {
        /** An external driver when one is running at the Aeron directory, else one of the client's own. */
        AUTO,
        /** A media driver of the client's own, in its JVM. */
        EMBEDDED,
        /** The media driver running at the Aeron directory; connecting fails when there is none. */
        EXTERNAL
    }

    private final DataPlane dataPlane;
    private final boolean ownsDataPlane;
    /** The gateways, in the order given; one but for a client given several. */
    private final List<GatewaySession> gateways = new ArrayList<>();
    private final AgentRunner runner;
    private final AtomicLong agentErrors = new AtomicLong();
    /** Null with one gateway: its requests go straight to it. */
    private final GatewayFailover failover;

    private SwitchyardClient(
        final DataPlane dataPlane, final boolean ownsDataPlane, final List<String> requestChannels,
        final String answerChannel, final int answerStream, final long gatewayTimeoutMs)
    {
        this.dataPlane = dataPlane;
        this.ownsDataPlane = ownsDataPlane;
        final List<Agent> agents = new ArrayList<>();
        for (final String channel : requestChannels)
        {
            final GatewaySession g = new GatewaySession(dataPlane, channel, answerChannel, answerStream,
                gatewayTimeoutMs);
            gateways.add(g);
            agents.add(g.agent());
        }
        // One receiving thread for every gateway.
        this.runner = new AgentRunner(dataPlane.newIdleStrategy(), new AgentErrors("switchyard client", agentErrors),
            null, agents.size() == 1 ? agents.getFirst() : new CompositeAgent(agents));
        AgentRunner.startOnThread(runner);
        try
        {
            if (gateways.size() == 1)
            {
                gateways.getFirst().open();
                gateways.getFirst().admit();
                this.failover = null;
            }
            else
            {
                this.failover = GatewayFailover.open(gateways);
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Connects to the gateway at {@code hostPort} over UDP, through the media driver running on this
     * host at Aeron's default directory if there is one, else a media driver of the client's own.
     * <p>
     * {@code hostPort} may name several gateways of one cluster, comma-separated
     * ({@code 10.0.0.1:7400,10.0.0.2:7400}): connecting needs one of them to answer, and the others
     * are said hello to until they do. Each request then goes to one of them, and to another when
     * that one stops (it drains on SIGTERM), is lost, or does not answer in time, within the request's
     * deadline: a rolling restart of the gateways fails no request.
     *
     * @throws BadInputException when an address is malformed or a gateway does not answer
     */
    public static SwitchyardClient connect(final String hostPort)
    {
        return connect(hostPort, Duration.ofMillis(DEFAULT_GATEWAY_TIMEOUT_MS));
    }

    /**
     * As {@link #connect(String)}; once the gateway has been out of contact (no connection, or no
     * frame at all) for {@code gatewayTimeout} beyond the media driver's peer timeout
     * ({@link DataPlane#PEER_TIMEOUT_NS}), every request in flight ends as
     * {@link AnswerStatus#GATEWAY_UNAVAILABLE}.
     */
    public static SwitchyardClient connect(final String hostPort, final Duration gatewayTimeout)
    {
        return connect(hostPort, gatewayTimeout, Driver.AUTO, null);
    }

    /**
     * As {@link #connect(String, Duration)}, with the media driver chosen by {@code driver}.
     *
     * @param aeronDir the external driver's directory; null for Aeron's default ({@code aeron.dir},
     *                 else {@code /dev/shm/aeron-USER})
     */
    public static SwitchyardClient connect(
        final String hostPort, final Duration gatewayTimeout, final Driver driver, final String aeronDir)
    {
        if (gatewayTimeout.isNegative())
        {
            throw new BadInputException("gateway timeout must not be negative (got " + gatewayTimeout + ")");
        }
        final DataPlane plane = GatewayAddress.parseAll(hostPort).getFirst().startPlane(driver, aeronDir);
        try
        {
            return connect(plane, true, hostPort, gatewayTimeout.toMillis());
        }
        catch (final RuntimeException ex)
        {
            plane.close();
            throw ex;
        }
    }

    /** Whether a media driver is alive at {@code dir} (its CnC file there, its heartbeat recent). */
    public static boolean driverRunningAt(final String dir)
    {
        return GatewayAddress.driverRunningAt(dir);
    }

    /**
     * Connects over UDP through an existing data plane (which the client does not close); {@code hostPort}
     * as for {@link #connect(String)}.
     */
    public static SwitchyardClient connect(final DataPlane plane, final String hostPort)
    {
        return connect(plane, false, hostPort, DEFAULT_GATEWAY_TIMEOUT_MS);
    }

    private static SwitchyardClient connect(
        final DataPlane plane, final boolean owns, final String hostPort, final long gatewayTimeoutMs)
    {
        final List<String> channels = GatewayAddress.parseAll(hostPort).stream()
            .map(GatewayAddress::requestChannel).toList();
        return new SwitchyardClient(plane, owns, channels, GatewayAddress.answerChannel(plane),
            WireLayout.CLIENT_ANSWER_STREAM_ID, gatewayTimeoutMs);
    }

    /** Connects over IPC to a gateway on the same media driver. */
    public static SwitchyardClient ipc(final DataPlane plane)
    {
        final int stream = 100_000 + ThreadLocalRandom.current().nextInt(1 << 30);
        return new SwitchyardClient(plane, false, List.of(DataPlane.IPC_CHANNEL), DataPlane.IPC_CHANNEL, stream,
            DEFAULT_GATEWAY_TIMEOUT_MS);
    }

    /** Whether this client uses a media driver of its own. */
    public boolean embedsDriver()
    {
        return dataPlane.settings().embeddedDriver() && ownsDataPlane;
    }

    /**
     * The term length of the publication requests go out on (its largest message is an eighth); of
     * the first gateway where there are several.
     */
    public int requestTermLength()
    {
        return first().connection().requestTermLength();
    }

    /** How long a gateway that announced heartbeats may send nothing before it is taken as lost (ms). */
    public long silenceLimitMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(first().liveness().silenceLimitNs());
    }

    /** Heartbeats received from the gateways. */
    public long heartbeatsReceived()
    {
        return gateways.stream().mapToLong(g -> g.liveness().heartbeats()).sum();
    }

    /** Why the gateway is considered lost, or null while it is connected; with several, null while one is. */
    public String lostGateway()
    {
        final StringBuilder why = new StringBuilder();
        for (final GatewaySession g : gateways)
        {
            final String lost = g.liveness().lost();
            if (lost == null)
            {
                return null;
            }
            why.append(why.isEmpty() ? "" : "; ").append(lost);
        }
        return why.toString();
    }

    /** Answer frames refused, by cause and sending session; of the first gateway where there are several. */
    public FrameFaults answerFaults()
    {
        return first().answerFaults();
    }

    /** The id the gateway knows this client by (its requests and answers carry it); the first gateway's. */
    public long clientId()
    {
        return first().connection().clientId();
    }

    /**
     * Answers of several fragments (larger than the channel's MTU) whose rows were read from each fragment
     * straight into the answer's array, without putting the frame together first; of the first gateway.
     */
    public long answersReadInPlace()
    {
        return first().answersReadInPlace();
    }

    /** The channel and stream the gateway answers this client on; the first gateway's where there are several. */
    public String answerChannel()
    {
        return first().answerChannel();
    }

    public int answerStreamId()
    {
        return first().connection().answers().streamId();
    }

    /**
     * Request messages sent to the gateways, each answered once (a request is one message or more;
     * the parts of a request answered by a failure are not sent; a request sent again to another
     * gateway counts again).
     */
    public long messagesSent()
    {
        return gateways.stream().mapToLong(GatewaySession::messagesSent).sum();
    }

    /** Answers that matched no request waiting (a second answer, or one after the client gave up). */
    public long unmatchedAnswers()
    {
        return gateways.stream().mapToLong(GatewaySession::unmatchedAnswers).sum();
    }

    /** The gateways this client sends to: one, or those it was given. */
    public int gateways()
    {
        return gateways.size();
    }

    /**
     * The gateways that take new requests now: not lost, and not stopping (a gateway that answered
     * SHUTTING_DOWN counts again once it has been lost and serves again, restarted).
     */
    public int gatewaysServing()
    {
        return (int)gateways.stream().filter(GatewaySession::usable).count();
    }

    public int dModel()
    {
        return first().welcome().dModel();
    }

    public int groupSize()
    {
        return first().welcome().groupSize();
    }

    public int numExperts()
    {
        return first().welcome().numExperts();
    }

    public int layers()
    {
        return first().welcome().layers();
    }

    /**
     * The most tokens one message carries (whole groups, within the gateway's bound and this
     * client's request term); larger requests are split into whole groups. With several gateways,
     * the first one's.
     */
    public int maxRequestRows()
    {
        return first().connection().maxRequestRows();
    }

    /** The gateway whose welcome requests are cut to: the only one, or the first of several to answer. */
    private GatewaySession first()
    {
        return failover == null ? gateways.getFirst() : failover.first();
    }

    /** Runs {@code rows} tokens through layer 0 in groups of their own (bit-identical to the in-process path). */
    public CompletableFuture<InferAnswer> infer(
        final float[] tokens, final int rows, final float[] importanceOrNull, final boolean wantRouting)
    {
        return infer(tokens, rows, importanceOrNull, wantRouting, RequestOptions.exact());
    }

    /**
     * @param tokens           [rows, d_model]
     * @param importanceOrNull [rows], or null for all 1.0
     */
    public CompletableFuture<InferAnswer> infer(
        final float[] tokens, final int rows, final float[] importanceOrNull, final boolean wantRouting,
        final RequestOptions options)
    {
        return infer(tokens, rows, importanceOrNull, wantRouting, options, null);
    }

    /**
     * As {@link #infer(float[], int, float[], boolean, RequestOptions)}, with the output rows written
     * into {@code output} as they arrive: the answer's {@link InferAnswer#output()} is that array, and
     * no answer array is allocated or copied (reuse it once the answer has come).
     *
     * @param output [rows, d_model] or longer, or null for an array of the answer's own
     */
    public CompletableFuture<InferAnswer> infer(
        final float[] tokens, final int rows, final float[] importanceOrNull, final boolean wantRouting,
        final RequestOptions options, final float[] output)
    {
        final ClientRequest request = new ClientRequest(tokens, rows, importanceOrNull, wantRouting, options, output);
        return failover == null ? first().send(request) : failover.send(request);
    }

    /**
     * Opens a stream of requests whose answers go to {@code onAnswer}, in request order, on the
     * client's receiving thread (keep the callback short).
     */
    public RequestStream stream(final RequestOptions options, final Consumer<InferAnswer> onAnswer)
    {
        return new RequestStream(this, options, onAnswer);
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(runner);
        CloseHelper.quietClose(failover);
        CloseHelper.quietCloseAll(gateways);
        if (ownsDataPlane)
        {
            dataPlane.close();
        }
    }
}
