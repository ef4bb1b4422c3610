package dev.switchyard.gateway.dispatch;

import java.util.concurrent.TimeUnit;

import dev.switchyard.experts.endpoint.DataPlane;
import dev.switchyard.experts.endpoint.Offers;
import dev.switchyard.experts.endpoint.Outlet;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.router.wire.AnswerFrame;
import dev.switchyard.router.wire.HelloFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way back to clients: one outlet per client, opened by its hello, and the frames sent on it
 * (the welcome, then every answer, written into one reused buffer).
 */
final class ClientOutlets implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientOutlets.class);
    // The welcome goes on an outlet opened a moment before: it also waits for that to connect.
    private static final long WELCOME_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long ANSWER_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final DataPlane dataPlane;
    private final GatewayMetrics metrics;
    private final int d;
    private final int experts;
    private final int groupSize;
    private final int layers;
    private final int maxRequestRows;
    private final Long2ObjectHashMap<Outlet> clients = new Long2ObjectHashMap<>();
    private final HelloFrame helloFrame = new HelloFrame();
    private final AnswerFrame answerFrame = new AnswerFrame();
    private final UnsafeBuffer welcomeBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
    private final UnsafeBuffer answerBuffer;
    private final IdleStrategy offerIdle;
    private final Offers.WhileWaiting whileOffering;

    /**
     * @param offerIdle     how an offer waits for room (shared by the gateway's offers, one thread)
     * @param whileOffering work done while an offer waits for room
     */
    ClientOutlets(
        final DataPlane dataPlane,
        final int experts,
        final int groupSize,
        final int layers,
        final int d,
        final FrameSizes sizes,
        final GatewayMetrics metrics,
        final IdleStrategy offerIdle,
        final Offers.WhileWaiting whileOffering)
    {
        this.dataPlane = dataPlane;
        this.metrics = metrics;
        this.d = d;
        this.experts = experts;
        this.groupSize = groupSize;
        this.layers = layers;
        this.maxRequestRows = sizes.maxRequestRows();
        this.answerBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(sizes.answerFrameLength(), 64));
        this.offerIdle = offerIdle;
        this.whileOffering = whileOffering;
    }

    /** The outlet of a client that said hello, or null. */
    Outlet outlet(final long clientId)
    {
        return clients.get(clientId);
    }

    /** Opens the way back to a client (replacing any it had) and tells it the model's shape. */
    void connect(final HelloFrame.Hello hello)
    {
        CloseHelper.quietClose(clients.remove(hello.senderId()));
        final Outlet client = dataPlane.outlet(hello.channel(), hello.streamId());
        clients.put(hello.senderId(), client);
        final int len = helloFrame.writeWelcome(welcomeBuffer, 0, new HelloFrame.Welcome(
            hello.senderId(), d, experts, groupSize, layers, maxRequestRows));
        final long result = client.offer(welcomeBuffer, 0, len, offerIdle, WELCOME_TIMEOUT_NS, whileOffering);
        if (result < 0)
        {
            LOG.warn("welcome to client {} not sent: {}", hello.senderId(), Offers.describe(result));
        }
    }

    /** Answers a request that was never admitted. */
    void refuse(
        final Outlet client, final long clientId, final long requestId, final BlockStatus status,
        final String detail)
    {
        metrics.answers.increment(status);
        final int len = answerFrame.writeError(
            answerBuffer, 0, clientId, requestId, status, FrameSizes.clip(detail));
        deliver(client, len);
    }

    /** Answers an admitted request: its outputs (and routing, if asked for) or why it failed. */
    void answer(final PendingRequest request)
    {
        final Outlet client = clients.get(request.clientId);
        if (client == null)
        {
            metrics.answersUndelivered.incrementAndGet();
            return;
        }
        final int length;
        if (request.status == BlockStatus.OK || request.status == BlockStatus.DEGRADED)
        {
            metrics.tokensAnswered.addAndGet(request.rows);
            final String detail = FrameSizes.clip(request.detail);
            // y [rows, d]; expert, position, gate [rows, 2]; capacity, auxLoss [groups touched]
            length = request.wantRouting ?
                answerFrame.writeResult(answerBuffer, 0, request.clientId, request.requestId, request.status, detail,
                    request.rows, d, request.y, request.groupsTouched, request.capacity, request.auxLoss,
                    request.expert, request.position, request.gate) :
                answerFrame.writeResult(answerBuffer, 0, request.clientId, request.requestId, request.status, detail,
                    request.rows, d, request.y, 0, null, null, null, null, null);
        }
        else
        {
            length = answerFrame.writeError(answerBuffer, 0, request.clientId, request.requestId,
                request.status, FrameSizes.clip(request.detail));
        }
        deliver(client, length);
    }

    private void deliver(final Outlet client, final int length)
    {
        final long result = client.offer(answerBuffer, 0, length, offerIdle, ANSWER_TIMEOUT_NS, whileOffering);
        if (result < 0)
        {
            metrics.answersUndelivered.incrementAndGet();
        }
    }

    @Override
    public void close()
    {
        clients.values().forEach(CloseHelper::quietClose);
    }
}
