package dev.switchyard.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.switchyard.wire.BadInputException;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests cut into messages of whole groups, written as frames and read back as the gateway reads
 * them, and their parts' answers joined into the request's: no gateway, no Aeron.
 */
class RequestSplitterTest
{
    private static final int D = 4;
    private static final int GROUP = 2;
    private static final int CHUNK = 4;
    private static final long CLIENT = 77;

    /** One message as the gateway reads it. */
    private record Sent(long requestId, int part, int requestTokens, int caller, long deadlineMicros, int layer,
        long groupOrdinalBase, int rows, int onUnavailable, boolean keepApart, boolean wantRouting, float[] tokens,
        float[] importance, boolean toldOfWhole)
    {
    }

    /** Writes each part as a frame, reads it back, and answers it with its tokens doubled (or with {@code refuse}). */
    private static final class RoundTrip implements RequestSplitter.Sender
    {
        final List<Sent> sent = new ArrayList<>();
        final RequestFrame writer = new RequestFrame();
        final RequestFrame reader = new RequestFrame();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);
        int refusePart = -1;

        @Override
        public CompletableFuture<InferAnswer> send(final RequestPart part, final CompletableFuture<InferAnswer> whole)
        {
            final int length = part.write(writer, buffer, 0, CLIENT, D);
            assertEquals(BlockStatus.OK, reader.wrap(buffer, 0, length));
            assertEquals(CLIENT, reader.clientId());
            final int rows = reader.rows();
            final float[] tokens = new float[rows * D];
            reader.readTokens(0, rows, tokens, 0);
            final float[] importance = new float[rows];
            if (reader.hasImportance())
            {
                reader.readImportance(0, rows, importance, 0);
            }
            sent.add(new Sent(reader.requestId(), reader.part(), reader.requestTokens(), reader.caller(),
                reader.deadlineMicros(), reader.layer(), reader.groupOrdinalBase(), rows, reader.onUnavailable(),
                reader.keepApart(), reader.wantRouting(), tokens, importance, whole != null));
            if (part.part() == refusePart)
            {
                return CompletableFuture.completedFuture(
                    InferAnswer.failed(reader.requestId(), AnswerStatus.OVERLOADED, "over the caller's share"));
            }
            return CompletableFuture.completedFuture(answer(reader.requestId(), part.firstRow(), tokens, rows));
        }

