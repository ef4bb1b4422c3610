package dev.switchyard.node.http;

import java.time.Duration;

import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The bytes of one connection, between the network and Pekko's HTTP layer, which has no header
 * timeout of its own: a request's headers must arrive within the header timeout, counted from the
 * connection's opening or from the first byte of its next request, else the connection is answered
 * 408 and closed. The HTTP layer reports each request whose headers it parsed and each answer
 * through {@link Signals}.
 * <p>
 * Every close lingers: once the last answer is written the connection's sending side closes and it
 * goes on reading (and dropping) what the client sends until the client closes, at most the linger
 * time, so that a client still writing its request reads the answer rather than a reset.
 */
final class ConnectionGuard extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>>
{
    /** What the HTTP layer reports of one connection's requests; thread-safe. */
    static final class Signals
    {
        private volatile AsyncCallback<Boolean> callback;

        /** A request's headers are in: its body is the body timeout's to bound. */
        void headersIn()
        {
            callback.invoke(Boolean.TRUE);
        }

        /** A request is answered. */
        void answered()
        {
            callback.invoke(Boolean.FALSE);
        }
    }

    private enum State
    {
        /** Headers of a request are awaited; the timer runs. */
        HEADERS,
        /** Requests are in progress. */
        REQUESTS,
        /** Every request is answered; the timer starts at the next byte. */
        IDLE,
        /** The answers are written: reading and dropping until the client closes or the linger time passes. */
        LINGER
    }

    private static final String HEADER_TIMER = "header";
    private static final String LINGER_TIMER = "linger";

    private final Inlet<ByteString> fromHttp = Inlet.create("ConnectionGuard.fromHttp");
    private final Outlet<ByteString> toNetwork = Outlet.create("ConnectionGuard.toNetwork");
    private final Inlet<ByteString> fromNetwork = Inlet.create("ConnectionGuard.fromNetwork");
    private final Outlet<ByteString> toHttp = Outlet.create("ConnectionGuard.toHttp");
    private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape =
        BidiShape.of(fromHttp, toNetwork, fromNetwork, toHttp);

    private final Duration headerTimeout;
    private final Duration linger;
    private final Signals signals;

    ConnectionGuard(final Duration headerTimeout, final Duration linger, final Signals signals)
    {
        this.headerTimeout = headerTimeout;
        this.linger = linger;
        this.signals = signals;
    }

    @Override
    public BidiShape<ByteString, ByteString, ByteString, ByteString> shape()
    {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(final Attributes attributes)
    {
        return new Logic();
    }

    private final class Logic extends TimerGraphStageLogic
    {
        private State state = State.HEADERS;
        private int inProgress;

        Logic()
        {
            super(shape);
            handleAnswers();
            handleRequests();
        }

        /** The HTTP layer's answers go out to the network; its end starts the linger. */
        private void handleAnswers()
        {
            setHandler(fromHttp, new AbstractInHandler()
            {
                @Override
                public void onPush()
                {
                    push(toNetwork, grab(fromHttp));
                }

                @Override
                public void onUpstreamFinish()
                {
                    linger();
                }

                @Override
                public void onUpstreamFailure(final Throwable ex)
                {
                    failStage(ex);
                }
            });
            setHandler(toNetwork, new AbstractOutHandler()
            {
                @Override
                public void onPull()
                {
                    if (!isClosed(fromHttp) && !hasBeenPulled(fromHttp))
                    {
                        pull(fromHttp);
                    }
                }

                @Override
                public void onDownstreamFinish(final Throwable cause)
                {
                    completeStage();
                }
            });
        }

        /** The client's bytes go in to the HTTP layer, or are dropped once it reads no more. */
        private void handleRequests()
        {
            setHandler(fromNetwork, new AbstractInHandler()
            {
                @Override
                public void onPush()
                {
                    received(grab(fromNetwork));
                }

                @Override
                public void onUpstreamFinish()
                {
                    if (state == State.LINGER || isClosed(toHttp))
                    {
                        completeStage();
                    }
                    else
                    {
                        complete(toHttp);
                    }
                }
            });
            setHandler(toHttp, new AbstractOutHandler()
            {
                @Override
                public void onPull()
                {
                    if (!hasBeenPulled(fromNetwork))
                    {
                        pull(fromNetwork);
                    }
                }

                @Override
                public void onDownstreamFinish(final Throwable cause)
                {
                    // The HTTP layer reads no more (it answered and closes): keep reading to drop.
                    if (!hasBeenPulled(fromNetwork) && !isClosed(fromNetwork))
                    {
                        pull(fromNetwork);
                    }
                }
            });
        }

        @Override
        public void preStart()
        {
            signals.callback = createAsyncCallback(this::signalled);
            scheduleOnce(HEADER_TIMER, headerTimeout);
        }

        private void received(final ByteString bytes)
        {
            if (isClosed(toHttp))
            {
                pull(fromNetwork);
                return;
            }
            if (state == State.IDLE && !bytes.isEmpty())
            {
                state = State.HEADERS;
                scheduleOnce(HEADER_TIMER, headerTimeout);
            }
            push(toHttp, bytes);
        }

        private void signalled(final Boolean headersIn)
        {
            if (state == State.LINGER)
            {
                return;
            }
            inProgress += headersIn ? 1 : -1;
            cancelTimer(HEADER_TIMER);
            state = inProgress > 0 ? State.REQUESTS : State.IDLE;
        }

        @Override
        public void onTimer(final Object key)
        {
            if (key.equals(LINGER_TIMER))
            {
                completeStage();
            }
            else if (state == State.HEADERS)
            {
                // No request is in progress, so nothing else is being written on this connection.
                cancel(fromHttp);
                complete(toHttp);
                emit(toNetwork, RawErrors.headerTimeout(headerTimeout.toMillis()), this::linger);
            }
        }

        /** Everything is written: read and drop until the client closes, at most the linger time. */
        private void linger()
        {
            if (state == State.LINGER)
            {
                return;
            }
            state = State.LINGER;
            cancelTimer(HEADER_TIMER);
            if (isClosed(fromNetwork))
            {
                completeStage();
                return;
            }
            if (!isClosed(toHttp))
            {
                complete(toHttp);
            }
            // The client reads its answer to the end (a half-close), and may still write.
            complete(toNetwork);
            if (!hasBeenPulled(fromNetwork))
            {
                pull(fromNetwork);
            }
            scheduleOnce(LINGER_TIMER, linger);
        }
    }
}
