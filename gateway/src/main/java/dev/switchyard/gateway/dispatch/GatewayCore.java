package dev.switchyard.gateway.dispatch;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.switchyard.experts.endpoint.DataPlane;
import dev.switchyard.experts.endpoint.Doorbell;
import dev.switchyard.experts.endpoint.EndpointAddress;
import dev.switchyard.experts.endpoint.Offers;
import dev.switchyard.experts.endpoint.Outlet;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.router.config.ModelConfig;
import dev.switchyard.router.gating.RouterProjection;
import dev.switchyard.router.gating.Top2Gating;
import dev.switchyard.router.plan.Combine;
import dev.switchyard.router.plan.RoutingPlan;
import dev.switchyard.router.wire.AnswerFrame;
import dev.switchyard.router.wire.ExpertBlockFrame;
import dev.switchyard.router.wire.FloatRows;
import dev.switchyard.router.wire.HelloFrame;
import dev.switchyard.router.wire.RequestFrame;
import dev.switchyard.router.wire.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.ClientHelloEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway's data plane, one thread: accepts client requests (admission, deadlines), forms token
 * groups, gates them with the router, sends each expert its block, combines the results as they
 * arrive and answers every admitted request exactly once, in arrival order. Where experts live is
 * told by the control plane ({@link #updateRoute}); a block answered DRAINING or unavailable waits
 * for a new route and is sent again, so an expert can move while traffic flows.
 */
public final class GatewayCore implements Agent, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(GatewayCore.class);
    private static final int FRAGMENT_LIMIT = 16;
    private static final long OFFER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long ANSWER_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long SCAN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long RELOCATE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final int MAX_DETAIL = 256;

    static final class Link
    {
        final Outlet outlet;
        boolean helloSent;

        Link(final Outlet outlet)
        {
            this.outlet = outlet;
        }
    }

    private static final class Route
    {
        EndpointAddress address;
        Link link;
        int epoch;
        boolean stale;
        long lastRelocateNs;
    }

    private final DataPlane dataPlane;
    private final ModelConfig config;
    private final int layers;
    private final int experts;
    private final int d;
    private final int groupSize;
    private final int maxRequestRows;
    private final GatewaySettings settings;
    private final RelocationRequests relocation;
    private final GatewayMetrics metrics;
    private final long gatewayId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;

    private final RouterProjection[] routers;
    private final Top2Gating[] gatings;
    private final Route[][] routes;
    private final Map<EndpointAddress, Link> links = new HashMap<>();
    private final Long2ObjectHashMap<Outlet> clients = new Long2ObjectHashMap<>();

    private final Subscription clientIpc;
    private final Subscription clientUdp;
    private final Subscription replyIpc;
    private final Subscription replyUdp;
    private final String clientChannel;
    private final String replyUdpChannel;
    private final FragmentAssembler clientIpcAssembler;
    private final FragmentAssembler clientUdpAssembler;
    private final FragmentAssembler replyIpcAssembler;
    private final FragmentAssembler replyUdpAssembler;

    private final ArrayDeque<PendingRequest> fifo = new ArrayDeque<>();
    private final ArrayDeque<PendingRequest> requestPool = new ArrayDeque<>();
    private final GroupSlot[] groups;
    private final ArrayDeque<GroupSlot> freeGroups = new ArrayDeque<>();
    private final GroupSlot[] openShared;
    private final long[] sharedOrdinal;
    private long groupSequence = 1;
    private int queuedTokens;
    private int waitingBlocks;
    private long lastScanNs;

    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(4096);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ExpertBlockFrame blockFrame = new ExpertBlockFrame();
    private final RequestFrame requestFrame = new RequestFrame();
    private final AnswerFrame answerFrame = new AnswerFrame();
    private final HelloFrame helloFrame = new HelloFrame();
    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer answerBuffer;
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
    private final float[] replyRows;  // [max block rows, d]
    private final IdleStrategy offerIdle;
    private final Doorbell requestBell;
    private final Doorbell replyBell;
    private AgentRunner runner;
    private Offers.WhileWaiting peerWork = () -> 0;
    private volatile boolean closed;

    /**
     * @param routers    the router of every layer, [layers]
     * @param clientHost the address clients reach this gateway at
     */
    public GatewayCore(
        final DataPlane dataPlane,
        final ModelConfig config,
        final List<RouterProjection> routers,
        final GatewaySettings settings,
        final String clientHost,
        final RelocationRequests relocation,
        final GatewayMetrics metrics)
    {
        this.dataPlane = dataPlane;
        this.config = config;
        this.layers = routers.size();
        this.experts = config.numExperts();
        this.d = config.dModel();
        this.groupSize = config.routing().groupSize();
        this.settings = settings;
        this.relocation = relocation;
        this.metrics = metrics;
        this.routers = routers.toArray(new RouterProjection[0]);
        this.gatings = new Top2Gating[layers];
        this.routes = new Route[layers][experts];
        for (int l = 0; l < layers; l++)
        {
            gatings[l] = new Top2Gating(config.routing(), experts, groupSize);
            for (int e = 0; e < experts; e++)
            {
                routes[l][e] = new Route();
            }
        }
        final int maxMessage = dataPlane.settings().maxMessageLength();
        final int maxBlockRows = WireLayout.maxBlockRows(config.routing(), experts);
        if (WireLayout.blockFrameLength(maxBlockRows, d) > maxMessage)
        {
            throw new IllegalArgumentException("a block of " + maxBlockRows + " x " + d +
                " floats exceeds the largest data-plane message (" + maxMessage + " bytes): raise the term length");
        }
        // Requests and answers must each fit one message: whole groups per request, as many as fit,
        // so that a request split by its client is grouped exactly as it would be in one piece.
        final long fit = (maxMessage - WireLayout.MESSAGE_OVERHEAD) / WireLayout.perTokenMessageLength(d);
        if (fit < groupSize)
        {
            throw new IllegalArgumentException("a group of " + groupSize + " tokens of " + d +
                " floats exceeds the largest data-plane message (" + maxMessage + " bytes): raise the term length");
        }
        this.maxRequestRows = (int)(fit / groupSize * groupSize);
        this.sendBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            (int)WireLayout.blockFrameLength(maxBlockRows, d), 64));
        final int maxGroupsPerRequest = maxRequestRows / groupSize + 2;
        this.answerBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(WireLayout.align(
            (int)AnswerFrame.maxLength(maxRequestRows, d, maxGroupsPerRequest, MAX_DETAIL * 4), 64), 64));
        this.replyRows = new float[maxBlockRows * d];
        this.groups = new GroupSlot[settings.maxGroupsInFlight()];
        for (int i = 0; i < groups.length; i++)
        {
            groups[i] = new GroupSlot(i, groupSize, d, experts);
            freeGroups.add(groups[i]);
        }
        this.openShared = new GroupSlot[layers];
        this.sharedOrdinal = new long[layers];
        this.offerIdle = dataPlane.newIdleStrategy();
        this.requestBell = dataPlane.ipcDoorbell(WireLayout.CLIENT_REQUEST_STREAM_ID);
        this.replyBell = dataPlane.ipcDoorbell(WireLayout.GATEWAY_REPLY_STREAM_ID);

        this.clientIpc = dataPlane.subscribeIpc(WireLayout.CLIENT_REQUEST_STREAM_ID);
        this.clientUdp = dataPlane.subscribeUdp(clientHost, settings.clientPort(), WireLayout.CLIENT_REQUEST_STREAM_ID);
        this.replyIpc = dataPlane.subscribeIpc(WireLayout.GATEWAY_REPLY_STREAM_ID);
        this.replyUdp = dataPlane.subscribeUdp(dataPlane.settings().gatewayPort(), WireLayout.GATEWAY_REPLY_STREAM_ID);
        this.clientChannel = dataPlane.resolvedChannel(clientUdp);
        this.replyUdpChannel = dataPlane.resolvedChannel(replyUdp);
        this.clientIpcAssembler = new FragmentAssembler(this::onClientFragment, maxMessage, true);
        this.clientUdpAssembler = new FragmentAssembler(this::onClientFragment, maxMessage, true);
        this.replyIpcAssembler = new FragmentAssembler(this::onReplyFragment, maxMessage, true);
        this.replyUdpAssembler = new FragmentAssembler(this::onReplyFragment, maxMessage, true);
    }

    /**
     * Runs this core on {@code shared}, a runner of several agents, rather than a thread of its own;
     * {@code peerWork} is the work of the agents beside it, done while an offer waits for room (an
     * expert endpoint on the same thread must keep consuming, or the gateway would wait on itself).
     * Closing either closes the runner.
     */
    public void runOn(final AgentRunner shared, final Offers.WhileWaiting peerWork)
    {
        this.runner = shared;
        this.peerWork = peerWork;
    }

    /** Results waiting on the reply streams, taken in; also the work an agent beside this one does. */
    public int pollReplies()
    {
        return replyIpc.poll(replyIpcAssembler, FRAGMENT_LIMIT) + replyUdp.poll(replyUdpAssembler, FRAGMENT_LIMIT);
    }

    private int whileOffering()
    {
        return pollReplies() + peerWork.doWork();
    }

    public GatewayCore start()
    {
        runner = new AgentRunner(dataPlane.newIdleStrategy(), ex -> LOG.error("gateway", ex), null, this);
        AgentRunner.startOnThread(runner);
        return this;
    }

    /** The UDP channel clients send to ({@code aeron:udp?endpoint=host:port}). */
    public String clientChannel()
    {
        return clientChannel;
    }

    public int maxRequestRows()
    {
        return maxRequestRows;
    }

    public GatewayMetrics metrics()
    {
        return metrics;
    }

    /** The control plane learned that {@code (layer, expert)} is served at {@code address}. */
    public void updateRoute(final int layer, final int expert, final EndpointAddress address, final int epoch)
    {
        if (closed || !commands.offer(() -> applyRoute(layer, expert, address, epoch)))
        {
            LOG.warn("route of expert {}/{} not applied: gateway closed or saturated", layer, expert);
            return;
        }
        requestBell.ring();
    }

    /** Whether a route is known for every expert of every layer. */
    public boolean allRoutesKnown()
    {
        final boolean[] known = {true};
        for (final Route[] layer : routes)
        {
            for (final Route r : layer)
            {
                // Read racily on purpose: a hint for waiting until the system is ready.
                if (r.address == null)
                {
                    known[0] = false;
                }
            }
        }
        return known[0];
    }

    private void applyRoute(final int layer, final int expert, final EndpointAddress address, final int epoch)
    {
        if (layer < 0 || layer >= layers || expert < 0 || expert >= experts)
        {
            return;
        }
        final Route route = routes[layer][expert];
        if (route.stale && epoch == route.epoch && address.equals(route.address))
        {
            // The old location answered before it finished moving: ask again shortly.
            return;
        }
        Link link = links.get(address);
        if (link == null)
        {
            link = new Link(dataPlane.outlet(address.channelFrom(dataPlane.driverId()), address.streamId()));
            links.put(address, link);
        }
        route.address = address;
        route.link = link;
        route.epoch = epoch;
        route.stale = false;
    }

    @Override
    public String roleName()
    {
        return "gateway";
    }

    @Override
    public int doWork()
    {
        int work = commands.drain(Runnable::run);
        work += clientIpc.poll(clientIpcAssembler, FRAGMENT_LIMIT);
        work += clientUdp.poll(clientUdpAssembler, FRAGMENT_LIMIT);
        work += pollReplies();
        final long now = System.nanoTime();
        work += fillGroups(now);
        work += closeDueGroups(now);
        if (waitingBlocks > 0)
        {
            work += retryWaiting(now);
        }
        if (now - lastScanNs > SCAN_INTERVAL_NS)
        {
            lastScanNs = now;
            work += scanDeadlines(now);
        }
        work += releaseAnswers(now);
        return work;
    }

    // ---------------------------------------------------------------- clients

    private void onClientFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            metrics.unanswerableFrames.incrementAndGet();
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (RequestFrame.isRequest(headerDecoder))
        {
            onRequest(buffer, offset, length);
        }
        else if (headerDecoder.schemaId() == ClientHelloEncoder.SCHEMA_ID &&
            headerDecoder.templateId() == ClientHelloEncoder.TEMPLATE_ID)
        {
            onClientHello(buffer, offset, length);
        }
        else
        {
            metrics.unanswerableFrames.incrementAndGet();
        }
    }

    private void onClientHello(final DirectBuffer buffer, final int offset, final int length)
    {
        final HelloFrame.Hello hello = helloFrame.readClientHello(headerDecoder, buffer, offset, length);
        if (hello == null)
        {
            metrics.unanswerableFrames.incrementAndGet();
            return;
        }
        CloseHelper.quietClose(clients.remove(hello.senderId()));
        final Outlet client = dataPlane.outlet(hello.channel(), hello.streamId());
        clients.put(hello.senderId(), client);
        final int len = helloFrame.writeWelcome(controlBuffer, 0, new HelloFrame.Welcome(
            hello.senderId(), d, experts, groupSize, layers, maxRequestRows));
        final long result = client.offer(controlBuffer, 0, len, offerIdle, OFFER_TIMEOUT_NS * 5,
            this::whileOffering);
        if (result < 0)
        {
            LOG.warn("welcome to client {} not sent: {}", hello.senderId(), Offers.describe(result));
        }
    }

    private void onRequest(final DirectBuffer buffer, final int offset, final int length)
    {
        final BlockStatus framing = requestFrame.wrap(buffer, offset, length);
        if (framing == BlockStatus.MALFORMED)
        {
            metrics.unanswerableFrames.incrementAndGet();
            return;
        }
        final long clientId = requestFrame.clientId();
        final long requestId = requestFrame.requestId();
        final Outlet client = clients.get(clientId);
        if (client == null)
        {
            metrics.unanswerableFrames.incrementAndGet();
            return;
        }
        final int rows = requestFrame.rows();
        final int layer = requestFrame.layer();
        if (framing != BlockStatus.OK)
        {
            answerNow(client, clientId, requestId, framing, "request frame of " + length +
                " bytes does not hold " + rows + " x " + requestFrame.cols() + " floats");
            return;
        }
        if (layer < 0 || layer >= layers)
        {
            answerNow(client, clientId, requestId, BlockStatus.UNKNOWN_LAYER,
                "layer " + layer + " does not exist (the model has " + layers + ")");
            return;
        }
        if (requestFrame.cols() != d)
        {
            answerNow(client, clientId, requestId, BlockStatus.BAD_SHAPE,
                "tokens have " + requestFrame.cols() + " columns, d_model is " + d);
            return;
        }
        if (rows < 1 || rows > maxRequestRows)
        {
            answerNow(client, clientId, requestId, BlockStatus.BAD_INPUT,
                "a request holds 1.." + maxRequestRows + " tokens, got " + rows);
            return;
        }
        if (fifo.size() >= settings.maxQueuedRequests() || queuedTokens + rows > settings.maxQueuedTokens())
        {
            answerNow(client, clientId, requestId, BlockStatus.OVERLOADED, "gateway queue is full (" +
                fifo.size() + " requests, " + queuedTokens + " tokens waiting)");
            return;
        }
        final PendingRequest request = requestPool.isEmpty() ? new PendingRequest() : requestPool.poll();
        request.reset(clientId, requestId, layer, rows, d);
        requestFrame.readTokens(0, rows, request.x, 0);
        request.hasImportance = requestFrame.hasImportance();
        if (request.hasImportance)
        {
            requestFrame.readImportance(0, rows, request.importance, 0);
        }
        final String invalid = firstNonFinite(request);
        if (invalid != null)
        {
            requestPool.add(request);
            answerNow(client, clientId, requestId, BlockStatus.BAD_INPUT, invalid);
            return;
        }
        request.wantRouting = requestFrame.wantRouting();
        if (request.wantRouting)
        {
            request.prepareRouting();
        }
        request.keepApart = requestFrame.keepApart() || settings.groupPerRequest();
        request.groupOrdinalBase = requestFrame.groupOrdinalBase();
        request.arrivalNs = System.nanoTime();
        final long deadline = requestFrame.deadlineMicros() > 0 ?
            requestFrame.deadlineMicros() : settings.deadlineMicros();
        request.deadlineNs = request.arrivalNs + TimeUnit.MICROSECONDS.toNanos(deadline);
        fifo.add(request);
        queuedTokens += rows;
        metrics.tokensIn.addAndGet(rows);
        metrics.queuedRequests.set(fifo.size());
    }

    private static String firstNonFinite(final PendingRequest r)
    {
        final int n = r.rows * r.d;
        for (int i = 0; i < n; i++)
        {
            if (!Float.isFinite(r.x[i]))
            {
                return "token " + i / r.d + " has " + r.x[i] + " at column " + i % r.d + " (inputs must be finite)";
            }
        }
        if (r.hasImportance)
        {
            for (int t = 0; t < r.rows; t++)
            {
                if (!Float.isFinite(r.importance[t]))
                {
                    return "importance of token " + t + " is " + r.importance[t] + " (must be finite)";
                }
            }
        }
        return null;
    }

    private void answerNow(
        final Outlet client, final long clientId, final long requestId, final BlockStatus status,
        final String detail)
    {
        metrics.answers.increment(status);
        final int len = answerFrame.writeError(answerBuffer, 0, clientId, requestId, status, clip(detail));
        deliver(client, len);
    }

    private void deliver(final Outlet client, final int length)
    {
        final long result = client.offer(answerBuffer, 0, length, offerIdle, ANSWER_TIMEOUT_NS,
            this::whileOffering);
        if (result < 0)
        {
            metrics.answersUndelivered.incrementAndGet();
        }
    }

    private static String clip(final String detail)
    {
        return detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL);
    }

    // ---------------------------------------------------------------- groups

    private int fillGroups(final long now)
    {
        int work = 0;
        for (final PendingRequest request : fifo)
        {
            while (!request.done && request.rowsAssigned < request.rows)
            {
                GroupSlot group = request.keepApart ? request.openGroup : openShared[request.layer];
                if (group == null)
                {
                    group = freeGroups.poll();
                    if (group == null)
                    {
                        return work;
                    }
                    group.open(groupSequence++, request.layer, request.keepApart, now);
                    group.ordinal = request.keepApart ?
                        request.groupOrdinalBase + request.groupsTouched : sharedOrdinal[request.layer]++;
                    if (request.keepApart)
                    {
                        request.openGroup = group;
                    }
                    else
                    {
                        openShared[request.layer] = group;
                    }
                }
                final int n = Math.min(groupSize - group.tokens, request.rows - request.rowsAssigned);
                System.arraycopy(request.x, request.rowsAssigned * d, group.x, group.tokens * d, n * d);
                if (request.hasImportance)
                {
                    System.arraycopy(request.importance, request.rowsAssigned, group.importance, group.tokens, n);
                    group.anyImportance = true;
                }
                else
                {
                    java.util.Arrays.fill(group.importance, group.tokens, group.tokens + n, 1.0f);
                }
                group.addSegment(request, request.rowsAssigned, n, request.touchGroup());
                request.rowsAssigned += n;
                work++;
                if (group.tokens == groupSize || (group.keepApart && request.rowsAssigned == request.rows))
                {
                    dispatch(group);
                }
            }
        }
        return work;
    }

    private int closeDueGroups(final long now)
    {
        int work = 0;
        final long maxWaitNs = TimeUnit.MICROSECONDS.toNanos(settings.maxWaitMicros());
        for (int l = 0; l < layers; l++)
        {
            final GroupSlot group = openShared[l];
            if (group != null && now - group.openedNs >= maxWaitNs)
            {
                dispatch(group);
                work++;
            }
        }
        return work;
    }

    private void dispatch(final GroupSlot group)
    {
        group.open = false;
        if (group.keepApart)
        {
            group.segRequest[0].openGroup = null;
        }
        else if (openShared[group.layer] == group)
        {
            openShared[group.layer] = null;
        }
        final int layer = group.layer;
        final RoutingPlan plan = group.plan;
        try
        {
            routers[layer].gates(group.x, 0, group.tokens, group.gates);
            gatings[layer].route(group.gates, group.tokens, group.anyImportance ? group.importance : null, 0,
                group.ordinal, plan);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("gating of group {} failed", group.groupId, ex);
            failGroup(group, BlockStatus.INTERNAL, "gating failed: " + ex.getMessage());
            return;
        }
        Combine.clear(group.y, 0, group.tokens, d);
        metrics.groupsDispatched.incrementAndGet();
        metrics.droppedFirstByCapacity.addAndGet(plan.droppedFirstByCapacity());
        metrics.droppedSecondByCapacity.addAndGet(plan.droppedSecondByCapacity());
        metrics.secondRemovedByPolicy.addAndGet(plan.secondRemovedByPolicy());
        metrics.tokensWithoutExpert.addAndGet(plan.tokensWithoutExpert());
        group.dispatchedNs = System.nanoTime();
        int outstanding = 0;
        for (int e = 0; e < experts; e++)
        {
            if (plan.slotCount(e) > 0)
            {
                outstanding++;
            }
        }
        group.outstanding = outstanding;
        if (outstanding == 0)
        {
            completeGroup(group);
            return;
        }
        for (int e = 0; e < experts && group.inUse; e++)
        {
            if (plan.slotCount(e) > 0)
            {
                metrics.addExpertRows(layer, e, plan.slotCount(e));
                send(group, e);
            }
        }
    }

    private void send(final GroupSlot group, final int expert)
    {
        final Route route = routes[group.layer][expert];
        final Link link = route.link;
        if (link == null || route.stale || !link.outlet.publication().isConnected())
        {
            wait(group, expert, route);
            return;
        }
        if (!link.helloSent)
        {
            final int len = helloFrame.writeGatewayHello(controlBuffer, 0, gatewayId,
                WireLayout.GATEWAY_REPLY_STREAM_ID,
                route.address.driverId().equals(dataPlane.driverId()) ? DataPlane.IPC_CHANNEL : replyUdpChannel);
            final long result = link.outlet.offer(controlBuffer, 0, len, offerIdle, OFFER_TIMEOUT_NS,
                this::whileOffering);
            if (result < 0)
            {
                wait(group, expert, route);
                return;
            }
            link.helloSent = true;
        }
        final RoutingPlan plan = group.plan;
        final int rows = plan.slotCount(expert);
        blockFrame.writeHeader(sendBuffer, 0, group.groupId, gatewayId, group.layer, expert, route.epoch, rows, d,
            BlockStatus.OK);
        for (int s = 0; s < rows; s++)
        {
            FloatRows.write(sendBuffer, WireLayout.BLOCK_HEADER_LENGTH + s * d * Float.BYTES,
                group.x, plan.slotToken(expert, s) * d, d);
        }
        final int length = WireLayout.BLOCK_HEADER_LENGTH + rows * d * Float.BYTES;
        group.attempts[expert]++;
        final long result = link.outlet.offer(sendBuffer, 0, length, offerIdle, OFFER_TIMEOUT_NS,
            this::whileOffering);
        if (result > 0)
        {
            group.sent[expert] = true;
            group.sentNs[expert] = System.nanoTime();
            group.sentLink[expert] = link;
            metrics.blocksSent.incrementAndGet();
            if (group.attempts[expert] > 1)
            {
                metrics.blocksResent.incrementAndGet();
            }
        }
        else
        {
            LOG.debug("block of group {} to expert {}/{} not sent: {}", group.groupId, group.layer, expert,
                Offers.describe(result));
            link.helloSent = false;
            route.stale = true;
            wait(group, expert, route);
        }
    }

    private void wait(final GroupSlot group, final int expert, final Route route)
    {
        if (!group.waiting[expert])
        {
            group.waiting[expert] = true;
            group.waitingCount++;
            waitingBlocks++;
        }
        final long now = System.nanoTime();
        if ((route.link == null || route.stale || !route.link.outlet.publication().isConnected()) &&
            now - route.lastRelocateNs > RELOCATE_INTERVAL_NS)
        {
            route.lastRelocateNs = now;
            relocation.relocate(group.layer, expert);
        }
    }

    private int retryWaiting(final long now)
    {
        int work = 0;
        for (final GroupSlot group : groups)
        {
            if (!group.inUse || group.open || group.waitingCount == 0)
            {
                continue;
            }
            for (int e = 0; e < experts && group.inUse; e++)
            {
                if (!group.waiting[e])
                {
                    continue;
                }
                final Route route = routes[group.layer][e];
                if (route.link != null && !route.stale && route.link.outlet.publication().isConnected())
                {
                    group.waiting[e] = false;
                    group.waitingCount--;
                    waitingBlocks--;
                    if (group.attempts[e] >= settings.maxDispatchAttempts())
                    {
                        failGroup(group, BlockStatus.EXPERT_UNAVAILABLE,
                            "expert " + group.layer + "/" + e + " did not take its block after " +
                            group.attempts[e] + " attempts");
                        break;
                    }
                    send(group, e);
                    work++;
                }
                else if (route.link == null || route.stale)
                {
                    wait(group, e, route);
                }
            }
        }
        return work;
    }

    // ---------------------------------------------------------------- results

    private void onReplyFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final BlockStatus framing = blockFrame.wrap(buffer, offset, length);
        if (framing == BlockStatus.MALFORMED)
        {
            metrics.unanswerableFrames.incrementAndGet();
            return;
        }
        final long groupId = blockFrame.groupId();
        final int slot = (int)(groupId & ((1 << GroupSlot.SLOT_BITS) - 1));
        final int expert = blockFrame.expert();
        if (slot >= groups.length || expert < 0 || expert >= experts)
        {
            metrics.staleReplies.incrementAndGet();
            return;
        }
        final GroupSlot group = groups[slot];
        if (!group.inUse || group.open || group.groupId != groupId || !group.sent[expert] || group.received[expert])
        {
            metrics.staleReplies.incrementAndGet();
            return;
        }
        final BlockStatus status = framing == BlockStatus.OK ? blockFrame.status() : framing;
        metrics.blockReplies.increment(status);
        final RoutingPlan plan = group.plan;
        switch (status)
        {
            case OK ->
            {
                if (blockFrame.rows() != plan.slotCount(expert) || blockFrame.cols() != d)
                {
                    failGroup(group, BlockStatus.INTERNAL, "expert " + group.layer + "/" + expert +
                        " answered " + blockFrame.rows() + " x " + blockFrame.cols() + " for a block of " +
                        plan.slotCount(expert) + " x " + d);
                    return;
                }
                blockFrame.readRows(replyRows, 0);
                Combine.accumulate(plan, expert, replyRows, d, group.y, 0);
                group.received[expert] = true;
                if (--group.outstanding == 0)
                {
                    completeGroup(group);
                }
            }
            case DRAINING, EXPERT_UNAVAILABLE ->
            {
                group.sent[expert] = false;
                final Route route = routes[group.layer][expert];
                route.stale = true;
                wait(group, expert, route);
            }
            default -> failGroup(group, status, "expert " + group.layer + "/" + expert + " answered " + status);
        }
    }

    private void completeGroup(final GroupSlot group)
    {
        final RoutingPlan plan = group.plan;
        for (int s = 0; s < group.segments; s++)
        {
            if (group.segmentLive(s))
            {
                final PendingRequest request = group.segRequest[s];
                request.recordGroup(group.segRequestGroup[s], plan.capacity(), plan.auxLoss());
                request.accept(group.y, plan, group.segGroupRow[s], group.segRequestRow[s], group.segCount[s]);
            }
        }
        releaseGroup(group);
    }

    private void failGroup(final GroupSlot group, final BlockStatus status, final String detail)
    {
        for (int s = 0; s < group.segments; s++)
        {
            if (group.segmentLive(s))
            {
                group.segRequest[s].fail(status, detail);
            }
        }
        releaseGroup(group);
    }

    private void releaseGroup(final GroupSlot group)
    {
        waitingBlocks -= group.waitingCount;
        group.waitingCount = 0;
        group.release();
        freeGroups.add(group);
    }

    // ---------------------------------------------------------------- answers

    private int scanDeadlines(final long now)
    {
        int work = 0;
        for (final PendingRequest request : fifo)
        {
            if (!request.done && now - request.deadlineNs > 0)
            {
                request.fail(BlockStatus.TIMEOUT, "no answer within " +
                    TimeUnit.NANOSECONDS.toMillis(request.deadlineNs - request.arrivalNs) + " ms (" +
                    request.rowsDone + " of " + request.rows + " tokens done)");
                work++;
            }
        }
        final long resendNs = TimeUnit.MILLISECONDS.toNanos(settings.blockResendMillis());
        for (final GroupSlot group : groups)
        {
            if (!group.inUse || group.open)
            {
                continue;
            }
            if (group.abandoned())
            {
                releaseGroup(group);
                work++;
                continue;
            }
            for (int e = 0; e < experts; e++)
            {
                // A block unanswered for this long may have gone to a node that left: ask where its
                // expert is, and send it again once the route names another endpoint (a late answer
                // to the first send is then ignored, the expert is combined once).
                if (group.sent[e] && !group.received[e] && now - group.sentNs[e] > resendNs)
                {
                    final Route route = routes[group.layer][e];
                    if (route.link != group.sentLink[e])
                    {
                        group.sent[e] = false;
                        wait(group, e, route);
                        work++;
                    }
                    else if (now - route.lastRelocateNs > RELOCATE_INTERVAL_NS)
                    {
                        route.lastRelocateNs = now;
                        relocation.relocate(group.layer, e);
                    }
                }
            }
        }
        return work;
    }

    private int releaseAnswers(final long now)
    {
        int work = 0;
        PendingRequest request;
        while ((request = fifo.peek()) != null && request.done)
        {
            if (request.openGroup != null)
            {
                // Failed or timed out before its last group closed: nobody else is in that group.
                final GroupSlot open = request.openGroup;
                request.openGroup = null;
                if (open.open)
                {
                    releaseGroup(open);
                }
            }
            fifo.poll();
            queuedTokens -= request.rows;
            metrics.queuedRequests.set(fifo.size());
            metrics.answers.increment(request.status);
            final Outlet client = clients.get(request.clientId);
            if (client != null)
            {
                final int length;
                if (request.status == BlockStatus.OK)
                {
                    metrics.tokensAnswered.addAndGet(request.rows);
                    length = request.wantRouting ?
                        answerFrame.writeResult(answerBuffer, 0, request.clientId, request.requestId, request.rows,
                            d, request.y, request.groupsTouched, request.capacity, request.auxLoss, request.expert,
                            request.position, request.gate) :
                        answerFrame.writeResult(answerBuffer, 0, request.clientId, request.requestId, request.rows,
                            d, request.y, 0, null, null, null, null, null);
                }
                else
                {
                    length = answerFrame.writeError(answerBuffer, 0, request.clientId, request.requestId,
                        request.status, clip(request.detail));
                }
                deliver(client, length);
            }
            else
            {
                metrics.answersUndelivered.incrementAndGet();
            }
            metrics.recordLatencyMicros(TimeUnit.NANOSECONDS.toMicros(now - request.arrivalNs));
            requestPool.add(request);
            work++;
        }
        return work;
    }

    @Override
    public void onStart()
    {
        requestBell.attach();
        replyBell.attach();
    }

    @Override
    public void onClose()
    {
        requestBell.detach();
        replyBell.detach();
        for (final PendingRequest request : fifo)
        {
            request.fail(BlockStatus.SHUTTING_DOWN, "the gateway is shutting down");
        }
        releaseAnswers(System.nanoTime());
        links.values().forEach(l -> CloseHelper.quietClose(l.outlet));
        clients.values().forEach(CloseHelper::quietClose);
        CloseHelper.closeAll(clientIpc, clientUdp, replyIpc, replyUdp);
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
    }
}
