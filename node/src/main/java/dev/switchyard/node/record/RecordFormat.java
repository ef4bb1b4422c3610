package dev.switchyard.node.record;

/**
 * The messages of a Switchyard recording, as the Aeron Archive stores them. Every message starts
 * with a 40-byte header; a record longer than one message is cut into chunks, each with the header.
 * <pre>
 *  0 int32  MAGIC
 *  4 int16  VERSION
 *  6 int16  kind: MODEL, REQUEST or ANSWER
 *  8 int64  sequence number of the record in its recording, from 0 (a gap means records lost)
 * 16 int64  time at the gateway, System.nanoTime() ns (arrival of a request, departure of an answer)
 * 24 int32  record length (all chunks)
 * 28 int32  offset of this chunk in the record
 * 32 int64  reserved
 * 40 ...    chunk bytes
 * </pre>
 * A MODEL record opens every recording: d_model, experts, group size, layers, max request rows
 * (int32 each), then the wall clock in epoch ns and System.nanoTime() at the same instant (int64).
 * A REQUEST record is the client's InferRequest frame, an ANSWER record the gateway's InferAnswer
 * frame, both exactly as they crossed the gateway. Little-endian throughout.
 * <p>
 * A language model's text traffic ({@code serve --openai --record}) goes in recordings of its own, in the same
 * archive and messages: an LM_MODEL record opens it (the wall clock in epoch ns and System.nanoTime() at the
 * same instant, int64 each, then the model's name in UTF-8), then one EXCHANGE record per completions or chat
 * request, written when it was answered, timed at its arrival: UTF-8 JSON {@code {"path", "body", "answer"}}
 * with the body as received (a string) and the answer the server gave ({@code status}, {@code stream},
 * {@code text}, {@code token_ids}, {@code finish_reason}, {@code usage}, or {@code error}). JSON rather than
 * frames: the body must be replayed byte for byte, and the answer is read by people too.
 */
public final class RecordFormat
{
    public static final int MAGIC = 0x52595753;  // "SWYR"
    public static final short VERSION = 1;
    public static final short MODEL = 1;
    public static final short REQUEST = 2;
    public static final short ANSWER = 3;
    public static final short LM_MODEL = 4;
    public static final short EXCHANGE = 5;
    public static final int HEADER_LENGTH = 40;
    public static final int MODEL_LENGTH = 5 * Integer.BYTES + 2 * Long.BYTES;
    /** Stream id of the recording publication (IPC, recorded by the node's archive). */
    public static final int STREAM_ID = 4101;

    public static final int KIND_OFFSET = 6;
    public static final int SEQUENCE_OFFSET = 8;
    public static final int TIME_OFFSET = 16;
    public static final int LENGTH_OFFSET = 24;
    public static final int CHUNK_OFFSET = 28;

    private RecordFormat()
    {
    }
}
