package dev.switchyard.experts.endpoint;

import dev.switchyard.dataplane.Offers;
import dev.switchyard.dataplane.GuardedFragments;
import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.dataplane.Doorbell;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.AgentErrors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.GatewayHelloEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's expert endpoint: receives dispatch blocks over IPC and UDP, runs the registered expert
 * on them and sends the results back to the gateway that asked. Frames it cannot serve (malformed,
 * truncated, wrong shape, unknown layer or expert, an expert draining or elsewhere) are answered with
 * that status where the sender can be named, and always counted. Expert actors register and drain
 * their experts through commands that this endpoint's own thread applies between frames, so a drain
 * completes only when no block of that expert is in progress.
 */
public final class ExpertEndpoint implements Agent, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ExpertEndpoint.class);
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

    private record Registered(BlockCompute compute, int epoch)
    {
    }

    private final DataPlane dataPlane;
    private final Shape shape;
    private final Subscription ipc;
    private final Subscription udp;
    private final EndpointAddress address;
    private final FragmentAssembler ipcAssembler;
    private final FragmentAssembler udpAssembler;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(1024);
    private final Int2ObjectHashMap<Registered> experts = new Int2ObjectHashMap<>();
    private final IntHashSet draining = new IntHashSet();
    private final GatewayReplies replies;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ExpertBlockFrame frame = new ExpertBlockFrame();
    private final HelloFrame hello = new HelloFrame();
    private final UnsafeBuffer out;
    private final float[] x;   // [maxRows, d]
    private final float[] y;   // [maxRows, d]
    private final Doorbell bell;
    private final StatusCounters counters = new StatusCounters();
    private final FrameFaults faults = new FrameFaults("expert endpoint");
    private final AtomicLong unanswerable = new AtomicLong();
    private final AtomicLong replyFailures = new AtomicLong();
    private final AtomicLong rowsServed = new AtomicLong();
    // [layers, E]: rows computed and the time their forward passes took, per expert served here.
    private final AtomicLongArray computedRows;
    private final AtomicLongArray computeNanos;
    private final AtomicLong agentErrors = new AtomicLong();
    private AgentRunner runner;
    private volatile boolean closed;

    public ExpertEndpoint(final DataPlane dataPlane, final Shape shape)
    {
        this.dataPlane = dataPlane;
        this.shape = shape;
        this.computedRows = new AtomicLongArray(shape.layers() * shape.numExperts());
        this.computeNanos = new AtomicLongArray(shape.layers() * shape.numExperts());
        this.ipc = dataPlane.subscribeIpc(WireLayout.EXPERT_STREAM_ID);
        this.udp = dataPlane.subscribeUdp(dataPlane.settings().expertPort(), WireLayout.EXPERT_STREAM_ID);
        this.address = new EndpointAddress(
            dataPlane.driverId(), dataPlane.resolvedChannel(udp), WireLayout.EXPERT_STREAM_ID);
        final int maxMessage = dataPlane.settings().maxMessageLength();
        final GuardedFragments guarded = new GuardedFragments(this::onFragment, faults);
        this.ipcAssembler = new FragmentAssembler(guarded, maxMessage, true);
        this.udpAssembler = new FragmentAssembler(guarded, maxMessage, true);
        final long elements = (long)shape.maxRows() * shape.dModel();
        if (WireLayout.blockFrameLength(shape.maxRows(), shape.dModel()) > maxMessage)
        {
            throw new IllegalArgumentException("a block of " + shape.maxRows() + " x " + shape.dModel() +
                " floats exceeds the largest data-plane message (" + maxMessage + " bytes): raise the term length");
        }
        this.x = new float[(int)elements];
        this.y = new float[(int)elements];
        this.out = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            (int)WireLayout.blockFrameLength(shape.maxRows(), shape.dModel()), 64));
        this.replies = new GatewayReplies(dataPlane, MAX_GATEWAYS,
            (int)WireLayout.blockFrameLength(shape.maxRows(), shape.dModel()), REPLY_TIMEOUT_NS, GATEWAY_GONE_NS,
            replyFailures);
        this.bell = dataPlane.ipcDoorbell(WireLayout.EXPERT_STREAM_ID);
    }

    /**
     * Runs this endpoint on {@code shared}, a runner of several agents, rather than a thread of its
     * own; {@code peerWork} is the work of the agents beside it (kept for callers: no reply waits
     * for room any more, so none is done here). Closing either closes the runner.
     */
    public void runOn(final AgentRunner shared, final Offers.WhileWaiting peerWork)
    {
        this.runner = shared;
    }

    /** Starts this endpoint's thread. */
    public ExpertEndpoint start()
    {
        runner = new AgentRunner(dataPlane.newIdleStrategy(), new AgentErrors("expert endpoint", agentErrors), null,
            this);
        AgentRunner.startOnThread(runner);
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
        return counters;
    }

    /** Frames refused, by cause and sending session. */
    public FrameFaults faults()
    {
        return faults;
    }

    /** Frames that could not even name their sender (too short, another schema, unknown gateway). */
    public long unanswerable()
    {
        return unanswerable.get();
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
        return !closed && AgentErrors.running(runner);
    }

    public long rowsServed()
    {
        return rowsServed.get();
    }

    /** Rows {@code (layer, expert)} computed on this endpoint. */
    public long computedRows(final int layer, final int expert)
    {
        return computedRows.get(layer * shape.numExperts() + expert);
    }

    /** Nanoseconds {@code (layer, expert)} spent in its forward passes on this endpoint. */
    public long computeNanos(final int layer, final int expert)
    {
        return computeNanos.get(layer * shape.numExperts() + expert);
    }

    private void countCompute(final int layer, final int expert, final int rows, final long nanos)
    {
        if (layer >= 0 && layer < shape.layers() && expert >= 0 && expert < shape.numExperts())
        {
            computedRows.addAndGet(layer * shape.numExperts() + expert, rows);
            computeNanos.addAndGet(layer * shape.numExperts() + expert, nanos);
        }
    }

    /** Serves {@code (layer, expert)} from now on; completes once the endpoint thread has it. */
    public CompletableFuture<Void> register(final int layer, final int expert, final int epoch,
        final BlockCompute compute)
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        submit(done, () ->
        {
            final int key = key(layer, expert);
            draining.remove(key);
            experts.put(key, new Registered(compute, epoch));
        });
        return done;
    }

    /**
     * Stops serving {@code (layer, expert)}: later blocks for it are answered DRAINING, so that
     * their gateway relearns where it lives. Completes when no block of it is in progress.
     */
    public CompletableFuture<Void> drain(final int layer, final int expert)
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        submit(done, () ->
        {
            final int key = key(layer, expert);
            if (experts.remove(key) != null)
            {
                draining.add(key);
            }
        });
        return done;
    }

    private void submit(final CompletableFuture<Void> done, final Runnable command)
    {
        if (runner != null && !closed && !AgentErrors.running(runner))
        {
            // The thread that applies commands has stopped (the node is failing): nothing else
            // touches the endpoint's tables now, and a drain must not wait for a thread that is gone.
            command.run();
            done.complete(null);
            return;
        }
        if (closed || !commands.offer(() ->
        {
            command.run();
            done.complete(null);
        }))
        {
            done.completeExceptionally(new IllegalStateException("expert endpoint is closed or saturated"));
            return;
        }
        bell.ring();
    }

    @Override
    public String roleName()
    {
        return "expert-endpoint";
    }

    @Override
    public int doWork()
    {
        int work = commands.drain(Runnable::run);
        work += replies.poll(System.nanoTime());
        work += ipc.poll(ipcAssembler, FRAGMENT_LIMIT);
        work += udp.poll(udpAssembler, FRAGMENT_LIMIT);
        return work;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            refuse(header, FrameFault.TOO_SHORT, length);
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() == GatewayHelloEncoder.SCHEMA_ID &&
            headerDecoder.templateId() == GatewayHelloEncoder.TEMPLATE_ID)
        {
            onHello(buffer, offset, length, header);
        }
        else
        {
            onBlock(buffer, offset, length, header);
        }
    }

    private void refuse(final Header header, final FrameFault fault, final int length)
    {
        counters.increment(BlockStatus.MALFORMED);
        unanswerable.incrementAndGet();
        faults.count(header.sessionId(), fault, length);
    }

    private void onHello(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final HelloFrame.Hello h = hello.readGatewayHello(headerDecoder, buffer, offset, length);
        if (h == null)
        {
            refuse(header, hello.fault(), length);
            return;
        }
        switch (replies.hello(h.senderId(), h.channel(), h.streamId(), System.nanoTime()))
        {
            case TOO_MANY ->
            {
                refuse(header, FrameFault.UNKNOWN_SENDER, length);
                LOG.warn("gateway {} not taken: {} gateways already send to this endpoint", h.senderId(), MAX_GATEWAYS);
            }
            case BAD_CHANNEL -> refuse(header, FrameFault.BAD_CHANNEL, length);
            case KNOWN, OPENED ->
            {
            }
        }
    }

    private void onBlock(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final BlockStatus framing = frame.wrap(buffer, offset, length);
        if (framing == BlockStatus.MALFORMED)
        {
            refuse(header, frame.fault(), length);
            return;
        }
        if (framing != BlockStatus.OK)
        {
            faults.count(header.sessionId(), frame.fault(), length);
        }
        final BlockStatus status = framing == BlockStatus.OK ? check() : framing;
        counters.increment(status);
        // A gateway whose outlet was closed while it was out of reach is answered again when it is back.
        if (!replies.knows(frame.replyTo()) && !replies.reopen(frame.replyTo(), System.nanoTime()))
        {
            unanswerable.incrementAndGet();
            faults.count(header.sessionId(), FrameFault.UNKNOWN_SENDER, length);
            return;
        }
        final int rows = frame.rows();
        final int d = shape.dModel();
        final int outLength;
        if (status == BlockStatus.OK)
        {
            final Registered expert = experts.get(key(frame.layer(), frame.expert()));
            frame.readRows(x, 0);
            final long computeStartNs = System.nanoTime();
            expert.compute().forward(x, 0, rows, y, 0);
            countCompute(frame.layer(), frame.expert(), rows, System.nanoTime() - computeStartNs);
            outLength = frame.write(out, 0, frame.groupId(), frame.replyTo(), frame.layer(), frame.expert(),
                expert.epoch(), rows, d, BlockStatus.OK, y, 0);
            rowsServed.addAndGet(rows);
        }
        else
        {
            outLength = frame.write(out, 0, frame.groupId(), frame.replyTo(), frame.layer(), frame.expert(),
                frame.epoch(), 0, 0, status, y, 0);
        }
        // Sent now or held for the next passes: never waited for here.
        replies.send(frame.replyTo(), out, 0, outLength, System.nanoTime());
    }

    private BlockStatus check()
    {
        final int layer = frame.layer();
        final int expert = frame.expert();
        if (layer < 0 || layer >= shape.layers())
        {
            return BlockStatus.UNKNOWN_LAYER;
        }
        if (expert < 0 || expert >= shape.numExperts())
        {
            return BlockStatus.UNKNOWN_EXPERT;
        }
        if (frame.cols() != shape.dModel() || frame.rows() > shape.maxRows())
        {
            return BlockStatus.BAD_SHAPE;
        }
        final int key = key(layer, expert);
        if (!experts.containsKey(key))
        {
            return draining.contains(key) ? BlockStatus.DRAINING : BlockStatus.EXPERT_UNAVAILABLE;
        }
        return BlockStatus.OK;
    }

    private static int key(final int layer, final int expert)
    {
        return (layer << 16) | expert;
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
        closed = true;
        if (runner != null)
        {
            CloseHelper.quietClose(runner);
        }
        else
        {
            onClose();
        }
        commands.drain(Runnable::run);
    }
}