        /** Doubles the tokens; routes global row r to experts r and r + 1, one group per {@link #GROUP} rows. */
        private static InferAnswer answer(final long requestId, final int firstRow, final float[] tokens, final int rows)
        {
            final float[] output = new float[tokens.length];
            for (int i = 0; i < tokens.length; i++)
            {
                output[i] = 2 * tokens[i];
            }
            final int groups = rows / GROUP;
            final int[] capacity = new int[groups];
            final double[] aux = new double[groups];
            Arrays.fill(capacity, firstRow / GROUP);
            final int[] expert = new int[2 * rows];
            final int[] position = new int[2 * rows];
            final float[] gate = new float[2 * rows];
            for (int i = 0; i < 2 * rows; i++)
            {
                expert[i] = firstRow + i / 2 + i % 2;
                position[i] = i;
                gate[i] = 0.5f;
            }
            return new InferAnswer(requestId, AnswerStatus.OK, "", rows, D, output,
                new InferAnswer.Routing(capacity, aux, expert, position, gate));
        }
    }

    private static float[] tokens(final int rows)
    {
        final float[] t = new float[rows * D];
        for (int i = 0; i < t.length; i++)
        {
            t[i] = i * 0.25f - 3;
        }
        return t;
    }

    @Test
    void largeRequestGoesInWholeGroupsThatCarryItsTotalsAndJoinIntoOneAnswer()
    {
        final RoundTrip gateway = new RoundTrip();
        final RequestSplitter splitter = new RequestSplitter(D, GROUP, CHUNK, 1 << 16, gateway);
        final int rows = 10;
        final float[] tokens = tokens(rows);
        final float[] importance = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            importance[i] = 1 + i;
        }
        final RequestOptions options = RequestOptions.shared().withLayer(1).withDeadline(Duration.ofMillis(250))
            .withOnUnavailable(RequestOptions.OnUnavailable.DROP).withCaller(7);

        final InferAnswer answer = splitter.send(new ClientRequest(tokens, rows, importance, true, options, null)).join();

        assertEquals(3, gateway.sent.size(), "10 tokens in parts of 4, 4 and 2");
        final int[] partRows = {4, 4, 2};
        for (int p = 0; p < 3; p++)
        {
            final Sent s = gateway.sent.get(p);
            assertEquals(1 + p, s.requestId(), "consecutive ids: part k is the first's plus k");
            assertEquals(p, s.part());
            assertEquals(rows, s.requestTokens(), "every part names the whole request's tokens");
            assertEquals(7, s.caller());
            assertEquals(250_000, s.deadlineMicros());
            assertEquals(1, s.layer());
            assertEquals(p * CHUNK / GROUP, s.groupOrdinalBase(), "groups counted from the request's first");
            assertEquals(partRows[p], s.rows());
            assertEquals(RequestFrame.ON_UNAVAILABLE_DROP, s.onUnavailable());
            assertTrue(s.wantRouting());
            assertFalse(s.keepApart());
            assertTrue(s.toldOfWhole(), "a part's wait for room ends once the whole request is answered");
            assertArrayEquals(Arrays.copyOfRange(tokens, p * CHUNK * D, (p * CHUNK + s.rows()) * D), s.tokens());
            assertArrayEquals(Arrays.copyOfRange(importance, p * CHUNK, p * CHUNK + s.rows()), s.importance());
        }

        assertEquals(AnswerStatus.OK, answer.status());
        assertEquals(1, answer.requestId(), "the whole answers as its first part");
        assertEquals(rows, answer.rows());
        for (int i = 0; i < tokens.length; i++)
        {
            assertEquals(2 * tokens[i], answer.output()[i], "output " + i + " in request order");
        }
        assertArrayEquals(new int[] {0, 0, 2, 2, 4}, answer.routing().capacity(), "groups in part order");
        for (int r = 0; r < rows; r++)
        {
            assertEquals(r, answer.routing().expert()[2 * r], "row " + r + "'s first expert");
            assertEquals(r + 1, answer.routing().expert()[2 * r + 1], "row " + r + "'s second expert");
        }
    }

    @Test
    void requestThatFitsOneMessageGoesAsItIs()
    {
        final RoundTrip gateway = new RoundTrip();
        final RequestSplitter splitter = new RequestSplitter(D, GROUP, CHUNK, 1 << 16, gateway);
        final float[] tokens = tokens(CHUNK);

        final InferAnswer answer = splitter.send(
            new ClientRequest(tokens, CHUNK, null, false, RequestOptions.exact(), null)).join();

        assertEquals(1, gateway.sent.size());
        final Sent s = gateway.sent.getFirst();
        assertEquals(0, s.part());
        assertEquals(CHUNK, s.requestTokens());
        assertEquals(0, s.caller());
        assertEquals(0, s.deadlineMicros(), "no deadline: the gateway's default");
        assertEquals(0, s.groupOrdinalBase());
        assertTrue(s.keepApart());
        assertFalse(s.toldOfWhole(), "a message of its own is its own answer");
        assertArrayEquals(tokens, s.tokens());
        assertEquals(AnswerStatus.OK, answer.status());
        assertEquals(2 * tokens[5], answer.output()[5]);
    }

    @Test
    void refusedPartAnswersTheWholeRequestAndTheRestIsNotSent()
    {
        final RoundTrip gateway = new RoundTrip();
        gateway.refusePart = 1;
        final RequestSplitter splitter = new RequestSplitter(D, GROUP, CHUNK, 1 << 16, gateway);

        final InferAnswer answer = splitter.send(
            new ClientRequest(tokens(20), 20, null, true, RequestOptions.shared(), null)).join();

        assertEquals(2, gateway.sent.size(), "parts after the refused one are not sent");
        assertEquals(AnswerStatus.OVERLOADED, answer.status());
        assertEquals("over the caller's share", answer.detail());
        assertNull(answer.routing());
    }

    @Test
    void requestThatCannotBeSplitIntoWholeGroupsIsRefusedBeforeAnyPartIsSent()
    {
        final RoundTrip gateway = new RoundTrip();
        final RequestSplitter tooSmall = new RequestSplitter(D, GROUP, 0, 100, gateway);
        final BadInputException noGroup = assertThrows(BadInputException.class,
            () -> tooSmall.send(new ClientRequest(tokens(4), 4, null, false, RequestOptions.shared(), null)));
        assertTrue(noGroup.getMessage().contains("does not fit one request message of 100 bytes"),
            noGroup.getMessage());

        final RequestSplitter splitter = new RequestSplitter(D, GROUP, CHUNK, 1 << 16, gateway);
        final float[] given = new float[3 * D];
        assertThrows(BadInputException.class,
            () -> splitter.send(new ClientRequest(tokens(4), 4, null, false, RequestOptions.shared(), given)));
        assertThrows(BadInputException.class,
            () -> splitter.send(new ClientRequest(tokens(4), 5, null, false, RequestOptions.shared(), null)));
        assertThrows(BadInputException.class,
            () -> splitter.send(new ClientRequest(tokens(4), 4, new float[3], false, RequestOptions.shared(), null)));
        assertEquals(0, gateway.sent.size(), "nothing sent");
    }
}
