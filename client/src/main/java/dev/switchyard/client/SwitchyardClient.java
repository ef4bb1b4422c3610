package dev.switchyard.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.switchyard.dataplane.AgentErrors;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.wire.BadInputException;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.WireLayout;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;

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
    private final GatewayConnection connection;
    private final PendingAnswers pending = new PendingAnswers();
    private final GatewayLiveness liveness;
    private final ClientAgent agent;
    private final AgentRunner runner;
    private final AtomicLong agentErrors = new AtomicLong();
    private final RequestSender sender;
    private final RequestSplitter splitter;

    private SwitchyardClient(
        final DataPlane dataPlane, final boolean ownsDataPlane, final String requestChannel,
        final String answerChannel, final int answerStream, final long gatewayTimeoutMs)
    {
        this.dataPlane = dataPlane;
        this.ownsDataPlane = ownsDataPlane;
        this.connection = new GatewayConnection(dataPlane, requestChannel, answerChannel, answerStream);
        this.liveness = new GatewayLiveness(SystemNanoClock.INSTANCE, TimeUnit.MILLISECONDS.toNanos(gatewayTimeoutMs),
            connection, why -> pending.failAll(AnswerStatus.GATEWAY_UNAVAILABLE, why));
        this.agent = new ClientAgent(connection, liveness, pending, dataPlane.settings().maxMessageLength());
        this.runner = new AgentRunner(dataPlane.newIdleStrategy(), new AgentErrors("switchyard client", agentErrors),
            null, agent);
        AgentRunner.startOnThread(runner);
        try
        {
            connection.open();
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
        final HelloFrame.Welcome welcome = connection.welcome();
        this.sender = new RequestSender(connection, liveness, pending);
        this.splitter = new RequestSplitter(welcome.dModel(), welcome.groupSize(), connection.maxRequestRows(),
            connection.maxMessageLength(), sender);
        liveness.watch(connection.overUdp(), welcome.heartbeatIntervalMs());
    }

    /**
     * Connects to the gateway at {@code hostPort} over UDP, through the media driver running on this
     * host at Aeron's default directory if there is one, else a media driver of the client's own.
     *
     * @throws BadInputException when the address is malformed or the gateway does not answer
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
        final DataPlane plane = GatewayAddress.parse(hostPort).startPlane(driver, aeronDir);
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

    /** Connects over UDP through an existing data plane (which the client does not close). */
    public static SwitchyardClient connect(final DataPlane plane, final String hostPort)
    {
        return connect(plane, false, hostPort, DEFAULT_GATEWAY_TIMEOUT_MS);
    }

    private static SwitchyardClient connect(
        final DataPlane plane, final boolean owns, final String hostPort, final long gatewayTimeoutMs)
    {
        final GatewayAddress gateway = GatewayAddress.parse(hostPort);
        return new SwitchyardClient(plane, owns, gateway.requestChannel(), GatewayAddress.answerChannel(plane),
            WireLayout.CLIENT_ANSWER_STREAM_ID, gatewayTimeoutMs);
    }

    /** Connects over IPC to a gateway on the same media driver. */
    public static SwitchyardClient ipc(final DataPlane plane)
    {
        final int stream = 100_000 + ThreadLocalRandom.current().nextInt(1 << 30);
        return new SwitchyardClient(plane, false, DataPlane.IPC_CHANNEL, DataPlane.IPC_CHANNEL, stream,
            DEFAULT_GATEWAY_TIMEOUT_MS);
    }

    /** Whether this client uses a media driver of its own. */
    public boolean embedsDriver()
    {
        return dataPlane.settings().embeddedDriver() && ownsDataPlane;
    }

    /** The term length of the publication requests go out on (its largest message is an eighth). */
    public int requestTermLength()
    {
        return connection.requestTermLength();
    }

    /** How long a gateway that announced heartbeats may send nothing before it is taken as lost (ms). */
    public long silenceLimitMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(liveness.silenceLimitNs());
    }

    /** Heartbeats received from the gateway. */
    public long heartbeatsReceived()
    {
        return liveness.heartbeats();
    }

    /** Why the gateway is considered lost, or null while it is connected. */
    public String lostGateway()
    {
        return liveness.lost();
    }

    /** Answer frames refused, by cause and sending session. */
    public FrameFaults answerFaults()
    {
        return agent.answerFaults();
    }

    /** The channel and stream the gateway answers this client on. */
    public String answerChannel()
    {
        return connection.answers().channel();
    }

    public int answerStreamId()
    {
        return connection.answers().streamId();
    }

    /**
     * Request messages sent to the gateway, each answered once (a request is one message or more;
     * the parts of a request answered by a failure are not sent).
     */
    public long messagesSent()
    {
        return sender.messagesSent();
    }

    /** Answers that matched no request waiting (a second answer, or one after the client gave up). */
    public long unmatchedAnswers()
    {
        return pending.unmatchedCount();
    }

    public int dModel()
    {
        return connection.welcome().dModel();
    }

    public int groupSize()
    {
        return connection.welcome().groupSize();
    }

    public int numExperts()
    {
        return connection.welcome().numExperts();
    }

    public int layers()
    {
        return connection.welcome().layers();
    }

    /**
     * The most tokens one message carries (whole groups, within the gateway's bound and this
     * client's request term); larger requests are split into whole groups.
     */
    public int maxRequestRows()
    {
        return connection.maxRequestRows();
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
        return splitter.send(new ClientRequest(tokens, rows, importanceOrNull, wantRouting, options, output));
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
        pending.failAll(AnswerStatus.UNAVAILABLE, "client closed");
        connection.close();
        if (ownsDataPlane)
        {
            dataPlane.close();
        }
    }
}
