package dev.switchyard.gateway.dispatch;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchyard.compute.router.RouterProjection;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.experts.endpoint.EndpointAddress;
import dev.switchyard.gateway.gating.LayerGating;
import dev.switchyard.gateway.gating.SeedLayerGating;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.routing.gating.Top2Gating;
import dev.switchyard.testkit.Await;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A block left unanswered is sent again after the resend time, and dropped where its node is found
 * unreachable while it waits, on a manual clock: the expert's endpoint is a real IPC subscription that
 * never replies.
 */
class BlockResendTest
{
    private static final int D = 4;
    private static final int G = 4;
    private static final int E = 4;
    private static final int STREAM = 7300;
    private static final int HELD_STREAM = 7310;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ModelConfig CONFIG = new ModelConfig(D, 8, E, Activation.RELU, true,
        new RoutingConfig(G, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L));

    private static DataPlane dataPlane;

    @BeforeAll
    static void start()
    {
        dataPlane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff",
            1 << 20, 1 << 20, 1408));
    }

    @AfterAll
    static void stop()
    {
        CloseHelper.quietClose(dataPlane);
    }

    @Test
    void aBlockUnansweredForTheResendTimeIsSentAgainNotBefore()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        clock.update(TimeUnit.SECONDS.toNanos(100));
        final GatewaySettings settings = GatewaySettings.defaults();
        final long resendNs = TimeUnit.MILLISECONDS.toNanos(settings.blockResendMillis());
        final GatewayMetrics metrics = new GatewayMetrics(1, E);
        final AtomicInteger relocations = new AtomicInteger();
        final GroupPool pool = new GroupPool(4, G, D, E);
        try (Subscription endpoint = dataPlane.subscribeIpc(STREAM);
            ExpertRoutes routes = new ExpertRoutes(dataPlane, 1, E, (layer, expert) -> relocations.incrementAndGet()))
        {
            routes.apply(0, 0, 0, new EndpointAddress(dataPlane.driverId(), "aeron:udp?endpoint=127.0.0.1:1", STREAM),
                1);
            Await.until(() -> routes.usableCount(0, 0) == 1, WAIT, () -> "the expert's endpoint not connected");
            final BlockSender sender = new BlockSender(dataPlane, routes, pool, D, E,
                FrameSizes.of(CONFIG, dataPlane.settings().maxMessageLength()), settings,
                "aeron:udp?endpoint=127.0.0.1:2", metrics, clock);
            final GroupSlot group = dispatched(pool, clock.nanoTime());
            final long sent = clock.nanoTime();
            assertTrue(sender.send(group, 0));
            assertEquals(1, awaitBlocks(endpoint, 1));

            clock.update(sent + resendNs);
            assertEquals(0, sender.resendOverdue(clock.nanoTime()), "unanswered for the resend time, not past it");
            assertEquals(0, sender.retryHeld());
            assertFalse(group.waiting[0]);
            assertEquals(0, relocations.get());

            clock.update(sent + resendNs + 1);
            assertEquals(1, sender.resendOverdue(clock.nanoTime()), "past the resend time");
            assertTrue(group.waiting[0], "held for its expert's route");
            assertEquals(1, relocations.get(), "its expert's location is asked for");
            assertEquals(1, sender.retryHeld(), "its route is still usable: sent again at once");
            assertEquals(1, awaitBlocks(endpoint, 1));
            assertEquals(2, metrics.blocksSent.get());
            assertEquals(1, metrics.blocksResent.get(), "the second send is counted as a resend");
            assertEquals(2, group.attempts[0]);
            assertEquals(clock.nanoTime(), group.sentNs[0], "its resend time counts from the second send");

            clock.advance(resendNs);
            assertEquals(0, sender.resendOverdue(clock.nanoTime()));
            assertEquals(1, metrics.blocksResent.get());
        }
    }

    /**
     * A node cut off from the gateway: its blocks go unanswered, are held for a resend, and the node is
     * only then found unreachable. A block held at that moment (not in flight) of a request that leaves
     * the choice to a gateway with {@code on-unavailable = drop} is dropped as a block in flight would be:
     * the request is answered DEGRADED at once, not left to time out waiting for the expert's next home
     * (NetworkLabTest's cut found requests timing out so).
     */
    @Test
    void aBlockHeldForResendWhenItsNodeBecomesUnreachableIsDroppedForADroppingRequest()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        clock.update(TimeUnit.SECONDS.toNanos(100));
        final GatewaySettings settings = GatewaySettings.defaults();
        final GatewayMetrics metrics = new GatewayMetrics(1, E);
        final LayerGating[] gatings = SeedLayerGating.of(CONFIG, List.of(router()));
        final GroupPool pool = new GroupPool(4, G, D, E, gatings);
        final EndpointAddress address =
            new EndpointAddress(dataPlane.driverId(), "aeron:udp?endpoint=127.0.0.1:1", HELD_STREAM);
        try (Subscription endpoint = dataPlane.subscribeIpc(HELD_STREAM);
            ExpertRoutes routes = new ExpertRoutes(dataPlane, 1, E, (layer, expert) -> { }))
        {
            routes.apply(0, 0, 0, address, 1);
            Await.until(() -> routes.usableCount(0, 0) == 1, Duration.ofSeconds(10), () -> "endpoint not connected");
            final BlockSender sender = new BlockSender(dataPlane, routes, pool, D, E,
                FrameSizes.of(CONFIG, dataPlane.settings().maxMessageLength()), settings,
                "aeron:udp?endpoint=127.0.0.1:2", metrics, clock);
            final GroupDispatcher dispatcher = new GroupDispatcher(D, E, gatings, pool, sender, metrics, routes,
                true, clock);
            final PendingRequest request = new PendingRequest();
            request.reset(1, 1, 0, G, D);
            request.whole = new WholeRequest();
            request.whole.total = G;
            request.onUnavailable = RequestFrame.ON_UNAVAILABLE_DEFAULT;  // the gateway's: drop
            final GroupSlot group = dispatchedFor(pool, request, clock.nanoTime());
            assertTrue(sender.send(group, 0));

            // Unanswered past the resend time: held for its expert's route, not in flight.
            clock.advance(TimeUnit.MILLISECONDS.toNanos(settings.blockResendMillis()) + 1);
            sender.resendOverdue(clock.nanoTime());
            assertTrue(group.waiting[0], "held for a resend");

            // Then its node is found unreachable.
            sender.recall(routes.lose(address), dispatcher);
            assertFalse(group.inUse, "the group went on without the expert and completed");
            assertTrue(request.done, "the request is answered at once");
            assertEquals(BlockStatus.DEGRADED, request.status, request.detail);
            assertEquals("experts 0 of layer 0 could not be reached: computed without them (capacity 0)",
                request.detail);
            assertEquals(0, pool.heldBlocks(), "nothing left waiting");
        }
    }

    /** A group of G tokens routed and split as the dispatcher does, ready for expert 0's block to go. */
    private static GroupSlot dispatched(final GroupPool pool, final long nowNs)
    {
        final GroupSlot group = pool.borrow();
        group.open(1, 0, false, nowNs);
        group.reserveRows(G);
        group.tokens = G;
        for (int t = 0; t < G; t++)
        {
            // Every token's first choice is expert 0, its second expert 1.
            group.gates[t * E] = 0.6f;
            group.gates[t * E + 1] = 0.4f;
        }
        new Top2Gating(CONFIG.routing(), E, G).route(group.gates, G, null, 0, 0, group.plan);
        group.open = false;
        group.reserveOutputs();
        final int rows = group.plan.slotCount(0);
        assertTrue(rows > 0);
        group.split(0, rows, 1);
        group.outstanding = 1;
        return group;
    }

    /** Waits for {@code count} blocks (the gateway's hello aside) at the endpoint; returns how many came. */
    private static int awaitBlocks(final Subscription endpoint, final int count)
    {
        final ExpertBlockFrame frame = new ExpertBlockFrame();
        final AtomicInteger blocks = new AtomicInteger();
        Await.until(() ->
        {
            endpoint.poll((buffer, offset, length, header) ->
            {
                if (frame.wrap(buffer, offset, length) == BlockStatus.OK)
                {
                    blocks.incrementAndGet();
                }
            }, 16);
            return blocks.get() >= count;
        }, WAIT, () -> blocks.get() + " blocks received");
        return blocks.get();
    }

    /** A router of zeros, [E, d]: the test sets the gates itself. */
    private static RouterProjection router()
    {
        return new RouterProjection(new F32Tensor("router", new long[] {E, D},
            Arena.ofAuto().allocate(ValueLayout.JAVA_FLOAT, (long)E * D)));
    }

    /** A group of G tokens of {@code request}, routed so that only expert 0 has rows, its block ready to go. */
    private static GroupSlot dispatchedFor(final GroupPool pool, final PendingRequest request, final long nowNs)
    {
        final GroupSlot group = pool.borrow();
        group.open(1, 0, false, nowNs);
        group.reserveRows(G);
        group.addSegment(request, 0, G, request.touchGroup());
        group.tokens = G;
        request.rowsAssigned = G;
        for (int t = 0; t < G; t++)
        {
            group.gates[t * E] = 1.0f;
        }
        new Top2Gating(CONFIG.routing(), E, G).route(group.gates, G, null, 0, 0, group.plan);
        group.open = false;
        group.reserveOutputs();
        group.split(0, group.plan.slotCount(0), 1);
        group.outstanding = 1;
        return group;
    }
}
