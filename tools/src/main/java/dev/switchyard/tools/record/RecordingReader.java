package dev.switchyard.tools.record;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.switchyard.client.AnswerStatus;
import dev.switchyard.node.record.RecordFormat;
import dev.switchyard.node.record.RecordedModel;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a recording: the model it was made against, then every request with its answer, whole
 * into memory or streamed a window at a time ({@link RequestStream}).
 * Records are checked as they are read (magic, version, kind, sequence, the frames inside), so a
 * foreign or damaged recording is named with the position where it goes wrong, and what came before
 * stays usable.
 */
public final class RecordingReader
{
    private final SegmentScanner scanner = new SegmentScanner();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final RequestFrame requestFrame = new RequestFrame();
    private final AnswerFrame answerFrame = new AnswerFrame();
    private final ExpandableArrayBuffer record = new ExpandableArrayBuffer(1 << 16);
    private final boolean keepTensors;

    private RecordingInfo info;
    private RecordedModel model;
    private long nextSequence;
    private long lost;
    private int unreadable;
    private long recordStart;
    private int recordLength;
    private int received;
    private short recordKind;
    private long recordTimeNs;
    private final PartJoiner joiner;

    /** How a read ended: the model (null if never read), what could not be used, and any damage. */
    public record End(RecordedModel model, int unreadable, long lostRecords, Damage damage)
    {
    }

    RecordingReader(final boolean keepTensors, final int window, final Consumer<RecordedRequest> sink)
    {
        this.keepTensors = keepTensors;
        this.joiner = new PartJoiner(keepTensors, window, sink);
    }

    /** Reads a whole recording into memory. */
    public static Recording read(final Path dir, final RecordingInfo info)
    {
        return readAll(dir, info, true);
    }

    /** Reads everything but the tensors: tokens are empty and outputs null, for counting. */
    public static Recording summarize(final Path dir, final RecordingInfo info)
    {
        return readAll(dir, info, false);
    }

    private static Recording readAll(final Path dir, final RecordingInfo info, final boolean keepTensors)
    {
        final List<RecordedRequest> requests = new ArrayList<>();
        final RecordingReader reader = new RecordingReader(keepTensors, Integer.MAX_VALUE, requests::add);
        final End end = reader.scan(dir, info);
        return new Recording(info, end.model(), requests, end.unreadable(), end.lostRecords(), end.damage());
    }

    /** Scans the recording, giving every request to the sink in arrival order. */
    End scan(final Path dir, final RecordingInfo info)
    {
        this.info = info;
        Damage damage = scanner.scan(dir, info, this::onMessage);
        if (damage == null && model == null)
        {
            damage = new Damage(info.id(), info.startPosition(), "is empty (no model record)");
        }
        if (model != null)
        {
            joiner.finish();
        }
        return new End(model, unreadable, lost, damage);
    }

    /** The most requests held open at once while joining. */
    int largestOpen()
    {
        return joiner.largestOpen();
    }

