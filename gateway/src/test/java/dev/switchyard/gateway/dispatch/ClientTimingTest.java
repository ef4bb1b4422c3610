package dev.switchyard.gateway.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.testkit.Await;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client's time at the gateway on a manual clock: heartbeats after an interval of silence, the
 * release of a client whose answer channel stays disconnected, and the timeout of a request past its
 * deadline. The client's answer channel is a real IPC publication (whether it is connected is the
 * media driver's to say), while every decision is taken at a time the test sets.
 */
class ClientTimingTest
{
    private static final int D = 4;
    private static final int G = 4;
    private static final int E = 4;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Longer than the 100 ms between two looks at the welcomed clients: each step is a look. */
    private static final long STEP = 120 * MS;
    private static final long IDLE = ClientPolicy.defaults().idleTimeout().toNanos();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ModelConfig CONFIG = new ModelConfig(D, 8, E, Activation.RELU, true,
        new RoutingConfig(G, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L));
    private static final String WELCOME = "welcome";
    private static final String HEARTBEAT = "heartbeat";
    private static final String ANSWER = "answer";

    private static DataPlane dataPlane;
    private static int nextStream = 7100;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final GatewayMetrics metrics = new GatewayMetrics(1, E);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AnswerFrame answerFrame = new AnswerFrame();
    private final List<String> answers = new ArrayList<>();
    private ClientOutlets clients;
    private Subscription inbox;
    private int stream;

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

    @BeforeEach
    void open()
    {
        clock.update(TimeUnit.SECONDS.toNanos(100));
        stream = nextStream++;
        clients = new ClientOutlets(dataPlane, E, G, 1, D,
            FrameSizes.of(CONFIG, dataPlane.settings().maxMessageLength()), metrics, ClientPolicy.defaults(), clock);
    }

    @AfterEach
    void close()
    {
        clients.close();
        CloseHelper.quietClose(inbox);
    }

    @Test
    void aHeartbeatGoesOutAfterAnIntervalOfSilenceOnly()
    {
        final long welcomed = welcome(1);
        pollAt(welcomed + STEP);
        assertEquals(List.of(), received());
        pollAt(welcomed + 2 * STEP);
        assertEquals(List.of(), received(), "240 ms of silence: less than the interval");
        pollAt(welcomed + 3 * STEP);
        assertEquals(List.of(HEARTBEAT), await(1), "360 ms of silence");

        // An answer is news too: the silence counts from it.
        clock.update(welcomed + 3 * STEP + 40 * MS);
        clients.refuse(1, 9, BlockStatus.BAD_INPUT, "refused");
        assertEquals(List.of(ANSWER), await(1));
        pollAt(welcomed + 4 * STEP);
        pollAt(welcomed + 5 * STEP);
        assertEquals(List.of(), received(), "200 ms since the answer");
        pollAt(welcomed + 6 * STEP);
        assertEquals(List.of(HEARTBEAT), await(1), "320 ms since the answer");
    }

    @Test
    void aClientDisconnectedPastTheIdleTimeoutIsReleased()
    {
        final long welcomed = welcome(2);
        disconnect(2);
        final long seen = welcomed + STEP;
        pollAt(seen);  // the first look that finds it disconnected
        pollAt(seen + IDLE);
        assertEquals(1, clients.connected(), "disconnected for the idle timeout, not past it");
        assertEquals(0, metrics.clientsReleased.get());
        pollAt(seen + IDLE + STEP);
        assertEquals(0, clients.connected(), "disconnected past the idle timeout");
        assertEquals(1, metrics.clientsReleased.get());
    }

    @Test
    void aClientThatReconnectsBeforeTheIdleTimeoutIsKept()
    {
        final long welcomed = welcome(3);
        disconnect(3);
        final long seen = welcomed + STEP;
        pollAt(seen);
        pollAt(seen + IDLE / 2);
        reconnect(3);
        pollAt(seen + IDLE / 2 + STEP);  // seen connected: its disconnection is forgotten
        disconnect(3);
        final long again = seen + IDLE / 2 + 2 * STEP;
        pollAt(again);
        pollAt(seen + IDLE + STEP);
        assertEquals(1, clients.connected(), "past the idle timeout of its first disconnection, kept");
        pollAt(again + IDLE);
        assertEquals(1, clients.connected());
        pollAt(again + IDLE + STEP);
        assertEquals(0, clients.connected(), "its second disconnection lasted past the idle timeout");
        assertEquals(1, metrics.clientsReleased.get());
    }

