package dev.switchyard.wire.frame;

import java.util.List;

import dev.switchyard.wire.sbe.ClientHelloEncoder;
import dev.switchyard.wire.sbe.GatewayHelloEncoder;
import dev.switchyard.wire.sbe.HeartbeatEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import dev.switchyard.wire.sbe.WelcomeEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static dev.switchyard.wire.frame.FrameBytes.cut;
import static dev.switchyard.wire.frame.FrameBytes.putInt;
import static dev.switchyard.wire.frame.FrameBytes.putShort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connection frames (gateway hello, client hello, welcome of either schema version, heartbeat)
 * written are read back field for field; any other bytes give no value and a cause.
 */
class HelloFrameTest
{
    static final int FIELDS = MessageHeaderDecoder.ENCODED_LENGTH;
    static final String CHANNEL = "aeron:udp?endpoint=127.0.0.1:40123";

    /** One of the frame's readers: whether it took the frame (its value is checked elsewhere). */
    interface Reader
    {
        boolean read(HelloFrame frame, MessageHeaderDecoder header, DirectBuffer buffer, int offset, int length);
    }

    /** A kind of connection frame: how to write a sample of it, and how to read it. */
    record Kind(String name, int templateId, int blockLength, Writer writer, Reader reader)
    {
    }

    interface Writer
    {
        int write(HelloFrame frame, UnsafeBuffer buffer);
    }

    static final Kind GATEWAY_HELLO = new Kind("gateway hello", GatewayHelloEncoder.TEMPLATE_ID,
        GatewayHelloEncoder.BLOCK_LENGTH, (f, b) -> f.writeGatewayHello(b, 0, 5, 2002, CHANNEL),
        (f, h, b, o, l) -> f.readGatewayHello(h, b, o, l) != null);
    static final Kind CLIENT_HELLO = new Kind("client hello", ClientHelloEncoder.TEMPLATE_ID,
        ClientHelloEncoder.BLOCK_LENGTH, (f, b) -> f.writeClientHello(b, 0, 6, 1002, CHANNEL),
        (f, h, b, o, l) -> f.readClientHello(h, b, o, l) != null);
    static final Kind WELCOME = new Kind("welcome", WelcomeEncoder.TEMPLATE_ID, WelcomeEncoder.BLOCK_LENGTH,
        (f, b) -> f.writeWelcome(b, 0, new HelloFrame.Welcome(7, 16, 4, 8, 2, 64, 4096, 250)),
        (f, h, b, o, l) -> f.readWelcome(h, b, o, l) != null);
    static final Kind WELCOME_V0 = new Kind("version-0 welcome", WelcomeEncoder.TEMPLATE_ID,
        HelloFrame.WELCOME_V0_BLOCK_LENGTH,
        (f, b) -> f.writeWelcome(b, 0, new HelloFrame.Welcome(7, 16, 4, 8, 2, 64, 4096, 250), 0),
        (f, h, b, o, l) -> f.readWelcome(h, b, o, l) != null);
    static final Kind HEARTBEAT = new Kind("heartbeat", HeartbeatEncoder.TEMPLATE_ID, HeartbeatEncoder.BLOCK_LENGTH,
        (f, b) -> f.writeHeartbeat(b, 0, 8), (f, h, b, o, l) -> f.readHeartbeat(h, b, o, l));
    static final List<Kind> KINDS = List.of(GATEWAY_HELLO, CLIENT_HELLO, WELCOME, WELCOME_V0, HEARTBEAT);

    private static HelloFrame.Hello readGatewayHello(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final HelloFrame frame = new HelloFrame();
        final HelloFrame.Hello hello = frame.readGatewayHello(new MessageHeaderDecoder(), buffer, offset, length);
        assertNotNull(hello, () -> "refused: " + frame.fault());
        return hello;
    }

    private static FrameFault refusal(final Kind kind, final UnsafeBuffer buffer, final int length)
    {
        final HelloFrame frame = new HelloFrame();
        assertFalse(kind.reader().read(frame, new MessageHeaderDecoder(), cut(buffer, length), 0, length),
            kind.name() + " taken");
        return frame.fault();
    }