    private Damage onMessage(final long position, final UnsafeBuffer buffer, final int offset, final int length)
    {
        if (length < RecordFormat.HEADER_LENGTH || buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN) != RecordFormat.MAGIC)
        {
            return new Damage(info.id(), position, "is not a Switchyard recording (a message without its magic)");
        }
        final short version = buffer.getShort(offset + 4, ByteOrder.LITTLE_ENDIAN);
        if (version != RecordFormat.VERSION)
        {
            return new Damage(info.id(), position, "has format version " + version + ", this build reads " +
                RecordFormat.VERSION + ",");
        }
        final short kind = buffer.getShort(offset + RecordFormat.KIND_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final long sequence = buffer.getLong(offset + RecordFormat.SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final long timeNs = buffer.getLong(offset + RecordFormat.TIME_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int total = buffer.getInt(offset + RecordFormat.LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int chunkAt = buffer.getInt(offset + RecordFormat.CHUNK_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int chunk = length - RecordFormat.HEADER_LENGTH;
        if (kind < RecordFormat.MODEL || kind > RecordFormat.ANSWER || total < 0 || chunkAt < 0 ||
            (long)chunkAt + chunk > total)
        {
            return new Damage(info.id(), position, "is corrupted: a record header is invalid (kind " + kind +
                ", length " + total + ", chunk at " + chunkAt + "),");
        }
        if (chunkAt == 0)
        {
            if (sequence < nextSequence)
            {
                return new Damage(info.id(), position, "is corrupted: record " + sequence + " comes after " +
                    (nextSequence - 1) + ",");
            }
            // A record begun but never finished (or a sequence gap) was lost by the recorder.
            lost += sequence - nextSequence + (received < recordLength ? 1 : 0);
            nextSequence = sequence + 1;
            recordStart = position;
            recordLength = total;
            received = 0;
            recordKind = kind;
            recordTimeNs = timeNs;
        }
        else if (sequence != nextSequence - 1 || chunkAt != received || total != recordLength)
        {
            return new Damage(info.id(), position, "is corrupted: a record's chunk is out of place,");
        }
        record.putBytes(received, buffer, offset + RecordFormat.HEADER_LENGTH, chunk);
        received += chunk;
        return received == recordLength ? onRecord(recordStart, recordKind, recordTimeNs, record, recordLength) : null;
    }

    private Damage onRecord(
        final long position, final short kind, final long timeNs, final DirectBuffer buffer, final int length)
    {
        if (model == null && kind != RecordFormat.MODEL)
        {
            return new Damage(info.id(), position, "is not a Switchyard recording (it does not start with its model)");
        }
        switch (kind)
        {
            case RecordFormat.MODEL ->
            {
                if (length != RecordFormat.MODEL_LENGTH)
                {
                    return new Damage(info.id(), position, "is corrupted: its model record is " + length + " bytes,");
                }
                model = new RecordedModel(buffer.getInt(0, ByteOrder.LITTLE_ENDIAN),
                    buffer.getInt(4, ByteOrder.LITTLE_ENDIAN), buffer.getInt(8, ByteOrder.LITTLE_ENDIAN),
                    buffer.getInt(12, ByteOrder.LITTLE_ENDIAN), buffer.getInt(16, ByteOrder.LITTLE_ENDIAN));
                joiner.model(model);
                return null;
            }
            case RecordFormat.REQUEST ->
            {
                return onRequest(position, timeNs, buffer, length);
            }
            default ->
            {
                return onAnswer(position, timeNs, buffer, length);
            }
        }
    }

    private Damage onRequest(final long position, final long timeNs, final DirectBuffer buffer, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH || !RequestFrame.isRequest(header.wrap(buffer, 0)))
        {
            return new Damage(info.id(), position, "is corrupted: a request record holds no request frame,");
        }
        if (requestFrame.wrap(buffer, 0, length) != BlockStatus.OK)
        {
            unreadable++;
            return null;
        }
        final int rows = requestFrame.rows();
        if (requestFrame.cols() != model.dModel())
        {
            unreadable++;
            return null;
        }
        final float[] tokens = keepTensors ? new float[rows * requestFrame.cols()] : PartJoiner.NONE;  // [rows, d]
        if (keepTensors)
        {
            requestFrame.readTokens(0, rows, tokens, 0);
        }
        float[] importance = null;
        if (keepTensors && requestFrame.hasImportance())
        {
            importance = new float[rows];  // [rows]
            requestFrame.readImportance(0, rows, importance, 0);
        }
        joiner.add(new PartJoiner.RequestPart(timeNs, requestFrame.clientId(), requestFrame.requestId(),
            requestFrame.layer(), requestFrame.keepApart(), requestFrame.wantRouting(), requestFrame.deadlineMicros(),
            requestFrame.groupOrdinalBase(), rows, tokens, importance));
        return null;
    }

    private Damage onAnswer(final long position, final long timeNs, final DirectBuffer buffer, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH || !AnswerFrame.isAnswer(header.wrap(buffer, 0)) ||
            !answerFrame.wrap(header, buffer, 0, length))
        {
            return new Damage(info.id(), position, "is corrupted: an answer record holds no whole answer frame,");
        }
        float[] output = null;
        final AnswerStatus status = AnswerStatus.of(answerFrame.status());
        if (status == AnswerStatus.OK && keepTensors)
        {
            output = new float[answerFrame.rows() * answerFrame.cols()];  // [rows, d]
            answerFrame.readOutputs(output);
        }
        joiner.add(answerFrame.clientId(), answerFrame.requestId(), new PartJoiner.AnswerPart(timeNs, status,
            answerFrame.detail(), answerFrame.rows(), output, keepTensors ? routing() : null));
        return null;
    }

    /** The routing the answer frame carries, or null. */
    private RecordedRouting routing()
    {
        if (!answerFrame.routing())
        {
            return null;
        }
        final int rows = answerFrame.rows();
        final int groups = answerFrame.groups();
        final RecordedRouting routing = RecordedRouting.of(rows, answerFrame.entries());
        answerFrame.readRouting(new int[groups], new double[groups], routing.expert(), routing.position(),
            routing.gate());
        return routing;
    }
}
