package dev.switchyard.wire.frame;

import dev.switchyard.wire.sbe.ClientHelloDecoder;
import dev.switchyard.wire.sbe.ClientHelloEncoder;
import dev.switchyard.wire.sbe.GatewayHelloDecoder;
import dev.switchyard.wire.sbe.GatewayHelloEncoder;
import dev.switchyard.wire.sbe.HeartbeatDecoder;
import dev.switchyard.wire.sbe.HeartbeatEncoder;
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
 * <p>
 * Schema version 1 added the welcome's {@code maxRequestLength} and {@code heartbeatIntervalMs}
 * and the heartbeat. A hello's header carries its sender's schema version, so a gateway writes a
 * version-0 client the welcome it knows (the 28-byte block) and sends it no heartbeat.
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
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private FrameFault fault;
    private long heartbeatClientId;

    /** The welcome's fixed block as schema version 0 wrote it, before maxRequestLength and the heartbeat. */
    static final int WELCOME_V0_BLOCK_LENGTH = 28;

    /** The longest reply channel a hello may name; Aeron channel URIs are far shorter. */
    public static final int MAX_CHANNEL_LENGTH = 1024;

    /**
     * A hello of either kind: who is speaking, where to answer it, and the schema version its sender
     * speaks (its header's).
     */
    public record Hello(long senderId, int streamId, String channel, int version)
    {
        public Hello(final long senderId, final int streamId, final String channel)
        {
            this(senderId, streamId, channel, HeartbeatEncoder.SCHEMA_VERSION);
        }
    }

    /**
     * What a gateway serves, as a client needs to know it.
     *
     * @param maxRequestLength    bytes of the largest request frame the gateway takes; 0 from a gateway
     *                            of schema version 0
     * @param heartbeatIntervalMs how often the gateway sends a heartbeat when it has nothing else for
     *                            the client; 0: never (a version-0 gateway)
     */
    public record Welcome(long clientId, int dModel, int numExperts, int groupSize, int layers, int maxRequestRows,
        int maxRequestLength, int heartbeatIntervalMs)
    {
        public Welcome(final long clientId, final int dModel, final int numExperts, final int groupSize,
            final int layers, final int maxRequestRows)
        {
            this(clientId, dModel, numExperts, groupSize, layers, maxRequestRows, 0, 0);
        }
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
        return writeWelcome(buffer, offset, welcome, WelcomeEncoder.SCHEMA_VERSION);
    }

    /** The welcome as a client of schema version {@code peerVersion} reads it. */
    public int writeWelcome(
        final MutableDirectBuffer buffer, final int offset, final Welcome welcome, final int peerVersion)
    {
        welcomeEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(welcome.clientId())
            .dModel(welcome.dModel())
            .numExperts(welcome.numExperts())
            .groupSize(welcome.groupSize())
            .layers(welcome.layers())
            .maxRequestRows(welcome.maxRequestRows())
            .maxRequestLength(welcome.maxRequestLength())
            .heartbeatIntervalMs(welcome.heartbeatIntervalMs());
        if (peerVersion < 1)
        {
            // A version-0 client accepts only the block it knows: the fields after it are not sent.
            headerEncoder.blockLength(WELCOME_V0_BLOCK_LENGTH).version(0);
            return MessageHeaderEncoder.ENCODED_LENGTH + WELCOME_V0_BLOCK_LENGTH;
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + welcomeEncoder.encodedLength();
    }

    public int writeHeartbeat(final MutableDirectBuffer buffer, final int offset, final long clientId)
    {
        heartbeatEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).clientId(clientId);
        return MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength();
    }

    /** Whether the frame (its header already wrapped by the caller) is a heartbeat, by its ids alone. */
    public static boolean isHeartbeat(final MessageHeaderDecoder header)
    {
        return header.schemaId() == HeartbeatDecoder.SCHEMA_ID && header.templateId() == HeartbeatDecoder.TEMPLATE_ID;
    }

    /**
     * @return whether the frame is a complete heartbeat ({@link #heartbeatClientId()} then names its
     * client; else {@link #fault()} says why not)
     */
    public boolean readHeartbeat(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!readHeader(header, buffer, offset, length, HeartbeatDecoder.SCHEMA_ID, HeartbeatDecoder.TEMPLATE_ID,
            HeartbeatDecoder.BLOCK_LENGTH))
        {
            return false;
        }
        if (length != MessageHeaderDecoder.ENCODED_LENGTH + HeartbeatDecoder.BLOCK_LENGTH)
        {
            fault = FrameFault.BAD_LENGTH_FIELD;
            return false;
        }
        heartbeatDecoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, HeartbeatDecoder.BLOCK_LENGTH,
            HeartbeatDecoder.SCHEMA_VERSION);
        heartbeatClientId = heartbeatDecoder.clientId();
        return true;
    }

    /** The client the last heartbeat read was for. */
    public long heartbeatClientId()
    {
        return heartbeatClientId;
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
            new Hello(gatewayHelloDecoder.gatewayId(), gatewayHelloDecoder.streamId(), channel, header.version());
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
            new Hello(clientHelloDecoder.clientId(), clientHelloDecoder.streamId(), channel, header.version());
    }

    /**
     * @return the welcome, or null when the frame is not a complete welcome ({@link #fault()} says
     * why)
     */
    public Welcome readWelcome(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length)
    {
        // A version-0 gateway's welcome is the shorter block; any other block length is refused.
        final boolean v0 = length >= MessageHeaderDecoder.ENCODED_LENGTH &&
            header.wrap(buffer, offset).blockLength() == WELCOME_V0_BLOCK_LENGTH;
        final int blockLength = v0 ? WELCOME_V0_BLOCK_LENGTH : WelcomeDecoder.BLOCK_LENGTH;
        if (!readHeader(header, buffer, offset, length, WelcomeDecoder.SCHEMA_ID, WelcomeDecoder.TEMPLATE_ID,
            blockLength))
        {
            return null;
        }
        if (length != MessageHeaderDecoder.ENCODED_LENGTH + blockLength)
        {
            fault = FrameFault.BAD_LENGTH_FIELD;
            return null;
        }
        welcomeDecoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, blockLength,
            v0 ? 0 : WelcomeDecoder.SCHEMA_VERSION);
        return new Welcome(
            welcomeDecoder.clientId(), welcomeDecoder.dModel(), welcomeDecoder.numExperts(),
            welcomeDecoder.groupSize(), welcomeDecoder.layers(), welcomeDecoder.maxRequestRows(),
            v0 ? 0 : welcomeDecoder.maxRequestLength(), v0 ? 0 : welcomeDecoder.heartbeatIntervalMs());
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
        if (channelLength == 0 ||
            !WireChecks.printableAscii(buffer, at + WireChecks.VAR_LENGTH_PREFIX, (int)channelLength))
        {
            fault = FrameFault.BAD_CHANNEL;
            return null;
        }
        return buffer.getStringWithoutLengthAscii(at + WireChecks.VAR_LENGTH_PREFIX, (int)channelLength);
    }
}
