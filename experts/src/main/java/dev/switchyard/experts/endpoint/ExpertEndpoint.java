package dev.switchyard.experts.endpoint;

import dev.switchyard.dataplane.Outlet;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.dataplane.GuardedFragments;
import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.dataplane.Doorbell;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.AgentErrors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.GatewayHelloEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
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
    private static final long REPLY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
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
    private final Long2ObjectHashMap<Outlet> replies = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<String> replyChannels = new Long2ObjectHashMap<>();
    private final Long2LongHashMap replyOpenedNs = new Long2LongHashMap(0);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ExpertBlockFrame frame = new ExpertBlockFrame();
    private final HelloFrame hello = new HelloFrame();
    private final UnsafeBuffer out;
    private final float[] x;   // [maxRows, d]
    private final float[] y;   // [maxRows, d]
    private final IdleStrategy offerIdle;
    private final Doorbell bell;
    private final StatusCounters counters = new StatusCounters();
    private final FrameFaults faults = new FrameFaults("expert endpoint");
    private final AtomicLong unanswerable = new AtomicLong();
    private final AtomicLong replyFailures = new AtomicLong();
    private final AtomicLong rowsServed = new AtomicLong();
    private final AtomicLong agentErrors = new AtomicLong();
    private AgentRunner runner;
    private Offers.WhileWaiting whileReplying;
    private volatile boolean closed;

    public ExpertEndpoint(final DataPlane dataPlane, final Shape shape)
    {
        this.dataPlane = dataPlane;
        this.shape = shape;
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
        this.offerIdle = dataPlane.newIdleStrategy();
        this.bell = dataPlane.ipcDoorbell(WireLayout.EXPERT_STREAM_ID);
    }

    /**
     * Runs this endpoint on {@code shared}, a runner of several agents, rather than a thread of its
     * own; {@code peerWork} is the work of the agents beside it, done while a reply waits for room
     * (they cannot free it while this endpoint holds their thread). Closing either closes the runner.
     */
    public void runOn(final AgentRunner shared, final Offers.WhileWaiting peerWork)
    {
        this.runner = shared;
        this.whileReplying = peerWork;
    }

    /** Starts this endpoint's thread. */
    public ExpertEndpoint start()
    {
        runner = new AgentRunner(dataPlane.newIdleStrategy(), new AgentErrors("expert endpoint", agentErrors), null, this);
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

    /** Serves {@code (layer, expert)} from now on; completes once the endpoint thread has it. */
    public CompletableFuture<Void> register(final int layer, final int expert, final int epoch, final BlockCompute compute)
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
        final Outlet existing = replies.get(h.senderId());
        if (existing != null && !existing.isClosed() && h.channel().equals(replyChannels.get(h.senderId())))
        {
            return;
        }
        if (existing == null && replies.size() >= MAX_GATEWAYS)
        {
            refuse(header, FrameFault.UNKNOWN_SENDER, length);
            LOG.warn("gateway {} not taken: {} gateways already send to this endpoint", h.senderId(), MAX_GATEWAYS);
            return;
        }
        final Outlet outlet = ReplyChannels.open(dataPlane, h.channel(), h.streamId());
        if (outlet == null)
        {
            refuse(header, FrameFault.BAD_CHANNEL, length);
            return;
        }
        CloseHelper.quietClose(existing);
        replies.put(h.senderId(), outlet);
        replyChannels.put(h.senderId(), h.channel());
        replyOpenedNs.put(h.senderId(), System.nanoTime());
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
        final Outlet reply = replies.get(frame.replyTo());
        final BlockStatus status = framing == BlockStatus.OK ? check() : framing;
        counters.increment(status);
        if (reply == null)
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
            expert.compute().forward(x, 0, rows, y, 0);
            outLength = frame.write(out, 0, frame.groupId(), frame.replyTo(), frame.layer(), frame.expert(),
                expert.epoch(), rows, d, BlockStatus.OK, y, 0);
            rowsServed.addAndGet(rows);
        }
        else
        {
            outLength = frame.write(out, 0, frame.groupId(), frame.replyTo(), frame.layer(), frame.expert(),
                frame.epoch(), 0, 0, status, y, 0);
        }
        // A gateway that is not connected is waited for only while its outlet is new (the connection
        // is being set up, its first blocks already here); once that window has passed, a gateway
        // gone or never there costs nothing, since waiting would hold every other gateway's blocks.
        final long waitNs = reply.publication().isConnected() ? REPLY_TIMEOUT_NS :
            replyOpenedNs.get(frame.replyTo()) + REPLY_TIMEOUT_NS - System.nanoTime();
        final long result = waitNs > 0 ?
            reply.offer(out, 0, outLength, offerIdle, waitNs, whileReplying) : Publication.NOT_CONNECTED;
        if (result < 0)
        {
            replyFailures.incrementAndGet();
            LOG.warn("result of group {} expert {}/{} not sent: {}", frame.groupId(), frame.layer(), frame.expert(),
                Offers.describe(result));
        }
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
        replies.values().forEach(CloseHelper::quietClose);
        replies.clear();
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