    @Test
    void hellosTravel()
    {
        final String everyPrintable = "aeron:ipc?alias=" + "x".repeat(3) + printableAscii();
        for (final String channel : new String[] {CHANNEL, "a", everyPrintable,
            "c".repeat(HelloFrame.MAX_CHANNEL_LENGTH)})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
            final HelloFrame writer = new HelloFrame();
            final int gatewayLength = writer.writeGatewayHello(buffer, 24, Long.MIN_VALUE, Integer.MAX_VALUE, channel);
            assertEquals(new HelloFrame.Hello(Long.MIN_VALUE, Integer.MAX_VALUE, channel),
                readGatewayHello(buffer, 24, gatewayLength));
            final int clientLength = writer.writeClientHello(buffer, 0, Long.MAX_VALUE, Integer.MIN_VALUE, channel);
            final HelloFrame reader = new HelloFrame();
            assertEquals(new HelloFrame.Hello(Long.MAX_VALUE, Integer.MIN_VALUE, channel),
                reader.readClientHello(new MessageHeaderDecoder(), cut(buffer, clientLength), 0, clientLength));
        }
    }

    @Test
    void aHelloCarriesItsSendersSchemaVersion()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = new HelloFrame().writeGatewayHello(buffer, 0, 1, 2, CHANNEL);
        assertEquals(HeartbeatEncoder.SCHEMA_VERSION, readGatewayHello(buffer, 0, length).version());
        putShort(buffer, FrameBytes.VERSION_AT, 0);
        assertEquals(0, readGatewayHello(buffer, 0, length).version());
    }

    @Test
    void welcomesTravelAsEachVersionReadsThem()
    {
        final HelloFrame.Welcome welcome = new HelloFrame.Welcome(Long.MIN_VALUE, Integer.MAX_VALUE, 1,
            Integer.MIN_VALUE, 0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final HelloFrame frame = new HelloFrame();
        final int length = frame.writeWelcome(buffer, 0, welcome);
        assertEquals(FIELDS + WelcomeEncoder.BLOCK_LENGTH, length);
        assertEquals(welcome, frame.readWelcome(new MessageHeaderDecoder(), cut(buffer, length), 0, length));

        final int v0Length = frame.writeWelcome(buffer, 16, welcome, 0);
        assertEquals(FIELDS + HelloFrame.WELCOME_V0_BLOCK_LENGTH, v0Length);
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        assertEquals(new HelloFrame.Welcome(Long.MIN_VALUE, Integer.MAX_VALUE, 1, Integer.MIN_VALUE, 0, -1),
            frame.readWelcome(header, new UnsafeBuffer(buffer.byteArray(), 0, 16 + v0Length), 16, v0Length));
        assertEquals(0, header.version(), "a version-0 client reads the header it knows");
    }

    @Test
    void heartbeatsTravel()
    {
        for (final long clientId : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            final HelloFrame frame = new HelloFrame();
            final int length = frame.writeHeartbeat(buffer, 8, clientId);
            final MessageHeaderDecoder header = new MessageHeaderDecoder();
            assertTrue(frame.readHeartbeat(header, new UnsafeBuffer(buffer.byteArray(), 0, 8 + length), 8, length));
            assertTrue(HelloFrame.isHeartbeat(header));
            assertEquals(clientId, frame.heartbeatClientId());
        }
    }

    @Test
    void aFrameCutAtAnyLengthIsRefused()
    {
        for (final Kind kind : KINDS)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            final int length = kind.writer().write(new HelloFrame(), buffer);
            final int fixed = FIELDS + kind.blockLength();
            final boolean hello = kind == GATEWAY_HELLO || kind == CLIENT_HELLO;
            for (int cut = 0; cut < length; cut++)
            {
                // A hello whole up to its channel's length prefix has a length that is not the frame's.
                final FrameFault expected = !hello || cut < fixed + WireChecks.VAR_LENGTH_PREFIX ?
                    FrameFault.TOO_SHORT : FrameFault.BAD_LENGTH_FIELD;
                assertEquals(expected, refusal(kind, buffer, cut), kind.name() + " cut at " + cut);
            }
            assertTrue(kind.reader().read(new HelloFrame(), new MessageHeaderDecoder(), cut(buffer, length), 0,
                length), kind.name());
            assertEquals(FrameFault.BAD_LENGTH_FIELD, refusal(kind, buffer, length + 1), kind.name() + " a byte more");
        }
    }

    @Test
    void aWrongBlockLengthIsRefused()
    {
        for (final Kind kind : KINDS)
        {
            for (final int blockLength : new int[] {0, kind.blockLength() - 1, kind.blockLength() + 1, 0xFFFF})
            {
                final boolean welcome = kind.templateId() == WelcomeEncoder.TEMPLATE_ID;
                if (welcome && blockLength == HelloFrame.WELCOME_V0_BLOCK_LENGTH)
                {
                    continue;
                }
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
                final int length = kind.writer().write(new HelloFrame(), buffer);
                putShort(buffer, FrameBytes.BLOCK_LENGTH_AT, blockLength);
                assertEquals(FrameFault.BAD_BLOCK_LENGTH, refusal(kind, buffer, length),
                    kind.name() + " with block length " + blockLength);
            }
        }
    }

    @Test
    void unknownTemplatesAndSchemasAreRefused()
    {
        for (final Kind kind : KINDS)
        {
            for (final int[] ids : new int[][] {{kind.templateId(), WelcomeEncoder.SCHEMA_ID + 1},
                {kind.templateId(), 0}, {0, WelcomeEncoder.SCHEMA_ID}, {99, WelcomeEncoder.SCHEMA_ID},
                {0xFFFF, 0xFFFF}})
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
                final int length = kind.writer().write(new HelloFrame(), buffer);
                putShort(buffer, FrameBytes.TEMPLATE_ID_AT, ids[0]);
                putShort(buffer, FrameBytes.SCHEMA_ID_AT, ids[1]);
                assertEquals(FrameFault.UNKNOWN_MESSAGE, refusal(kind, buffer, length),
                    kind.name() + " as template " + ids[0] + ", schema " + ids[1]);
            }
        }
    }

    @Test
    void eachReaderRefusesTheOtherFrames()
    {
        for (final Kind written : KINDS)
        {
            for (final Kind reader : KINDS)
            {
                if (written.templateId() != reader.templateId())
                {
                    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
                    final int length = written.writer().write(new HelloFrame(), buffer);
                    assertEquals(FrameFault.UNKNOWN_MESSAGE, refusal(reader, buffer, length),
                        written.name() + " read as " + reader.name());
                }
            }
        }
    }

    @Test
    void channelLengthsTooLongPastTheFrameOrOverflowingAreRefused()
    {
        final int lengthAt = FIELDS + GatewayHelloEncoder.BLOCK_LENGTH;
        // 0xFFFF_FFFC would end the channel where it starts if the sum were taken in 32 bits.
        for (final int channelLength : new int[] {CHANNEL.length() + 1, CHANNEL.length() - 1, 0x7FFF_FFFF,
            0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFC, HelloFrame.MAX_CHANNEL_LENGTH + 1})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            final int length = GATEWAY_HELLO.writer().write(new HelloFrame(), buffer);
            putInt(buffer, lengthAt, channelLength);
            assertEquals(FrameFault.BAD_LENGTH_FIELD, refusal(GATEWAY_HELLO, buffer, length),
                "channel length " + channelLength);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
        final int length = new HelloFrame().writeClientHello(buffer, 0, 1, 2,
            "c".repeat(HelloFrame.MAX_CHANNEL_LENGTH + 1));
        assertEquals(FrameFault.BAD_LENGTH_FIELD, refusal(CLIENT_HELLO, buffer, length), "a channel over the limit");
    }

    @Test
    void channelsThatAreEmptyOrNotPrintableAsciiAreRefused()
    {
        for (final String channel : new String[] {"", "aeron:ipc\u0000", "\u001Faeron:ipc", "aeron:ipc\u007F",
            "aeron:ipc?alias=é"})
        {
            for (final Kind kind : List.of(GATEWAY_HELLO, CLIENT_HELLO))
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
                final HelloFrame writer = new HelloFrame();
                final int length = kind == GATEWAY_HELLO ? writer.writeGatewayHello(buffer, 0, 1, 2, channel) :
                    writer.writeClientHello(buffer, 0, 1, 2, channel);
                assertEquals(FrameFault.BAD_CHANNEL, refusal(kind, buffer, length), kind.name() + " to " + channel);
            }
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = new HelloFrame().writeGatewayHello(buffer, 0, 1, 2, CHANNEL);
        buffer.putByte(length - 1, (byte)0xFF);
        assertEquals(FrameFault.BAD_CHANNEL, refusal(GATEWAY_HELLO, buffer, length), "a byte above ASCII");
    }

    @Test
    void aRefusalLeavesNoValue()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final HelloFrame frame = new HelloFrame();
        final int length = frame.writeHeartbeat(buffer, 0, 9);
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        assertNull(frame.readGatewayHello(header, buffer, 0, length));
        assertNull(frame.readClientHello(header, buffer, 0, length));
        assertNull(frame.readWelcome(header, buffer, 0, length));
        assertEquals(FrameFault.UNKNOWN_MESSAGE, frame.fault());
    }

    private static String printableAscii()
    {
        final StringBuilder all = new StringBuilder();
        for (char c = 0x20; c <= 0x7E; c++)
        {
            all.append(c);
        }
        return all.toString();
    }
}
