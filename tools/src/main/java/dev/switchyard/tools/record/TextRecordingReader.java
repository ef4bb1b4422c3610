package dev.switchyard.tools.record;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.node.record.RecordFormat;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a text recording ({@link RecordFormat#LM_MODEL}, then {@link RecordFormat#EXCHANGE} records) from the
 * archive's segment files: records joined from their chunks, sequence gaps counted as lost, and a foreign or
 * damaged message named with its position.
 */
public final class TextRecordingReader
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SegmentScanner scanner = new SegmentScanner();
    private final ExpandableArrayBuffer record = new ExpandableArrayBuffer(1 << 16);
    private final List<TextExchange> exchanges = new ArrayList<>();
    private RecordingInfo info;
    private String model;
    private long startEpochNs;
    private boolean other;
    private long nextSequence;
    private long lost;
    private int received;
    private int recordLength;
    private long recordTimeNs;
    private short recordKind;
    private long recordStart;

    private TextRecordingReader()
    {
    }

    /** Whether the recording is one of text traffic: its first record says so. */
    public static boolean isText(final Path dir, final RecordingInfo info)
    {
        return read(dir, info) != null;
    }

    /** The text recording, or null when the recording is not one (the MoE layers' traffic). */
    public static TextRecording read(final Path dir, final RecordingInfo info)
    {
        final TextRecordingReader reader = new TextRecordingReader();
        reader.info = info;
        final Damage damage = reader.scanner.scan(dir, info, reader::onMessage);
        if (reader.other || reader.model == null)
        {
            return null;
        }
        reader.exchanges.sort(Comparator.comparingLong(TextExchange::arrivalNs));
        return new TextRecording(info, reader.model, reader.startEpochNs, List.copyOf(reader.exchanges), reader.lost,
            damage);
    }

    private Damage onMessage(final long position, final UnsafeBuffer buffer, final int offset, final int length)
    {
        if (length < RecordFormat.HEADER_LENGTH ||
            buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN) != RecordFormat.MAGIC ||
            buffer.getShort(offset + 4, ByteOrder.LITTLE_ENDIAN) != RecordFormat.VERSION)
        {
            return stop(position, "is not a Switchyard recording of this version (a message without its magic)");
        }
        final short kind = buffer.getShort(offset + RecordFormat.KIND_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final long sequence = buffer.getLong(offset + RecordFormat.SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int total = buffer.getInt(offset + RecordFormat.LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int chunkAt = buffer.getInt(offset + RecordFormat.CHUNK_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int chunk = length - RecordFormat.HEADER_LENGTH;
        if (total < 0 || chunkAt < 0 || (long)chunkAt + chunk > total)
        {
            return stop(position, "is corrupted: a record header is invalid,");
        }
        if (chunkAt == 0)
        {
            if (sequence < nextSequence)
            {
                return stop(position, "is corrupted: record " + sequence + " comes after " + (nextSequence - 1) + ",");
            }
            lost += sequence - nextSequence + (received < recordLength ? 1 : 0);
            nextSequence = sequence + 1;
            recordStart = position;
            recordLength = total;
            recordKind = kind;
            recordTimeNs = buffer.getLong(offset + RecordFormat.TIME_OFFSET, ByteOrder.LITTLE_ENDIAN);
            received = 0;
        }
        else if (sequence != nextSequence - 1 || chunkAt != received || total != recordLength)
        {
            return stop(position, "is corrupted: a record's chunk is out of place,");
        }
        record.putBytes(received, buffer, offset + RecordFormat.HEADER_LENGTH, chunk);
        received += chunk;
        return received == recordLength ? onRecord() : null;
    }

    private Damage onRecord()
    {
        if (model == null)
        {
            if (recordKind != RecordFormat.LM_MODEL)
            {
                other = true;  // the MoE layers' recording: RecordingReader's
                return new Damage(info.id(), recordStart, "is not a text recording");
            }
            startEpochNs = record.getLong(0, ByteOrder.LITTLE_ENDIAN);
            model = record.getStringWithoutLengthUtf8(2 * Long.BYTES, recordLength - 2 * Long.BYTES);
            return null;
        }
        if (recordKind != RecordFormat.EXCHANGE)
        {
            return stop(recordStart, "is corrupted: a record of kind " + recordKind + " in a text recording,");
        }
        try
        {
            final JsonNode node = JSON.readTree(new String(record.byteArray(), 0, recordLength,
                StandardCharsets.UTF_8));
            exchanges.add(new TextExchange(recordTimeNs, node.path("path").asText(), node.path("body").asText(),
                node.path("answer")));
            return null;
        }
        catch (final IOException ex)
        {
            return stop(recordStart, "is corrupted: an exchange record is not JSON,");
        }
    }

    private Damage stop(final long position, final String what)
    {
        return new Damage(info.id(), position, what);
    }
}
