package dev.switchyard.client;

import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.dataplane.GuardedFragments;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import dev.switchyard.wire.sbe.WelcomeEncoder;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;

/**
 * The client's receiving thread: reads what the gateway sends this client (welcomes, heartbeats,
 * answers), hands each to the part that takes it, and keeps the gateway's liveness checked.
 */
final class ClientAgent implements Agent
{
    private final GatewayConnection connection;
    private final GatewayLiveness liveness;
    private final PendingAnswers pending;
    private final FrameFaults answerFaults = new FrameFaults("client answers");
    private final AnswerAssembler assembler;
    private final GuardedFragments guarded;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final AnswerFrame answerFrame = new AnswerFrame();
    private final HelloFrame helloFrame = new HelloFrame();

    /** @param initialMessageLength where the assembler starts: it grows to the largest answer it meets */
    ClientAgent(
        final GatewayConnection connection, final GatewayLiveness liveness, final PendingAnswers pending,
        final int initialMessageLength)
    {
        this.connection = connection;
        this.liveness = liveness;
        this.pending = pending;
        this.assembler = new AnswerAssembler(this::onFragment, new AnswerAssembler.Link()
        {
            @Override
            public long clientId()
            {
                return connection.clientId();
            }

            @Override
            public HelloFrame.Welcome welcome()
            {
                return connection.welcome();
            }

            @Override
            public void heard()
            {
                liveness.heard();
            }
        }, pending, answerFaults, initialMessageLength);
        this.guarded = new GuardedFragments(assembler, answerFaults);
    }

    /** Answers of several fragments whose rows went straight to their array. */
    long streamedAnswers()
    {
        return assembler.streamedAnswers();
    }

    /** Answer frames refused, by cause and sending session. */
    FrameFaults answerFaults()
    {
        return answerFaults;
    }

    @Override
    public void onStart()
    {
        connection.answerBell().attach();
    }

    @Override
    public void onClose()
    {
        connection.answerBell().detach();
    }

    @Override
    public int doWork()
    {
        liveness.advance();
        return connection.answers().poll(guarded, 16) + liveness.check();
    }

    @Override
    public String roleName()
    {
        return "switchyard-client";
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            answerFaults.count(header.sessionId(), FrameFault.TOO_SHORT, length);
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (HelloFrame.isHeartbeat(headerDecoder))
        {
            onHeartbeat(buffer, offset, length, header.sessionId());
        }
        else if (headerDecoder.templateId() == WelcomeEncoder.TEMPLATE_ID &&
            headerDecoder.schemaId() == WelcomeEncoder.SCHEMA_ID)
        {
            onWelcome(buffer, offset, length, header.sessionId());
        }
        else
        {
            onAnswer(buffer, offset, length, header.sessionId());
        }
    }

    private void onHeartbeat(final DirectBuffer buffer, final int offset, final int length, final int session)
    {
        if (!helloFrame.readHeartbeat(headerDecoder, buffer, offset, length))
        {
            answerFaults.count(session, helloFrame.fault(), length);
        }
        else if (helloFrame.heartbeatClientId() != connection.clientId())
        {
            answerFaults.count(session, FrameFault.UNKNOWN_SENDER, length);
        }
        else
        {
            liveness.heardHeartbeat();
        }
    }

    private void onWelcome(final DirectBuffer buffer, final int offset, final int length, final int session)
    {
        final HelloFrame.Welcome w = helloFrame.readWelcome(headerDecoder, buffer, offset, length);
        if (w == null)
        {
            answerFaults.count(session, helloFrame.fault(), length);
        }
        else if (w.clientId() != connection.clientId())
        {
            answerFaults.count(session, FrameFault.UNKNOWN_SENDER, length);
        }
        else if (connection.welcomed(w))
        {
            // The first welcome, or one after a loss: a gateway that forgot this client, or a new one.
            liveness.heard();
        }
    }

    private void onAnswer(final DirectBuffer buffer, final int offset, final int length, final int session)
    {
        if (!answerFrame.wrap(headerDecoder, buffer, offset, length))
        {
            answerFaults.count(session, answerFrame.fault(), length);
            return;
        }
        if (answerFrame.clientId() != connection.clientId())
        {
            pending.unmatched();
            answerFaults.count(session, FrameFault.UNKNOWN_SENDER, length);
            return;
        }
        liveness.heard();
        final HelloFrame.Welcome welcome = connection.welcome();
        // Nothing waits before the welcome: an answer then matches no request, whatever its shape.
        pending.complete(answerFrame, welcome == null ? 0 : welcome.dModel(), answerFaults, session, length);
    }
}
