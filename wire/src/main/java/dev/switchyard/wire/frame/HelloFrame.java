package dev.switchyard.wire.frame;

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
 * connection), so reading the channel as a String is fine. Every reader is total: any bytes at all
 * give a value or null with the {@link FrameFault}, never an exception or an allocation sized by
 * the wire.
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
    private FrameFault fault;

    /** The longest reply channel a hello may name; Aeron channel URIs are far shorter. */
    public static final int MAX_CHANNEL_LENGTH = 1024;

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

    /**
     * @return the hello, or null when the frame is not a complete gateway hello ({@link #fault()}
     * says why)
     */
    public Hello readGatewayHello(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!readHeader(header, buffer, offset, length, GatewayHelloDecoder.SCHEMA_ID,
            GatewayHelloDecoder.TEMPLATE_ID, GatewayHelloDecoder.BLOCK_LENGTH))
        {
            return null;
        }
        gatewayHelloDecoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH,
            GatewayHelloDecoder.BLOCK_LENGTH, GatewayHelloDecoder.SCHEMA_VERSION);
        final String channel = readChannel(buffer, offset, length, GatewayHelloDecoder.BLOCK_LENGTH);
        return channel == null ? null :
            new Hello(gatewayHelloDecoder.gatewayId(), gatewayHelloDecoder.streamId(), channel);
    }

    /**
     * @return the hello, or null when the frame is not a complete client hello ({@link #fault()}
     * says why)
     */
    public Hello readClientHello(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!readHeader(header, buffer, offset, length, ClientHelloDecoder.SCHEMA_ID,
            ClientHelloDecoder.TEMPLATE_ID, ClientHelloDecoder.BLOCK_LENGTH))
        {
            return null;
        }
        clientHelloDecoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH,
            ClientHelloDecoder.BLOCK_LENGTH, ClientHelloDecoder.SCHEMA_VERSION);
        final String channel = readChannel(buffer, offset, length, ClientHelloDecoder.BLOCK_LENGTH);
        return channel == null ? null :
            new Hello(clientHelloDecoder.clientId(), clientHelloDecoder.streamId(), channel);
    }

    /**
     * @return the welcome, or null when the frame is not a complete welcome ({@link #fault()} says
     * why)
     */
    public Welcome readWelcome(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!readHeader(header, buffer, offset, length, WelcomeDecoder.SCHEMA_ID, WelcomeDecoder.TEMPLATE_ID,
            WelcomeDecoder.BLOCK_LENGTH))
        {
            return null;
        }
        if (length != MessageHeaderDecoder.ENCODED_LENGTH + WelcomeDecoder.BLOCK_LENGTH)
        {
            fault = FrameFault.BAD_LENGTH_FIELD;
            return null;
        }
        welcomeDecoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, WelcomeDecoder.BLOCK_LENGTH,
            WelcomeDecoder.SCHEMA_VERSION);
        return new Welcome(
            welcomeDecoder.clientId(), welcomeDecoder.dModel(), welcomeDecoder.numExperts(),
            welcomeDecoder.groupSize(), welcomeDecoder.layers(), welcomeDecoder.maxRequestRows());
    }

    /** Why the last read returned null. */
    public FrameFault fault()
    {
        return fault;
    }

    private boolean readHeader(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length,
        final int schemaId, final int templateId, final int blockLength)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            fault = FrameFault.TOO_SHORT;
            return false;
        }
        header.wrap(buffer, offset);
        fault = WireChecks.header(header, length, schemaId, templateId, blockLength);
        return fault == null;
    }

    /**
     * The channel after a hello's fixed block: its unsigned length is checked against the frame and
     * {@link #MAX_CHANNEL_LENGTH} before a byte of it is read, and it must be printable ASCII.
     */
    private String readChannel(final DirectBuffer buffer, final int offset, final int length, final int blockLength)
    {
        final int at = offset + MessageHeaderDecoder.ENCODED_LENGTH + blockLength;
        if (!WireChecks.within(offset, length, at, WireChecks.VAR_LENGTH_PREFIX))
        {
            fault = FrameFault.TOO_SHORT;
            return null;
        }
        final long channelLength = WireChecks.varLength(buffer, at);
        final long end = at + WireChecks.VAR_LENGTH_PREFIX + channelLength;
        if (channelLength > MAX_CHANNEL_LENGTH || end != (long)offset + length)
        {
            fault = FrameFault.BAD_LENGTH_FIELD;
            return null;
        }
        if (channelLength == 0 || !WireChecks.printableAscii(buffer, at + WireChecks.VAR_LENGTH_PREFIX, (int)channelLength))
        {
            fault = FrameFault.BAD_CHANNEL;
            return null;
        }
        return buffer.getStringWithoutLengthAscii(at + WireChecks.VAR_LENGTH_PREFIX, (int)channelLength);
    }
}
