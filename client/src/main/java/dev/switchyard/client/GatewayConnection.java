package dev.switchyard.client;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.dataplane.Doorbell;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.wire.BadInputException;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.frame.WireLayout;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.Publication;
import io.aeron.Subscription;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The client's connection to its gateway, both ways: the publication requests and hellos go out on,
 * the subscription answers come in on, and the handshake that gets this client welcomed.
 * <p>
 * Over UDP the client says hello on a small publication; once welcomed, it sends its requests on
 * one whose term carries the largest request the gateway announced, so that any request fits.
 * Requests and hellos are written one at a time; a request waits for room while the gateway is
 * there.
 */
final class GatewayConnection implements GatewayLiveness.Link, AutoCloseable
{
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(15);
    private static final long HELLO_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /** The hello's publication: a hello is about a kilobyte, and this term is Aeron's smallest. */
    private static final int HELLO_TERM_LENGTH = 64 << 10;
    /** Aeron's largest message, whatever the term. */
    private static final int MAX_MESSAGE = 16 << 20;

    private final DataPlane dataPlane;
    private final long clientId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    private final String requestChannel;
    private final String answerChannel;
    private final boolean udp;
    /** The hello's publication, then (over UDP) the one sized for requests. */
    private volatile Publication requests;
    private final Subscription answers;
    private final Doorbell requestBell;
    private final Doorbell answerBell;
    /** Requests and hellos are written here, one at a time, under the lock. */
    private final Object sendLock = new Object();
    private UnsafeBuffer sendBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
    private final HelloFrame helloFrame = new HelloFrame();
    private final RequestFrame requestFrame = new RequestFrame();
    private final RequestClaims claims;
    private final IdleStrategy offerIdle;
    /** What a hello names as the way back: this client's answer channel, once resolved. */
    private String replyChannel;
    private int chunkRows;
    private volatile HelloFrame.Welcome welcome;

    GatewayConnection(
        final DataPlane dataPlane, final String requestChannel, final String answerChannel, final int answerStream)
    {
        this.dataPlane = dataPlane;
        this.requestChannel = requestChannel;
        this.answerChannel = answerChannel;
        this.offerIdle = dataPlane.newIdleStrategy();
        this.claims = new RequestClaims(requestFrame, dataPlane.driverDoorbell());
        this.answers = dataPlane.aeron().addSubscription(answerChannel, answerStream);
        this.udp = requestChannel.startsWith("aeron:udp");
        this.requests = udp ?
            dataPlane.aeron().addExclusivePublication(new ChannelUriStringBuilder(requestChannel)
                .termLength(HELLO_TERM_LENGTH).mtu(dataPlane.settings().mtu()).build(),
                WireLayout.CLIENT_REQUEST_STREAM_ID) :
            dataPlane.aeron().addPublication(requestChannel, WireLayout.CLIENT_REQUEST_STREAM_ID);
        final boolean ipc = requestChannel.startsWith(DataPlane.IPC_CHANNEL);
        this.requestBell = ipc ? dataPlane.ipcDoorbell(WireLayout.CLIENT_REQUEST_STREAM_ID) : Doorbell.NONE;
        this.answerBell = ipc ? dataPlane.ipcDoorbell(answerStream) : Doorbell.NONE;
    }

