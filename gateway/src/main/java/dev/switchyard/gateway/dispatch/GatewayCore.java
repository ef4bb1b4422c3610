package dev.switchyard.gateway.dispatch;

import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.switchyard.dataplane.AgentHost;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.Doorbell;
import dev.switchyard.dataplane.GuardedFragments;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.experts.endpoint.EndpointAddress;
import dev.switchyard.gateway.gating.LayerGating;
import dev.switchyard.gateway.gating.SeedLayerGating;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.wire.frame.WireLayout;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway's data plane, one thread: accepts client requests (admission, deadlines), forms token
 * groups, gates them with the router, sends each expert its block, combines the results as they
 * arrive and answers every admitted request exactly once, each client's in the order it sent them.
 * Where experts live is told by the control plane ({@link #updateRoute}); a block answered DRAINING
 * or unavailable waits for a new route and is sent again, so an expert can move while traffic flows.
 * <p>
 * This agent owns the subscriptions and the duty cycle; the work is done by its parts:
 * {@link ClientStreams}, {@link ClientIntake} and {@link ClientOutlets} (clients in and out),
 * {@link GroupFormer} (groups, clients in turn) and {@link GroupDispatcher}, {@link BlockSender} and
 * {@link ExpertRoutes} (experts out), {@link ReplyCombiner} (experts in) and {@link AnswerRelease}
 * (answers, each client's in order), which share the {@link RequestQueue} of admitted requests and
 * the {@link GroupPool} of groups in flight.
 */
public final class GatewayCore implements Agent, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(GatewayCore.class);
    private static final int FRAGMENT_LIMIT = 16;
    /**
     * Client requests over UDP come in MTU-sized fragments: taking in (or refusing) a large request
     * must not need hundreds of duty cycles while many clients wait on back-pressure.
     */
    private static final int CLIENT_UDP_FRAGMENT_LIMIT = 256;
    /**
     * Replies complete groups and free their slots; an endpoint holds few results for a gateway
     * that does not take them, so each pass takes in as many as it reads client fragments.
     */
    private static final int REPLY_FRAGMENT_LIMIT = 256;
    private static final long SCAN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final DataPlane dataPlane;
    private final int maxRequestRows;
    private final GatewayMetrics metrics;
    private final NanoClock clock;

    private final ExpertRoutes routes;
    private final GroupPool pool;
    private final ClientOutlets clients;
    private final GroupFormer former;
    private final BlockSender sender;
    private final GroupDispatcher dispatcher;
    private final AnswerRelease answers;
    private final Admission admission;
    private final ClientIntake intake;
    private final ClientStreams clientPoll;

    private final Subscription clientIpc;
    private final Subscription clientUdp;
    private final Subscription replyIpc;
    private final Subscription replyUdp;
    private final String clientChannel;
    private final GuardedFragments clientIpcAssembler;
    private final GuardedFragments clientUdpAssembler;
    private final FragmentAssembler replyIpcAssembler;
    private final FragmentAssembler replyUdpAssembler;

    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(4096);
    private final Doorbell requestBell;
    private final Doorbell replyBell;
    private long lastScanNs;
    private final GatewayDrain drain = new GatewayDrain();
    private final AgentHost host;
    private Offers.WhileWaiting peerWork = () -> 0;

    /**
     * @param config          the served shape: d, the experts a plan addresses, the group size
     * @param gatings         the gating of every layer, [layers]: the seed's top-2
     *                        ({@link SeedLayerGating#of}) or a checkpoint family's rule and shared experts
     * @param clientPolicy    how each client is treated (handshake, release, fair share of the queue)
     * @param clientHost      the address clients reach this gateway at
     * @param dropUnavailable what a request that does not choose gets when one of its experts cannot
     *                        be reached: a degraded answer at once (true) or a wait for the expert
     */
    public GatewayCore(
        final DataPlane dataPlane,
        final ModelConfig config,
        final LayerGating[] gatings,
        final GatewaySettings settings,
        final ClientPolicy clientPolicy,
        final String clientHost,
        final RelocationRequests relocation,
        final GatewayMetrics metrics,
        final boolean dropUnavailable)
    {
        this(dataPlane, config, gatings, settings, clientPolicy, clientHost, relocation, metrics, dropUnavailable,
            SystemNanoClock.INSTANCE);
    }

    /**
     * As the public constructor, every part reading time from {@code clock}: deadlines, group
     * waits, resends, handshakes and heartbeats follow a clock a test sets.
     */
    GatewayCore(
        final DataPlane dataPlane,
        final ModelConfig config,
        final LayerGating[] gatings,
        final GatewaySettings settings,
        final ClientPolicy clientPolicy,
        final String clientHost,
        final RelocationRequests relocation,
        final GatewayMetrics metrics,
        final boolean dropUnavailable,
        final NanoClock clock)
    {
        this.dataPlane = dataPlane;
        this.metrics = metrics;
        this.clock = clock;
        final int layers = gatings.length;
        final int experts = config.numExperts();
        final int d = config.dModel();
        final int groupSize = config.routing().groupSize();
        final int maxMessage = dataPlane.settings().maxMessageLength();
        final FrameSizes sizes = FrameSizes.of(config, maxMessage, LayerGating.reportEntries(gatings));
        this.maxRequestRows = sizes.maxRequestRows();
        this.routes = new ExpertRoutes(dataPlane, layers, experts, relocation);
        this.pool = new GroupPool(settings.maxGroupsInFlight(), groupSize, d, experts, gatings);
        this.admission = new Admission(settings, clientPolicy);
        final RequestQueue requests = new RequestQueue(admission);
        this.requestBell = dataPlane.ipcDoorbell(WireLayout.CLIENT_REQUEST_STREAM_ID);
        this.replyBell = dataPlane.ipcDoorbell(WireLayout.GATEWAY_REPLY_STREAM_ID);

        this.clientIpc = dataPlane.subscribeIpc(WireLayout.CLIENT_REQUEST_STREAM_ID);
        this.clientUdp = dataPlane.subscribeUdp(clientHost, settings.clientPort(), WireLayout.CLIENT_REQUEST_STREAM_ID);
        this.replyIpc = dataPlane.subscribeIpc(WireLayout.GATEWAY_REPLY_STREAM_ID);
        this.replyUdp = dataPlane.subscribeUdp(dataPlane.settings().gatewayPort(), WireLayout.GATEWAY_REPLY_STREAM_ID);
        this.clientChannel = dataPlane.resolvedChannel(clientUdp);
        final String replyUdpChannel = dataPlane.resolvedChannel(replyUdp);

        this.clients = new ClientOutlets(dataPlane, experts, groupSize, layers, d, sizes, metrics, clientPolicy, clock);
        this.intake = new ClientIntake(gatings, d, maxRequestRows, settings, requests,
            admission, clients, metrics, clock);
        this.clientPoll = new ClientStreams(intake);
        this.sender = new BlockSender(dataPlane, routes, pool, d, experts, sizes, settings, replyUdpChannel, metrics,
            clock);
        this.dispatcher = new GroupDispatcher(d, experts, gatings, pool, sender, metrics, routes, dropUnavailable,
            clock);
        this.former = new GroupFormer(layers, groupSize, d, settings, requests, pool, dispatcher);
        final ReplyCombiner combiner = new ReplyCombiner(d, experts, pool, sender, routes, metrics, clock);
        this.answers = new AnswerRelease(requests, pool, clients, metrics, clock);

        // No frame can throw out of the duty cycle: a defect is counted against its sender.
        final GuardedFragments guardedCombiner = new GuardedFragments(combiner, metrics.replyFrames);
        this.clientIpcAssembler = new GuardedFragments(new RequestAssembler(intake, requests, metrics),
            metrics.clientFrames);
        this.clientUdpAssembler = new GuardedFragments(new RequestAssembler(intake, requests, metrics),
            metrics.clientFrames);
        this.replyIpcAssembler = new FragmentAssembler(guardedCombiner, maxMessage, true);
        this.replyUdpAssembler = new FragmentAssembler(guardedCombiner, maxMessage, true);
        this.host = new AgentHost(this, "gateway", metrics.agentErrors);
    }

    /**
     * Runs this core on {@code shared}, a runner of several agents, rather than a thread of its own;
     * {@code peerWork} is the work of the agents beside it, done while an offer waits for room (an
     * expert endpoint on the same thread must keep consuming, or the gateway would wait on itself).
     * Closing either closes the runner.
     */
    public void runOn(final AgentRunner shared, final Offers.WhileWaiting peerWork)
    {
        host.runOn(shared);
        this.peerWork = peerWork;
    }

    /** Results waiting on the reply streams, taken in; also the work an agent beside this one does. */
    public int pollReplies()
    {
        return replyIpc.poll(replyIpcAssembler, REPLY_FRAGMENT_LIMIT) +
            replyUdp.poll(replyUdpAssembler, REPLY_FRAGMENT_LIMIT);
    }

    /** Shows every request and answer frame to {@code tap}; set before the core starts. */
    public void tap(final TrafficTap tap)
    {
        intake.tap = tap;
        clients.tap = tap;
    }

    public GatewayCore start()
    {
        host.start(dataPlane.newIdleStrategy());
        return this;
    }

    /** The UDP channel clients send to ({@code aeron:udp?endpoint=host:port}). */
    public String clientChannel()
    {
        return clientChannel;
    }

    /** Whether the thread that runs this gateway (its own or a shared one) is running it. */
    public boolean running()
    {
        return host.running();
    }

    /** Stops taking requests: new ones are answered SHUTTING_DOWN at once, those admitted are served. */
    public void drain()
    {
        commands.offer(() -> drain.begin(admission, clients));
    }

    /** Requests admitted and not yet answered (held answers included) once draining; -1 until then. */
    public int unansweredWhileDraining()
    {
        return drain.unanswered();
    }

    /** Once draining, when the last request came, on this core's clock ({@link System#nanoTime()}). */
    public long lastRequestNanos()
    {
        return drain.lastRequestNs();
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
        updateRoute(layer, expert, 0, address, epoch);
    }

    /**
     * The control plane learned that replica {@code replica} of {@code (layer, expert)} is served at {@code address}.
     */
    public void updateRoute(
        final int layer, final int expert, final int replica, final EndpointAddress address, final int epoch)
    {
        if (host.closed() || !commands.offer(() -> applyRoute(layer, expert, replica, address, epoch)))
        {
            LOG.warn("route of expert {}/{} not applied: gateway closed or saturated", layer, expert);
            return;
        }
        requestBell.ring();
    }

    private void applyRoute(
        final int layer, final int expert, final int replica, final EndpointAddress address, final int epoch)
    {
        try
        {
            routes.apply(layer, expert, replica, address, epoch);
        }
        catch (final AeronException ex)
        {
            // The media driver cannot send there at all (no route to the advertised address, say):
            // the endpoint is named, and the copy waits for its next location like a lost one.
            routes.unreachable(layer, expert, replica);
            metrics.silentEndpoints.unanswered(address.udpChannel(), address.driverId(),
                "cannot send there: " + String.valueOf(ex.getMessage()).lines().findFirst().orElse(""));
        }
    }

    /**
     * Placement removed replica {@code replica} of {@code (layer, expert)}: no new part goes to it;
     * parts in flight there are answered (it drains before it stops) or re-sent to another replica.
     */
    public void retireRoute(final int layer, final int expert, final int replica)
    {
        if (host.closed() || !commands.offer(() -> routes.retire(layer, expert, replica)))
        {
            LOG.warn("retirement of expert {}/{} copy {} not applied: gateway closed or saturated", layer, expert,
                replica);
            return;
        }
        requestBell.ring();
    }

    /**
     * The control plane lost the node that serves the endpoint at {@code address} (it became
     * unreachable): its experts wait for new locations, and the blocks in flight to it are sent
     * again as soon as those are known.
     */
    public void endpointLost(final EndpointAddress address)
    {
        if (host.closed() || !commands.offer(() ->
        {
            final ExpertRoutes.Link link = routes.lose(address);
            // Its node is gone (cluster status says unreachable): its endpoint is no longer one that fails to answer.
            metrics.silentEndpoints.forget(address.udpChannel());
            if (link != null)
            {
                final int recalled = sender.recall(link, dispatcher);
                LOG.debug("endpoint {} lost: {} blocks in flight recalled", address, recalled);
            }
        }))
        {
            LOG.warn("loss of endpoint {} not applied: gateway closed or saturated", address);
            return;
        }
        requestBell.ring();
    }

    /** Whether a route is known for every expert of every layer. */
    public boolean allRoutesKnown()
    {
        return routes.allKnown();
    }

    /** Up to {@code limit} experts ({@code layer/expert}) that cannot take a block now; from any thread. */
    public List<String> unreachableExperts(final int limit)
    {
        return routes.unusable(limit);
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
        work += clientPoll.poll(clientIpc, clientIpcAssembler, FRAGMENT_LIMIT);
        work += clientPoll.poll(clientUdp, clientUdpAssembler, CLIENT_UDP_FRAGMENT_LIMIT);
        work += pollReplies();
        final long now = clock.nanoTime();
        work += clients.poll(now);
        work += former.fill(now);
        work += former.closeDue(now);
        work += sender.retryHeld();
        if (now - lastScanNs > SCAN_INTERVAL_NS)
        {
            lastScanNs = now;
            // Deadlines first: a group whose requests all just timed out is then released, not resent.
            work += answers.expireOverdue(now);
            work += admission.expire(now);
            intake.forgetSessions(clients.connected());
            work += pool.releaseAbandoned();
            work += sender.resendOverdue(now);
        }
        work += answers.release(now);
        drain.publish(admission, clients);
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
        answers.shutDown();
        routes.close();
        clients.close();
        CloseHelper.closeAll(clientIpc, clientUdp, replyIpc, replyUdp);
    }

    @Override
    public void close()
    {
        host.close();
    }
}