    @Test
    void aRequestPastItsDeadlineIsAnsweredTimeoutWithItsTokenCounts()
    {
        final long clientId = 4;
        final long start = welcome(clientId);
        final Admission admission = new Admission(GatewaySettings.defaults(), ClientPolicy.defaults());
        final RequestQueue requests = new RequestQueue(admission);
        final AnswerRelease release = new AnswerRelease(requests, new GroupPool(4, G, D, E), clients, metrics, clock);
        final long deadline = start + 10 * MS;
        final WholeRequest whole = admission.open(clientId, 1, 0, 2 * G, 2 * G, 0, start, deadline);
        admission.arrive(whole, 2 * G);
        final PendingRequest request = requests.take();
        request.reset(clientId, 1, 0, 2 * G, D);
        request.whole = whole;
        request.arrivalNs = start;
        request.deadlineNs = deadline;
        requests.admit(request);
        request.accept(new float[G * D], new RoutingPlan(G, E), 0, 0, 0, G);  // its first group came back

        assertEquals(0, release.expireOverdue(deadline), "at its deadline, not past it");
        assertEquals(0, release.release(deadline));
        assertEquals(List.of(), received());

        assertEquals(1, release.expireOverdue(deadline + 1));
        assertEquals(1, release.release(deadline + 1));
        assertEquals(List.of(ANSWER), await(1));
        assertEquals(List.of("TIMEOUT no answer within 10 ms (4 of 8 tokens done)"), answers);
        assertEquals(1, metrics.answers.get(BlockStatus.TIMEOUT));
        assertEquals(0, requests.size());
        assertEquals(0, admission.tokens(), "its tokens are given back");
    }

    /** Says hello as {@code clientId} and takes the welcome; returns the time it was welcomed at. */
    private long welcome(final long clientId)
    {
        inbox = dataPlane.subscribeIpc(stream);
        assertTrue(clients.connect(new HelloFrame.Hello(clientId, stream, DataPlane.IPC_CHANNEL), clock.nanoTime()));
        // The driver adds the publication in its own time: the handshake is tried as the clock moves on.
        Await.until(() ->
        {
            clock.advance(MS);
            clients.poll(clock.nanoTime());
            return clients.connected() == 1;
        }, WAIT, () -> "client " + clientId + " not welcomed");
        final long welcomed = clock.nanoTime();
        assertEquals(List.of(WELCOME), await(1));
        return welcomed;
    }

    private void disconnect(final long clientId)
    {
        CloseHelper.quietClose(inbox);
        inbox = null;
        Await.until(() -> !clients.outlet(clientId).publication().isConnected(), WAIT,
            () -> "client " + clientId + " still connected");
    }

    private void reconnect(final long clientId)
    {
        inbox = dataPlane.subscribeIpc(stream);
        Await.until(() -> clients.outlet(clientId).publication().isConnected(), WAIT,
            () -> "client " + clientId + " not connected again");
    }

    private void pollAt(final long nowNs)
    {
        clock.update(nowNs);
        clients.poll(nowNs);
    }

    /** The frames that reach the client now, by kind. */
    private List<String> received()
    {
        final List<String> kinds = new ArrayList<>();
        inbox.poll((buffer, offset, length, h) ->
        {
            header.wrap(buffer, offset);
            if (HelloFrame.isHeartbeat(header))
            {
                kinds.add(HEARTBEAT);
            }
            else if (AnswerFrame.isAnswer(header))
            {
                assertTrue(answerFrame.wrap(header, buffer, offset, length));
                answers.add(answerFrame.status() + " " + answerFrame.detail());
                kinds.add(ANSWER);
            }
            else
            {
                kinds.add(WELCOME);
            }
        }, 16);
        return kinds;
    }

    /** The next {@code count} frames the client receives (the subscriber sees an image a moment after the driver). */
    private List<String> await(final int count)
    {
        final List<String> kinds = new ArrayList<>();
        Await.until(() ->
        {
            kinds.addAll(received());
            return kinds.size() >= count;
        }, WAIT, () -> "frames received: " + kinds);
        assertFalse(kinds.size() > count, "more frames than expected: " + kinds);
        return kinds;
    }
}
