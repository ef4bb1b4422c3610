package dev.switchyard.client;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.dataplane.AgentErrors;
import dev.switchyard.dataplane.Doorbell;
import dev.switchyard.dataplane.ProgressClock;
import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.dataplane.GuardedFragments;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.wire.BadInputException;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import dev.switchyard.wire.sbe.WelcomeEncoder;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

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
 * the client says hello again every {@link #REHELLO_INTERVAL_NS}; a heartbeat or a welcome of a
 * gateway serving the same model ends the loss, and later requests are sent as before.
 */
public final class SwitchyardClient implements AutoCloseable
{
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(15);
    /** How long a request without a deadline of its own may wait for room (the gateway's default deadline). */
    private static final long OFFER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** Beyond the request's deadline, how long the client waits before it gives up on the gateway. */
    private static final long GRACE_MS = 5_000;
    private static final long DEFAULT_WAIT_MS = 60_000;
    /**
     * How long the connection to a welcomed gateway may be down before every request in flight fails
     * as {@link AnswerStatus#GATEWAY_UNAVAILABLE}. The media driver declares a peer's publication
     * disconnected after {@link DataPlane#PEER_TIMEOUT_NS} without a status message; this adds the
     * margin for a gateway that is only slow.
     */
    public static final long DEFAULT_GATEWAY_TIMEOUT_MS = 1_000;
    private static final long LIVENESS_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long HEARTBEAT_GRACE_NS = TimeUnit.SECONDS.toNanos(2);
    /** How often a client that lost its gateway says hello again, to be welcomed back. */
    private static final long REHELLO_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /** The hello's publication: a hello is about a kilobyte, and this term is Aeron's smallest. */
    private static final int HELLO_TERM_LENGTH = 64 << 10;
    /** Aeron's largest message, whatever the term. */
    private static final int MAX_MESSAGE = 16 << 20;

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
    private final long clientId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    /** The hello's publication, then (over UDP) the one sized for requests; set before {@link #ready}. */
    private volatile Publication requests;
    /** Requests and hellos are written here, one at a time. */
    private final Object sendLock = new Object();
    /** Tokens of one message at most: whole groups, within the gateway's bound and the publication's. */
    private int chunkRows;
    private volatile boolean ready;
    /**
     * Whether silence ends the gateway: over UDP. Over IPC the gateway shares this process and its
     * driver; a thread of it delayed by a loaded machine must not end this client for good.
     */
    private final boolean watchHeartbeats;
    private final Doorbell requestBell;
    private final Doorbell answerBell;
    private final Subscription answers;
    private final FragmentAssembler assembler;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final AnswerFrame answerFrame = new AnswerFrame();
    private final HelloFrame helloFrame = new HelloFrame();
    private final RequestFrame requestFrame = new RequestFrame();
    private UnsafeBuffer sendBuffer;
    private final IdleStrategy offerIdle;
    private final ConcurrentHashMap<Long, PendingAnswer> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final AtomicLong unmatchedAnswers = new AtomicLong();
    private final AtomicLong messagesSent = new AtomicLong();
    private final AgentRunner runner;
    private final FrameFaults answerFaults = new FrameFaults("client answers");
    private final AtomicLong agentErrors = new AtomicLong();
    private final long gatewayTimeoutNs;
    private long lastLivenessCheckNs;
    private long disconnectedSinceNs;
    /**
     * The agent's time: the gateway's silence and a lost connection are measured in the time this
     * process ran, so that a pause of the client's own process is not taken for the gateway's.
     */
    private final ProgressClock runClock = new ProgressClock(TimeUnit.SECONDS.toNanos(1), System.nanoTime());
    private long runningNs;
    /**
     * When (running time) the agent last read a frame of the gateway's for this client (welcome, heartbeat, answer).
     */
    private long lastHeardNs;
    /** Heartbeats taken (written by the agent only). */
    private volatile long heartbeats;
    private volatile String lostGateway;
    /** When the gateway was lost, and when a hello last went out to win it back (agent thread only). */
    private long lostAtNs;
    private long lastReHelloNs;
    /** What a hello names as the way back: this client's answer channel and stream. */
    private final String replyChannel;
    private final int replyStream;
    private final HelloFrame reHelloFrame = new HelloFrame();
    private volatile HelloFrame.Welcome welcome;

    private SwitchyardClient(
        final DataPlane dataPlane, final boolean ownsDataPlane, final String requestChannel,
        final String answerChannel, final int answerStream, final long gatewayTimeoutMs)
    {
        this.gatewayTimeoutNs = TimeUnit.MILLISECONDS.toNanos(gatewayTimeoutMs);
        this.dataPlane = dataPlane;
        this.ownsDataPlane = ownsDataPlane;
        this.offerIdle = dataPlane.newIdleStrategy();
        this.sendBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        this.answers = dataPlane.aeron().addSubscription(answerChannel, answerStream);
        this.replyStream = answerStream;
        // The assembler grows to the largest answer it meets; this is only where it starts.
        this.assembler = new FragmentAssembler(new GuardedFragments(this::onFragment, answerFaults),
            dataPlane.settings().maxMessageLength(), true);
        final boolean udp = requestChannel.startsWith("aeron:udp");
        this.watchHeartbeats = udp;
        this.requests = udp ?
            dataPlane.aeron().addExclusivePublication(new ChannelUriStringBuilder(requestChannel)
                .termLength(HELLO_TERM_LENGTH).mtu(dataPlane.settings().mtu()).build(),
                WireLayout.CLIENT_REQUEST_STREAM_ID) :
            dataPlane.aeron().addPublication(requestChannel, WireLayout.CLIENT_REQUEST_STREAM_ID);
        final boolean ipc = requestChannel.startsWith(DataPlane.IPC_CHANNEL);
        this.requestBell = ipc ? dataPlane.ipcDoorbell(WireLayout.CLIENT_REQUEST_STREAM_ID) : Doorbell.NONE;
        this.answerBell = ipc ? dataPlane.ipcDoorbell(answerStream) : Doorbell.NONE;
        this.runner = new AgentRunner(dataPlane.newIdleStrategy(),
            new AgentErrors("switchyard client", agentErrors), null,
            new Agent()
            {
                @Override
                public void onStart()
                {
                    answerBell.attach();
                }

                @Override
                public void onClose()
                {
                    answerBell.detach();
                }

                @Override
                public int doWork()
                {
                    runningNs = runClock.advance(System.nanoTime());
                    return answers.poll(assembler, 16) + watchGateway(runningNs);
                }

                @Override
                public String roleName()
                {
                    return "switchyard-client";
                }
            });
        AgentRunner.startOnThread(runner);
        replyChannel = answerChannel.startsWith("aeron:udp") ? dataPlane.resolvedChannel(answers) : answerChannel;
        handshake(replyChannel, answerStream);
        if (udp)
        {
            sizeRequests(requestChannel);
        }
        chunkRows = fittingRows(requests.maxMessageLength());
        sendBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            (int)Math.min(requests.maxMessageLength(),
                WireLayout.requestFrameLength(Math.max(chunkRows, 1), dModel(), true)), 64));
        ready = true;
    }

    /**
     * Replaces the hello's publication with one whose term carries the largest request the gateway
     * takes (an eighth of a term is Aeron's largest message), once it is connected.
     */
    private void sizeRequests(final String requestChannel)
    {
        final long largest = welcome.maxRequestLength() > 0 ? welcome.maxRequestLength() :
            WireLayout.requestFrameLength(welcome.maxRequestRows(), welcome.dModel(), true);
        final int term = DataPlaneSettings.termFor(Math.min(largest, MAX_MESSAGE));
        final Publication sized = dataPlane.aeron().addExclusivePublication(new ChannelUriStringBuilder(requestChannel)
            .termLength(term).mtu(dataPlane.settings().mtu()).build(), WireLayout.CLIENT_REQUEST_STREAM_ID);
        final long deadline = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!sized.isConnected())
        {
            if (System.nanoTime() - deadline > 0 || Thread.currentThread().isInterrupted())
            {
                sized.close();
                close();
                throw new BadInputException("gateway " + requestChannel + " did not take the request stream within " +
                    TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        final Publication hello = requests;
        requests = sized;
        hello.close();
    }

    /** Whole groups that fit one message of {@code maxMessage} bytes with importance, at most the gateway's bound. */
    private int fittingRows(final int maxMessage)
    {
        final long perRow = (long)dModel() * Float.BYTES + Float.BYTES;
        final long fit = Math.max(0, (maxMessage - WireLayout.REQUEST_HEADER_LENGTH) / perRow);
        return (int)Math.min(welcome.maxRequestRows(), fit / groupSize() * groupSize());
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
        final InetSocketAddress gateway = parse(hostPort);
        final String local = localAddressTowards(gateway);
        final String dir = aeronDir != null ? aeronDir : CommonContext.getAeronDirectoryName();
        final boolean external = switch (driver)
        {
            case EMBEDDED -> false;
            case EXTERNAL -> true;
            case AUTO -> driverRunningAt(dir);
        };
        if (external && !driverRunningAt(dir))
        {
            throw new BadInputException("no media driver is running at " + dir);
        }
        // Terms here are for the answer subscription's side only: publications name their own.
        final DataPlane plane = DataPlane.start(new DataPlaneSettings(
            local, 0, 0, !external, external ? dir : null, "backoff", 1 << 20, 1 << 20, 1408));
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
        return CommonContext.isDriverActive(new File(dir), 5_000, ignored -> { });
    }

    /** Whether this client uses a media driver of its own. */
    public boolean embedsDriver()
    {
        return dataPlane.settings().embeddedDriver() && ownsDataPlane;
    }

    /** The term length of the publication requests go out on (its largest message is an eighth). */
    public int requestTermLength()
    {
        return requests.termBufferLength();
    }

    /** Connects over UDP through an existing data plane (which the client does not close). */
    public static SwitchyardClient connect(final DataPlane plane, final String hostPort)
    {
        return connect(plane, false, hostPort, DEFAULT_GATEWAY_TIMEOUT_MS);
    }

    private static SwitchyardClient connect(
        final DataPlane plane, final boolean owns, final String hostPort, final long gatewayTimeoutMs)
    {
        final InetSocketAddress gateway = parse(hostPort);
        final String requestChannel = new ChannelUriStringBuilder().media("udp")
            .endpoint(gateway.getHostString() + ":" + gateway.getPort()).build();
        final String answerChannel = new ChannelUriStringBuilder().media("udp")
            .endpoint(plane.settings().host() + ":0").build();
        return new SwitchyardClient(plane, owns, requestChannel, answerChannel, WireLayout.CLIENT_ANSWER_STREAM_ID,
            gatewayTimeoutMs);
    }

    /** Connects over IPC to a gateway on the same media driver. */
    public static SwitchyardClient ipc(final DataPlane plane)
    {
        final int stream = 100_000 + ThreadLocalRandom.current().nextInt(1 << 30);
        return new SwitchyardClient(plane, false, DataPlane.IPC_CHANNEL, DataPlane.IPC_CHANNEL, stream,
            DEFAULT_GATEWAY_TIMEOUT_MS);
    }

    private static InetSocketAddress parse(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        try
        {
            if (colon < 1)
            {
                throw new NumberFormatException();
            }
            return InetSocketAddress.createUnresolved(
                hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        }
        catch (final RuntimeException ex)
        {
            throw new BadInputException("gateway address must be HOST:PORT (got '" + hostPort + "')");
        }
    }

    private static String localAddressTowards(final InetSocketAddress gateway)
    {
        // Connecting a datagram socket sends nothing; it picks the interface that routes there.
        try (DatagramSocket probe = new DatagramSocket())
        {
            probe.connect(new InetSocketAddress(gateway.getHostString(), gateway.getPort()));
            return probe.getLocalAddress().getHostAddress();
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new BadInputException("cannot reach gateway " + gateway.getHostString() + ":" + gateway.getPort() +
                ": " + ex.getMessage());
        }
    }

    private void handshake(final String replyChannel, final int replyStream)
    {
        final long deadline = System.nanoTime() + CONNECT_TIMEOUT_NS;
        long nextHello = 0;
        while (welcome == null)
        {
            final long now = System.nanoTime();
            if (now - deadline > 0)
            {
                close();
                throw new BadInputException("gateway " + requests.channel() + " did not answer within " +
                    TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s");
            }
            if (requests.isConnected() && now - nextHello > 0)
            {
                synchronized (sendLock)
                {
                    final int length = helloFrame.writeClientHello(sendBuffer, 0, clientId, replyStream, replyChannel);
                    if (requests.offer(sendBuffer, 0, length) > 0)
                    {
                        requestBell.ring();
                    }
                }
                nextHello = now + TimeUnit.MILLISECONDS.toNanos(500);
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                close();
                throw new BadInputException("interrupted while connecting to the gateway");
            }
        }
    }

    /**
     * With {@code nowNs} the agent's running time: checks, now and then, that the welcomed gateway is still connected
     * both ways; once it has been down for the gateway timeout, every request in flight ends as gateway-unavailable,
     * and so does every later one.
     */
    private int watchGateway(final long nowNs)
    {
        if (!ready || nowNs - lastLivenessCheckNs < LIVENESS_CHECK_NS)
        {
            return 0;
        }
        lastLivenessCheckNs = nowNs;
        if (lostGateway != null)
        {
            return winBack(nowNs);
        }
        final long silentNs = nowNs - lastHeardNs;
        if (watchHeartbeats && welcome.heartbeatIntervalMs() > 0 && silentNs > silenceLimitNs())
        {
            return lose("gateway-unavailable: the gateway at " + requests.channel() + " stopped serving (nothing " +
                "from it for " + TimeUnit.NANOSECONDS.toMillis(silentNs) + " ms, heartbeats due every " +
                welcome.heartbeatIntervalMs() + " ms)");
        }
        if (requests.isConnected() && answers.isConnected())
        {
            disconnectedSinceNs = 0;
            return 0;
        }
        if (disconnectedSinceNs == 0)
        {
            disconnectedSinceNs = nowNs;
            return 0;
        }
        if (nowNs - disconnectedSinceNs < gatewayTimeoutNs)
        {
            return 0;
        }
        return lose("gateway-unavailable: the connection to the gateway at " + requests.channel() +
            " was lost (no contact for " + TimeUnit.NANOSECONDS.toMillis(nowNs - disconnectedSinceNs) + " ms)");
    }

    /**
     * How long the gateway may send nothing before it is lost: the bound of a lost connection (the
     * peer timeout plus the gateway timeout) and {@link #HEARTBEAT_GRACE_NS} more, so that a busy
     * machine that delays the gateway's thread is not taken for a stopped one; never under four
     * heartbeat intervals. 5 s with the default gateway timeout.
     */
    private long silenceLimitNs()
    {
        return Math.max(DataPlane.PEER_TIMEOUT_NS + gatewayTimeoutNs + HEARTBEAT_GRACE_NS,
            4 * TimeUnit.MILLISECONDS.toNanos(welcome.heartbeatIntervalMs()));
    }

    /** How long a gateway that announced heartbeats may send nothing before it is taken as lost (ms). */
    public long silenceLimitMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(silenceLimitNs());
    }

    /** Heartbeats received from the gateway. */
    public long heartbeatsReceived()
    {
        return heartbeats;
    }

    /**
     * While the gateway is lost: once it has been heard from since (a heartbeat, a welcome) over a
     * connection up both ways, it serves this client again; until then a hello goes out now and then.
     */
    private int winBack(final long nowNs)
    {
        if (requests.isConnected() && answers.isConnected() && lastHeardNs - lostAtNs > 0)
        {
            disconnectedSinceNs = 0;
            lostGateway = null;
            return 1;
        }
        // Only the way there is needed: a gateway that released this client has closed the way back,
        // and opens it again for the hello.
        if (requests.isConnected() && nowNs - lastReHelloNs > REHELLO_INTERVAL_NS)
        {
            lastReHelloNs = nowNs;
            synchronized (sendLock)
            {
                final int length = reHelloFrame.writeClientHello(sendBuffer, 0, clientId, replyStream, replyChannel);
                if (requests.offer(sendBuffer, 0, length) > 0)
                {
                    requestBell.ring();
                }
            }
            return 1;
        }
        return 0;
    }

    /** Ends every request in flight, and every later one until the gateway is back, as gateway-unavailable. */
    private int lose(final String why)
    {
        lostAtNs = runningNs;
        lastReHelloNs = lostAtNs;
        lostGateway = why;
        for (final PendingAnswer f : pending.values())
        {
            f.complete(InferAnswer.failed(0, AnswerStatus.GATEWAY_UNAVAILABLE, why));
        }
        return 1;
    }

    /** Why the gateway is considered lost, or null while it is connected. */
    public String lostGateway()
    {
        return lostGateway;
    }

    /** Answer frames refused, by cause and sending session. */
    public FrameFaults answerFaults()
    {
        return answerFaults;
    }

    /** The channel and stream the gateway answers this client on. */
    public String answerChannel()
    {
        return answers.channel();
    }

    public int answerStreamId()
    {
        return answers.streamId();
    }

    /**
     * Request messages sent to the gateway, each answered once (a request is one message or more;
     * the parts of a request answered by a failure are not sent).
     */
    public long messagesSent()
    {
        return messagesSent.get();
    }

    /** Answers that matched no request waiting (a second answer, or one after the client gave up). */
    public long unmatchedAnswers()
    {
        return unmatchedAnswers.get();
    }

    public int dModel()
    {
        return welcome.dModel();
    }

    public int groupSize()
    {
        return welcome.groupSize();
    }

    public int numExperts()
    {
        return welcome.numExperts();
    }

    public int layers()
    {
        return welcome.layers();
    }

    /**
     * The most tokens one message carries (whole groups, within the gateway's bound and this
     * client's request term); larger requests are split into whole groups.
     */
    public int maxRequestRows()
    {
        return chunkRows;
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
        final int d = dModel();
        if (rows < 1 || tokens.length < (long)rows * d)
        {
            throw new BadInputException("request needs 1 or more tokens of " + d + " floats (got " + rows +
                " rows in " + tokens.length + " floats)");
        }
        if (importanceOrNull != null && importanceOrNull.length < rows)
        {
            throw new BadInputException("importance has " + importanceOrNull.length + " values for " + rows +
                " tokens");
        }
        if (output != null && output.length < (long)rows * d)
        {
            throw new BadInputException("output has " + output.length + " floats for " + rows + " tokens of " + d);
        }
        final int chunk = maxRequestRows();
        if (chunk < 1)
        {
            // Refused before any part is sent: splitting elsewhere than between groups would change the routing.
            throw new BadInputException("a group of " + groupSize() + " tokens of " + d + " floats does not fit " +
                "one request message of " + requests.maxMessageLength() + " bytes");
        }
        final int count = (rows + chunk - 1) / chunk;
        if (count - 1 > RequestFrame.MAX_PART)
        {
            throw new BadInputException("a request of " + rows + " tokens needs " + count + " messages of " + chunk +
                " tokens; one request may have " + (RequestFrame.MAX_PART + 1));
        }
        // Consecutive ids: the gateway finds the first part of part k at the first's id plus k.
        final long firstId = nextRequestId.getAndAdd(count);
        if (count == 1)
        {
            return send(firstId, 0, rows, tokens, 0, rows, importanceOrNull, wantRouting, options, 0, output, null);
        }
        // The first part that fails (refused, timed out, gateway lost) answers the whole request at
        // once, and the parts not yet sent are not sent: the gateway refused or ended the request whole.
        final CompletableFuture<InferAnswer> whole = new CompletableFuture<>();
        final List<CompletableFuture<InferAnswer>> parts = new ArrayList<>();
        for (int start = 0, part = 0; start < rows && !whole.isDone(); start += chunk, part++)
        {
            final int n = Math.min(chunk, rows - start);
            final CompletableFuture<InferAnswer> sent = send(firstId + part, part, rows, tokens, start, n,
                importanceOrNull, wantRouting, options, start / groupSize(), output, whole);
            parts.add(sent);
            sent.thenAccept(a ->
            {
                if (!a.ok() && !a.degraded())
                {
                    whole.complete(a);
                }
            });
        }
        if (parts.size() == count)
        {
            CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                .thenAccept(ignored -> whole.complete(join(parts, rows, d, wantRouting, output)));
        }
        return whole;
    }

    /**
     * Opens a stream of requests whose answers go to {@code onAnswer}, in request order, on the
     * client's receiving thread (keep the callback short).
     */
    public RequestStream stream(final RequestOptions options, final Consumer<InferAnswer> onAnswer)
    {
        return new RequestStream(this, options, onAnswer);
    }

    /**
     * Sends part {@code part} of a request of {@code requestTokens} tokens: its rows
     * [firstRow, firstRow + rows) as message {@code requestId}.
     *
     * @param whole the request's answer, or null: once it has come (a part refused), a wait for room ends
     */
    private CompletableFuture<InferAnswer> send(
        final long requestId, final int part, final int requestTokens, final float[] tokens, final int firstRow,
        final int rows, final float[] importance, final boolean wantRouting, final RequestOptions options,
        final long groupOrdinalBase, final float[] output, final CompletableFuture<InferAnswer> whole)
    {
        final PendingAnswer future = new PendingAnswer(output, firstRow * dModel(), rows);
        final String lost = lostGateway;
        if (lost != null)
        {
            future.complete(InferAnswer.failed(requestId, AnswerStatus.GATEWAY_UNAVAILABLE, lost));
            return future;
        }
        pending.put(requestId, future);
        final long deadlineMicros = options.deadline() == null ? 0 : options.deadline().toNanos() / 1000;
        final long offered;
        synchronized (sendLock)
        {
            final int length = requestFrame.write(sendBuffer, 0, clientId, requestId, options.layer(), groupOrdinalBase,
                deadlineMicros, wantRouting, options.keepApart(), onUnavailable(options), rows, dModel(), tokens,
                firstRow * dModel(), importance, firstRow);
            requestFrame.markPart(part, requestTokens, options.caller());
            offered = offerRequest(length, options.deadline() == null ? OFFER_TIMEOUT_NS : options.deadline().toNanos(),
                whole);
        }
        if (offered > 0)
        {
            messagesSent.incrementAndGet();
            requestBell.ring();
        }
        if (offered < 0)
        {
            pending.remove(requestId);
            final String lostNow = lostGateway;
            future.complete(lostNow != null ?
                InferAnswer.failed(requestId, AnswerStatus.GATEWAY_UNAVAILABLE, lostNow) :
                InferAnswer.failed(requestId, AnswerStatus.UNAVAILABLE,
                    "request not sent to the gateway: " + Offers.describe(offered)));
            return future;
        }
        if (lostGateway != null)
        {
            // Lost while this one was being sent: the sweep of requests in flight may have missed it.
            future.complete(InferAnswer.failed(requestId, AnswerStatus.GATEWAY_UNAVAILABLE, lostGateway));
        }
        final long waitMs = (options.deadline() == null ? DEFAULT_WAIT_MS : options.deadline().toMillis()) + GRACE_MS;
        future.completeOnTimeout(InferAnswer.failed(requestId, AnswerStatus.UNAVAILABLE,
            "no answer from the gateway within " + waitMs + " ms"), waitMs, TimeUnit.MILLISECONDS);
        future.whenComplete((a, ex) -> pending.remove(requestId));
        return future;
    }

    /**
     * Offers the request in {@code sendBuffer}, waiting for room while the gateway is there (it is
     * taking other clients' requests in): a lost gateway ends the wait at once, and so does the
     * answer of the whole request (a part of it refused); else it ends after {@code timeoutNs}, the
     * request's deadline.
     */
    private long offerRequest(final int length, final long timeoutNs, final CompletableFuture<InferAnswer> whole)
    {
        if (length > requests.maxMessageLength())
        {
            return Offers.TOO_LARGE;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        offerIdle.reset();
        while (true)
        {
            final long result = requests.offer(sendBuffer, 0, length);
            if (result > 0 || result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                return result;
            }
            if (lostGateway != null || System.nanoTime() - deadline > 0 || (whole != null && whole.isDone()))
            {
                return result == Publication.NOT_CONNECTED ? result : Offers.GAVE_UP;
            }
            if (result == Publication.BACK_PRESSURED)
            {
                dataPlane.driverDoorbell().ring();
            }
            offerIdle.idle(0);
        }
    }

    private static int onUnavailable(final RequestOptions options)
    {
        return switch (options.onUnavailable())
        {
            case WAIT -> RequestFrame.ON_UNAVAILABLE_WAIT;
            case DROP -> RequestFrame.ON_UNAVAILABLE_DROP;
            case DEFAULT -> RequestFrame.ON_UNAVAILABLE_DEFAULT;
        };
    }

    private static InferAnswer join(
        final List<CompletableFuture<InferAnswer>> parts, final int rows, final int d, final boolean wantRouting,
        final float[] given)
    {
        for (final CompletableFuture<InferAnswer> part : parts)
        {
            final InferAnswer a = part.join();
            if (!a.ok() && !a.degraded())
            {
                return a;
            }
        }
        // A part computed without some experts makes the whole answer degraded, naming them.
        InferAnswer degraded = null;
        for (final CompletableFuture<InferAnswer> part : parts)
        {
            if (part.join().degraded() && degraded == null)
            {
                degraded = part.join();
            }
        }
        // Parts wrote a given output in place; else they are joined into an array of the answer's own.
        final float[] output = given != null ? given : new float[rows * d];
        int groups = 0;
        for (final CompletableFuture<InferAnswer> part : parts)
        {
            groups += wantRouting ? part.join().routing().capacity().length : 0;
        }
        final int[] capacity = new int[groups];
        final double[] aux = new double[groups];
        final int[] expert = new int[wantRouting ? 2 * rows : 0];
        final int[] position = new int[expert.length];
        final float[] gate = new float[expert.length];
        int row = 0;
        int group = 0;
        for (final CompletableFuture<InferAnswer> part : parts)
        {
            final InferAnswer a = part.join();
            if (given == null)
            {
                System.arraycopy(a.output(), 0, output, row * d, a.rows() * d);
            }
            if (wantRouting)
            {
                final InferAnswer.Routing r = a.routing();
                System.arraycopy(r.capacity(), 0, capacity, group, r.capacity().length);
                System.arraycopy(r.auxLoss(), 0, aux, group, r.auxLoss().length);
                System.arraycopy(r.expert(), 0, expert, 2 * row, 2 * a.rows());
                System.arraycopy(r.position(), 0, position, 2 * row, 2 * a.rows());
                System.arraycopy(r.gate(), 0, gate, 2 * row, 2 * a.rows());
                group += r.capacity().length;
            }
            row += a.rows();
        }
        return new InferAnswer(parts.getFirst().join().requestId(),
            degraded == null ? AnswerStatus.OK : AnswerStatus.DEGRADED, degraded == null ? "" : degraded.detail(),
            rows, d, output,
            wantRouting ? new InferAnswer.Routing(capacity, aux, expert, position, gate) : null);
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            answerFaults.count(header.sessionId(), FrameFault.TOO_SHORT, length);
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (HelloFrame.isHeartbeat(headerDecoder))
        {
            if (!helloFrame.readHeartbeat(headerDecoder, buffer, offset, length))
            {
                answerFaults.count(header.sessionId(), helloFrame.fault(), length);
            }
            else if (helloFrame.heartbeatClientId() != clientId)
            {
                answerFaults.count(header.sessionId(), FrameFault.UNKNOWN_SENDER, length);
            }
            else
            {
                lastHeardNs = runningNs;
                heartbeats++;
            }
            return;
        }
        if (headerDecoder.templateId() == WelcomeEncoder.TEMPLATE_ID &&
            headerDecoder.schemaId() == WelcomeEncoder.SCHEMA_ID)
        {
            final HelloFrame.Welcome w = helloFrame.readWelcome(headerDecoder, buffer, offset, length);
            if (w == null)
            {
                answerFaults.count(header.sessionId(), helloFrame.fault(), length);
            }
            else if (w.clientId() != clientId)
            {
                answerFaults.count(header.sessionId(), FrameFault.UNKNOWN_SENDER, length);
            }
            else if (welcome == null)
            {
                lastHeardNs = runningNs;
                welcome = w;
            }
            else if (servesSameModel(w))
            {
                // Welcomed back after a loss: a gateway that forgot this client, or a new one.
                lastHeardNs = runningNs;
            }
            return;
        }
        if (!answerFrame.wrap(headerDecoder, buffer, offset, length))
        {
            answerFaults.count(header.sessionId(), answerFrame.fault(), length);
            return;
        }
        if (answerFrame.clientId() == clientId)
        {
            lastHeardNs = runningNs;
        }
        final PendingAnswer future = answerFrame.clientId() == clientId ? pending.get(answerFrame.requestId()) : null;
        if (future == null)
        {
            unmatchedAnswers.incrementAndGet();
            answerFaults.count(header.sessionId(), FrameFault.UNKNOWN_SENDER, length);
            return;
        }
        final AnswerStatus status = AnswerStatus.of(answerFrame.status());
        if (status != AnswerStatus.OK && status != AnswerStatus.DEGRADED)
        {
            future.complete(InferAnswer.failed(answerFrame.requestId(), status, answerFrame.detail()));
            return;
        }
        final int rows = answerFrame.rows();
        final int d = dModel();
        if (rows != future.rows || answerFrame.cols() != d ||
            (answerFrame.routing() && answerFrame.groups() > rows))
        {
            // Well formed, but not the answer to this request: it ends the request rather than fill it.
            answerFaults.count(header.sessionId(), FrameFault.BAD_SHAPE, length);
            future.complete(InferAnswer.failed(answerFrame.requestId(), AnswerStatus.INTERNAL, "the gateway answered " +
                rows + " x " + answerFrame.cols() + " for a request of " + future.rows + " x " + d));
            return;
        }
        final float[] output;
        if (future.output != null)
        {
            output = future.output;
            answerFrame.readOutputs(output, future.outputOffset);
        }
        else
        {
            output = new float[rows * d];
            answerFrame.readOutputs(output);
        }
        InferAnswer.Routing routing = null;
        if (answerFrame.routing())
        {
            final int groups = answerFrame.groups();
            routing = new InferAnswer.Routing(new int[groups], new double[groups], new int[2 * rows],
                new int[2 * rows], new float[2 * rows]);
            answerFrame.readRouting(routing.capacity(), routing.auxLoss(), routing.expert(), routing.position(),
                routing.gate());
        }
        future.complete(new InferAnswer(answerFrame.requestId(), status, answerFrame.detail(), rows, d, output,
            routing));
    }

    /**
     * Whether a gateway that welcomes this client again serves what the first one did: requests are
     * already cut to the first one's shape.
     */
    private boolean servesSameModel(final HelloFrame.Welcome w)
    {
        final HelloFrame.Welcome first = welcome;
        return w.dModel() == first.dModel() && w.numExperts() == first.numExperts() &&
            w.groupSize() == first.groupSize() && w.layers() == first.layers() &&
            w.maxRequestRows() >= first.maxRequestRows();
    }

    /** A request waiting for its answer, and where its output rows go. */
    private static final class PendingAnswer extends CompletableFuture<InferAnswer>
    {
        final float[] output;
        final int outputOffset;
        final int rows;

        PendingAnswer(final float[] output, final int outputOffset, final int rows)
        {
            this.output = output;
            this.outputOffset = outputOffset;
            this.rows = rows;
        }
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(runner);
        for (final PendingAnswer f : pending.values())
        {
            f.complete(InferAnswer.failed(0, AnswerStatus.UNAVAILABLE, "client closed"));
        }
        CloseHelper.quietCloseAll(requests, answers);
        if (ownsDataPlane)
        {
            dataPlane.close();
        }
    }
}
