package dev.switchyard.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.wire.frame.HelloFrame;
import org.agrona.concurrent.SystemNanoClock;

/**
 * One gateway as a client sees it: the connection both ways, whether the gateway still serves this
 * client, the receiving agent that reads its frames, the requests it has not answered yet, and the
 * cutting of requests into its messages.
 * <p>
 * A gateway that answers SHUTTING_DOWN is stopping (it drains: it answers what it took and takes
 * nothing new): it is not {@link #usable()} from then on, until it has been lost and won back (the
 * same address serving again, restarted).
 */
final class GatewaySession implements AutoCloseable
{
    private final GatewayConnection connection;
    private final PendingAnswers pending;
    private final GatewayLiveness liveness;
    private final ClientAgent agent;
    private RequestSender sender;
    private RequestSplitter splitter;
    private volatile boolean stopping;
    /** Set once welcomed and found to serve the client's model: requests may go here. */
    private volatile boolean admitted;

    GatewaySession(
        final DataPlane dataPlane, final String requestChannel, final String answerChannel, final int answerStream,
        final long gatewayTimeoutMs)
    {
        this.connection = new GatewayConnection(dataPlane, requestChannel, answerChannel, answerStream);
        this.pending = new PendingAnswers(() -> stopping = true);
        this.liveness = new GatewayLiveness(SystemNanoClock.INSTANCE, TimeUnit.MILLISECONDS.toNanos(gatewayTimeoutMs),
            connection, why ->
            {
                // Lost: whatever it serves once won back is a gateway started anew.
                stopping = false;
                pending.failAll(AnswerStatus.GATEWAY_UNAVAILABLE, why);
            });
        this.agent = new ClientAgent(connection, liveness, pending, dataPlane.settings().maxMessageLength());
    }

    /**
     * Says hello until welcomed (the agent must already be running, to take the welcome in), then
     * sizes requests to the gateway's bounds and starts watching its liveness.
     */
    void open()
    {
        connection.open();
        final HelloFrame.Welcome welcome = connection.welcome();
        this.sender = new RequestSender(connection, liveness, pending);
        this.splitter = new RequestSplitter(welcome.dModel(), welcome.groupSize(), connection.maxRequestRows(),
            connection.maxMessageLength(), sender);
        liveness.watch(connection.overUdp(), welcome.heartbeatIntervalMs());
    }

    /** Sends {@code request} in as many messages as it needs; the future answers it whole. */
    CompletableFuture<InferAnswer> send(final ClientRequest request)
    {
        return splitter.send(request);
    }

    /** Requests may be sent here from now on. */
    void admit()
    {
        admitted = true;
    }

    /**
     * Why this gateway cannot take requests cut to {@code first}'s welcome (it serves another model),
     * or null when it can.
     */
    String differsFrom(final GatewaySession first)
    {
        final HelloFrame.Welcome a = first.welcome();
        final HelloFrame.Welcome b = welcome();
        if (GatewayConnection.sameShape(a, b))
        {
            return null;
        }
        return "gateways " + first.connection.channel() + " and " + connection.channel() + " serve different " +
            "models (d_model " + a.dModel() + "/" + b.dModel() + ", experts " + a.numExperts() + "/" +
            b.numExperts() + ", group size " + a.groupSize() + "/" + b.groupSize() + ", layers " + a.layers() + "/" +
            b.layers() + ")";
    }

    /**
     * Whether new requests may go here: admitted, the gateway not lost, and not said to be stopping.
     */
    boolean usable()
    {
        return admitted && liveness.lost() == null && !stopping;
    }

    ClientAgent agent()
    {
        return agent;
    }

    GatewayConnection connection()
    {
        return connection;
    }

    GatewayLiveness liveness()
    {
        return liveness;
    }

    HelloFrame.Welcome welcome()
    {
        return connection.welcome();
    }

    /** Request messages sent to this gateway. */
    long messagesSent()
    {
        return sender == null ? 0 : sender.messagesSent();
    }

    long unmatchedAnswers()
    {
        return pending.unmatchedCount();
    }

    FrameFaults answerFaults()
    {
        return agent.answerFaults();
    }

    long answersReadInPlace()
    {
        return agent.streamedAnswers();
    }

    /** Where the gateway answers this client. */
    String answerChannel()
    {
        return connection.answers().channel();
    }

    /** Ends every request still waiting on this gateway, then the connection (the agent is stopped first). */
    @Override
    public void close()
    {
        pending.failAll(AnswerStatus.UNAVAILABLE, "client closed");
        connection.close();
    }
}
