package dev.switchyard.experts.endpoint;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchyard.compute.network.BlockCompute;
import dev.switchyard.dataplane.AgentHost;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.Doorbell;
import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.dataplane.GuardedFragments;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.wire.frame.WireLayout;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;

/**
 * A node's expert endpoint: receives dispatch blocks over IPC and UDP, runs the registered expert
 * on them and sends the results back to the gateway that asked. Frames it cannot serve (malformed,
 * truncated, wrong shape, unknown layer or expert, an expert draining or elsewhere) are answered with
 * that status where the sender can be named, and always counted. Expert actors register and drain
 * their experts through commands that this endpoint's own thread applies between frames, so a drain
 * completes only when no block of that expert is in progress.
 * <p>
 * The work is split by job: {@link BlockIntake} reads and checks the frames, {@link BlockAnswers}
 * computes and sends the answers, {@link ExpertTable} holds the experts registered and drained, and
 * {@link AgentHost} runs the whole on its thread.
 */
public final class ExpertEndpoint implements Agent, AutoCloseable
{
    private static final int FRAGMENT_LIMIT = 16;
    /** Results a gateway takes none of for this long are dropped; a new outlet may connect this long. */
    private static final long REPLY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    /** An outlet whose gateway has been disconnected this long is closed. */
    private static final long GATEWAY_GONE_NS = TimeUnit.SECONDS.toNanos(10);
    /** Gateways one endpoint answers at once; a hello past it is refused (each holds a publication). */
    private static final int MAX_GATEWAYS = 256;

    /** The model this endpoint serves experts of. */
    public record Shape(int layers, int numExperts, int dModel, int maxRows)
    {
    }

    private final DataPlane dataPlane;
    private final Shape shape;
    private final Subscription ipc;
    private final Subscription udp;
    private final EndpointAddress address;
    private final FragmentHandler ipcAssembler;
    private final FragmentHandler udpAssembler;
    private final GatewayReplies replies;
    private final BlockAnswers answers;
    private final BlockIntake intake;
    private final ExpertTable experts;
    private final Doorbell bell;
    private final AtomicLong replyFailures = new AtomicLong();
    private final AtomicLong agentErrors = new AtomicLong();
    private final AgentHost host = new AgentHost(this, "expert endpoint", agentErrors);

    public ExpertEndpoint(final DataPlane dataPlane, final Shape shape)
    {
        this.dataPlane = dataPlane;
        this.shape = shape;
        this.ipc = dataPlane.subscribeIpc(WireLayout.EXPERT_STREAM_ID);
        this.udp = dataPlane.subscribeUdp(dataPlane.settings().expertPort(), WireLayout.EXPERT_STREAM_ID);
        this.address = new EndpointAddress(
            dataPlane.driverId(), dataPlane.resolvedChannel(udp), WireLayout.EXPERT_STREAM_ID);
        final int maxMessage = dataPlane.settings().maxMessageLength();
        final int frameLength = BlockAnswers.frameLength(shape, maxMessage);
        this.replies = new GatewayReplies(dataPlane, MAX_GATEWAYS, frameLength, REPLY_TIMEOUT_NS, GATEWAY_GONE_NS,
            replyFailures);
        this.answers = new BlockAnswers(shape, frameLength, replies);
        this.bell = dataPlane.ipcDoorbell(WireLayout.EXPERT_STREAM_ID);
        this.experts = new ExpertTable(host, bell);
        this.intake = new BlockIntake(shape, experts, replies, answers, MAX_GATEWAYS);
        final int rowFloats = shape.maxRows() * shape.dModel();
        this.ipcAssembler = new GuardedFragments(new BlockAssembler(intake, rowFloats), intake.faults());
        this.udpAssembler = new GuardedFragments(new BlockAssembler(intake, rowFloats), intake.faults());
    }

    /**
     * Runs this endpoint on {@code shared}, a runner of several agents, rather than a thread of its
     * own; {@code peerWork} is the work of the agents beside it (kept for callers: no reply waits
     * for room any more, so none is done here). Closing either closes the runner.
     */
    public void runOn(final AgentRunner shared, final Offers.WhileWaiting peerWork)
    {
        host.runOn(shared);
    }

    /** Starts this endpoint's thread. */
    public ExpertEndpoint start()
    {
        host.start(dataPlane.newIdleStrategy());
        return this;
    }

    public EndpointAddress address()
    {
        return address;
    }

    public Shape shape()
    {
        return shape;
    }

    public StatusCounters counters()
    {
        return intake.counters();
    }

    /** Frames refused, by cause and sending session. */
    public FrameFaults faults()
    {
        return intake.faults();
    }

    /** Frames that could not even name their sender (too short, another schema, unknown gateway). */
    public long unanswerable()
    {
        return intake.unanswerable();
    }

    /** Replies that could not be sent (gateway gone or back-pressured past the deadline). */
    public long replyFailures()
    {
        return replyFailures.get();
    }

    /** Exceptions that escaped this endpoint's duty cycle (each counted; the endpoint carried on). */
    public AtomicLong agentErrors()
    {
        return agentErrors;
    }

    /** Whether the thread that runs this endpoint (its own or a shared one) is running it. */
    public boolean running()
    {
        return host.running();
    }

    public long rowsServed()
    {
        return answers.rowsServed();
    }

    /** Answers whose rows the expert computed straight into the gateway's term buffer. */
    public long answersComputedInPlace()
    {
        return answers.computedInPlace();
    }

    /** Rows {@code (layer, expert)} computed on this endpoint. */
    public long computedRows(final int layer, final int expert)
    {
        return answers.computedRows(layer, expert);
    }

    /** Nanoseconds {@code (layer, expert)} spent in its forward passes on this endpoint. */
    public long computeNanos(final int layer, final int expert)
    {
        return answers.computeNanos(layer, expert);
    }

    /** Serves {@code (layer, expert)} from now on; completes once the endpoint thread has it. */
    public CompletableFuture<Void> register(final int layer, final int expert, final int epoch,
        final BlockCompute compute)
    {
        return experts.register(layer, expert, epoch, compute);
    }

    /**
     * Stops serving {@code (layer, expert)}: later blocks for it are answered DRAINING, so that
     * their gateway relearns where it lives. Completes when no block of it is in progress.
     */
    public CompletableFuture<Void> drain(final int layer, final int expert)
    {
        return experts.drain(layer, expert);
    }

    @Override
    public String roleName()
    {
        return "expert-endpoint";
    }

    @Override
    public int doWork()
    {
        int work = experts.applyCommands();
        work += replies.poll(System.nanoTime());
        work += ipc.poll(ipcAssembler, FRAGMENT_LIMIT);
        work += udp.poll(udpAssembler, FRAGMENT_LIMIT);
        return work;
    }

    @Override
    public void onStart()
    {
        bell.attach();
    }

    @Override
    public void onClose()
    {
        bell.detach();
        replies.close();
        CloseHelper.closeAll(ipc, udp);
    }

    @Override
    public void close()
    {
        host.close();
        experts.applyCommands();
    }
}