    /**
     * Says hello until welcomed (the receiving thread, already running, takes the welcome in), then
     * over UDP moves requests to a publication sized for the largest one the gateway takes.
     *
     * @throws BadInputException when the gateway does not answer in time, or the caller is interrupted
     */
    void open()
    {
        replyChannel = answerChannel.startsWith("aeron:udp") ? dataPlane.resolvedChannel(answers) : answerChannel;
        final long deadline = System.nanoTime() + CONNECT_TIMEOUT_NS;
        long nextHello = 0;
        while (welcome == null)
        {
            final long now = System.nanoTime();
            if (now - deadline > 0)
            {
                throw new BadInputException("gateway " + requests.channel() + " did not answer within " +
                    TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s");
            }
            if (requests.isConnected() && now - nextHello > 0)
            {
                sayHello();
                nextHello = now + HELLO_INTERVAL_NS;
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new BadInputException("interrupted while connecting to the gateway");
            }
        }
        if (udp)
        {
            sizeRequests();
        }
        chunkRows = fittingRows();
        sendBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int)Math.min(requests.maxMessageLength(),
            WireLayout.requestFrameLength(Math.max(chunkRows, 1), welcome.dModel(), true)), 64));
    }

    /**
     * Replaces the hello's publication with one whose term carries the largest request the gateway
     * takes (an eighth of a term is Aeron's largest message), once it is connected.
     */
    private void sizeRequests()
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

    /**
     * Takes a welcome for this client in (receiving thread).
     *
     * @return whether it counts as hearing from the gateway: the first welcome, or one of a gateway
     * that forgot this client (or a new one) serving the same model
     */
    boolean welcomed(final HelloFrame.Welcome w)
    {
        if (welcome == null)
        {
            welcome = w;
            return true;
        }
        return servesSameModel(w);
    }

    /**
     * Whether a gateway that welcomes this client again serves what the first one did: requests are
     * already cut to the first one's shape.
     */
    private boolean servesSameModel(final HelloFrame.Welcome w)
    {
        return sameShape(welcome, w) && w.maxRequestRows() >= welcome.maxRequestRows();
    }

    /** Whether two welcomes announce the same model shape: d_model, experts, group size, layers. */
    static boolean sameShape(final HelloFrame.Welcome a, final HelloFrame.Welcome b)
    {
        return a.dModel() == b.dModel() && a.numExperts() == b.numExperts() && a.groupSize() == b.groupSize() &&
            a.layers() == b.layers();
    }

    /** The first gateway's welcome: the model's shape and the gateway's bounds. */
    HelloFrame.Welcome welcome()
    {
        return welcome;
    }

    /** Tokens of one message at most: whole groups, within the gateway's bound and the publication's. */
    int maxRequestRows()
    {
        return chunkRows;
    }

    /** Whole groups that fit one message of the request publication with importance, at most the gateway's bound. */
    private int fittingRows()
    {
        final long perRow = (long)welcome.dModel() * Float.BYTES + Float.BYTES;
        final long fit = Math.max(0, (requests.maxMessageLength() - WireLayout.REQUEST_HEADER_LENGTH) / perRow);
        return (int)Math.min(welcome.maxRequestRows(), fit / welcome.groupSize() * welcome.groupSize());
    }

    @Override
    public void sayHello()
    {
        synchronized (sendLock)
        {
            final int length = helloFrame.writeClientHello(sendBuffer, 0, clientId, answers.streamId(), replyChannel);
            if (requests.offer(sendBuffer, 0, length) > 0)
            {
                requestBell.ring();
            }
        }
    }

    /**
     * Writes {@code part} and offers it, waiting for room while the gateway is there (it is taking
     * other clients' requests in): {@code giveUp} ends the wait at once, else it ends after
     * {@code timeoutNs}, the request's deadline.
     *
     * @return the position, or why it was not sent (an {@link Offers} code or a {@link Publication} one)
     */
    long offer(final RequestPart part, final long timeoutNs, final BooleanSupplier giveUp)
    {
        synchronized (sendLock)
        {
            final int d = welcome.dModel();
            final long frameLength = part.length(d);
            if (frameLength > requests.maxMessageLength())
            {
                return Offers.TOO_LARGE;
            }
            final int length = (int)frameLength;
            // A frame is written where the gateway reads it, saving a copy of its rows: claimed whole when it
            // is one fragment, fragment by fragment when it fits the rest of the term and the window (on an
            // exclusive publication: UDP), else written here and offered.
            final boolean inPlace = length <= requests.maxPayloadLength();
            boolean written = false;
            final long deadline = System.nanoTime() + timeoutNs;
            offerIdle.reset();
            while (true)
            {
                final long result;
                if (inPlace)
                {
                    result = claims.whole(requests, part, length, clientId, d);
                }
                else if (claims.fitsInFragments(requests, length))
                {
                    result = claims.inFragments(part, length, clientId, d);
                }
                else
                {
                    if (!written)
                    {
                        part.write(requestFrame, sendBuffer, 0, clientId, d);
                        written = true;
                    }
                    result = requests.offer(sendBuffer, 0, length);
                }
                if (result > 0 || result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
                {
                    return result;
                }
                if (giveUp.getAsBoolean() || System.nanoTime() - deadline > 0)
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
    }

    /** Wakes a gateway on this media driver to a request just sent. */
    void ringRequests()
    {
        requestBell.ring();
    }

    long clientId()
    {
        return clientId;
    }

    Subscription answers()
    {
        return answers;
    }

    Doorbell answerBell()
    {
        return answerBell;
    }

    /** Whether the gateway's silence may end it: over UDP only (over IPC it shares this process). */
    boolean overUdp()
    {
        return udp;
    }

    int requestTermLength()
    {
        return requests.termBufferLength();
    }

    int maxMessageLength()
    {
        return requests.maxMessageLength();
    }

    @Override
    public boolean wayThere()
    {
        return requests.isConnected();
    }

    @Override
    public boolean wayBack()
    {
        return answers.isConnected();
    }

    @Override
    public String channel()
    {
        return requests.channel();
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(requests, answers);
    }
}
