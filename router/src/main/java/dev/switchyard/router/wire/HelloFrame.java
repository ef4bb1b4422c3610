package dev.switchyard.router.wire;

import dev.switchyard.wire.sbe.ClientHelloDecoder;
import dev.switchyard.wire.sbe.ClientHelloEncoder;
import dev.switchyard.wire.sbe.GatewayHelloDecoder;
import dev.switchyard.wire.sbe.GatewayHelloEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import dev.switchyard.wire.sbe.MessageHeaderEncoder;
import dev.switchyard.wire.sbe.WelcomeDecoder;
import dev.switchyard.wire.sbe.WelcomeEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The connection frames: a gateway telling an expert endpoint where its results go, a client
 * telling a gateway where its answers go, and the gateway's welcome. They are rare (once per
 * connection), so reading the channel as a String is fine.
 */
public final class HelloFrame
{
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final GatewayHelloEncoder gatewayHelloEncoder = new GatewayHelloEncoder();
    private final GatewayHelloDecoder gatewayHelloDecoder = new GatewayHelloDecoder();
    private final ClientHelloEncoder clientHelloEncoder = new ClientHelloEncoder();
    private final ClientHelloDecoder clientHelloDecoder = new ClientHelloDecoder();
    private final WelcomeEncoder welcomeEncoder = new WelcomeEncoder();
    private final WelcomeDecoder welcomeDecoder = new WelcomeDecoder();

    /** A hello of either kind: who is speaking and where to answer it. */
    public record Hello(long senderId, int streamId, String channel)
    {
    }

    /** What a gateway serves, as a client needs to know it. */
    public record Welcome(long clientId, int dModel, int numExperts, int groupSize, int layers, int maxRequestRows)
    {
    }

    public int writeGatewayHello(
        final MutableDirectBuffer buffer, final int offset, final long gatewayId, final int streamId,
        final String channel)
    {
        gatewayHelloEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .gatewayId(gatewayId)
            .streamId(streamId)
            .channel(channel);
        return MessageHeaderEncoder.ENCODED_LENGTH + gatewayHelloEncoder.encodedLength();
    }

    public int writeClientHello(
        final MutableDirectBuffer buffer, final int offset, final long clientId, final int streamId,
        final String channel)
    {
        clientHelloEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .streamId(streamId)
            .channel(channel);
        return MessageHeaderEncoder.ENCODED_LENGTH + clientHelloEncoder.encodedLength();
    }

    public int writeWelcome(final MutableDirectBuffer buffer, final int offset, final Welcome welcome)
    {
        welcomeEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(welcome.clientId())
            .dModel(welcome.dModel())
            .numExperts(welcome.numExperts())
            .groupSize(welcome.groupSize())
            .layers(welcome.layers())
            .maxRequestRows(welcome.maxRequestRows());
        return MessageHeaderEncoder.ENCODED_LENGTH + welcomeEncoder.encodedLength();
    }

    /** @return the hello, or null when the frame is not a complete gateway hello */
    public Hello readGatewayHello(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            gatewayHelloDecoder.wrapAndApplyHeader(buffer, offset, header);
            final long id = gatewayHelloDecoder.gatewayId();
            final int stream = gatewayHelloDecoder.streamId();
            if (gatewayHelloDecoder.limit() + GatewayHelloDecoder.channelHeaderLength() > offset + length ||
                gatewayHelloDecoder.limit() + GatewayHelloDecoder.channelHeaderLength() +
                gatewayHelloDecoder.channelLength() > offset + length)
            {
                return null;
            }
            return new Hello(id, stream, gatewayHelloDecoder.channel());
        }
        catch (final IndexOutOfBoundsException ex)
        {
            return null;
        }
    }

    /** @return the hello, or null when the frame is not a complete client hello */
    public Hello readClientHello(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            clientHelloDecoder.wrapAndApplyHeader(buffer, offset, header);
            final long id = clientHelloDecoder.clientId();
            final int stream = clientHelloDecoder.streamId();
            if (clientHelloDecoder.limit() + ClientHelloDecoder.channelHeaderLength() > offset + length ||
                clientHelloDecoder.limit() + ClientHelloDecoder.channelHeaderLength() +
                clientHelloDecoder.channelLength() > offset + length)
            {
                return null;
            }
            return new Hello(id, stream, clientHelloDecoder.channel());
        }
        catch (final IndexOutOfBoundsException ex)
        {
            return null;
        }
    }

    /** @return the welcome, or null when the frame is too short */
    public Welcome readWelcome(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + WelcomeDecoder.BLOCK_LENGTH)
        {
            return null;
        }
        welcomeDecoder.wrapAndApplyHeader(buffer, offset, header);
        return new Welcome(
            welcomeDecoder.clientId(), welcomeDecoder.dModel(), welcomeDecoder.numExperts(),
            welcomeDecoder.groupSize(), welcomeDecoder.layers(), welcomeDecoder.maxRequestRows());
    }
}
