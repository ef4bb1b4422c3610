package dev.switchyard.client;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.InferAnswerEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import dev.switchyard.wire.sbe.MessageHeaderEncoder;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Answers of several fragments, sent over a real UDP publication of MTU 1408 to the assembler: a result
 * for a message waiting is read from its fragments into its array and checked as the whole frame would
 * be; anything else goes through whole.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AnswerAssemblerTest
{
    private static final long CLIENT = 77;
    private static final int D = 16;
    private static final int ROWS = 60;  // 3.8 KiB of rows: three fragments, four with the routing report

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);
    private final FrameFaults faults = new FrameFaults("test answers");
    private final PendingAnswers pending = new PendingAnswers(() -> { });
    private final List<Integer> wholeFrames = new ArrayList<>();
    private final HelloFrame.Welcome welcome = new HelloFrame.Welcome(CLIENT, D, 4, 8, 1, 256);
    private int heard;
    private DataPlane plane;
    private Subscription answers;
    private ExclusivePublication toClient;
    private AnswerAssembler assembler;

    @BeforeEach
    void start()
    {
        plane = DataPlane.start(DataPlaneSettings.loopback());
        answers = plane.subscribeUdp(0, 1001);
        toClient = plane.publish(plane.resolvedChannel(answers), 1001);
        assembler = new AnswerAssembler((b, o, length, h) -> wholeFrames.add(length), new AnswerAssembler.Link()
        {
            @Override
            public long clientId()
            {
                return CLIENT;
            }

            @Override
            public HelloFrame.Welcome welcome()
            {
                return welcome;
            }

            @Override
            public void heard()
            {
                heard++;
            }
        }, pending, faults, 1 << 16);
    }

    @AfterEach
    void stop()
    {
        plane.close();
    }

    private PendingAnswers.Pending waitFor(final long requestId, final float[] output)
    {
        final ClientRequest request = new ClientRequest(new float[ROWS * D], ROWS, null, true,
            RequestOptions.exact(), output);
        final PendingAnswers.Pending answer = PendingAnswers.of(new RequestPart(request, requestId, 0, 0, ROWS, 0), D);
        pending.waitFor(requestId, answer);
        return answer;
    }

    /** An answer to {@code requestId} with routing, its rows and report from {@code seed}. */
    private int writeAnswer(final long requestId, final float seed)
    {
        final float[] y = rows(seed);
        final int groups = ROWS / 8;
        final int[] capacity = new int[groups];
        final double[] auxLoss = new double[groups];
        for (int g = 0; g < groups; g++)
        {
            capacity[g] = g + 3;
            auxLoss[g] = seed + g / 8.0;
        }
        final int[] expert = new int[2 * ROWS];
        final int[] position = new int[2 * ROWS];
        final float[] gate = new float[2 * ROWS];
        for (int i = 0; i < 2 * ROWS; i++)
        {
            expert[i] = i % 4;
            position[i] = i / 3;
            gate[i] = seed + i / 256f;
        }
        return new AnswerFrame().writeResult(buffer, 0, CLIENT, requestId, BlockStatus.OK, "", ROWS, D, y, groups,
            capacity, auxLoss, 2, expert, position, gate);
    }

    private static float[] rows(final float seed)
    {
        final float[] y = new float[ROWS * D];
        for (int i = 0; i < y.length; i++)
        {
            y[i] = seed + i * 0.25f;
        }
        return y;
    }

    private void send(final int length)
    {
        assertTrue(length > toClient.maxPayloadLength(), "a frame of several fragments");
        final long result = Offers.offer(toClient, buffer, 0, length, plane.newIdleStrategy(),
            TimeUnit.SECONDS.toNanos(5), null);
        assertTrue(result > 0, () -> Offers.describe(result));
    }

    private void pollUntil(final BooleanSupplier done, final String what)
    {
        await(() -> done.getAsBoolean() || answers.poll(assembler, 10) < 0, what);
    }

    private static void await(final BooleanSupplier done, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("waited 10 s for " + what);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void aResultIsReadFromItsFragmentsIntoTheCallersArrayWithItsReport()
    {
        final float[] out = new float[ROWS * D + 3];
        Arrays.fill(out, Float.NaN);
        final PendingAnswers.Pending answer = waitFor(5, out);
        send(writeAnswer(5, 1.5f));
        pollUntil(answer::isDone, "the answer");
        final InferAnswer a = answer.join();
        assertEquals(AnswerStatus.OK, a.status());
        assertSame(out, a.output());
        assertArrayEquals(rows(1.5f), Arrays.copyOf(out, ROWS * D));
        assertTrue(Float.isNaN(out[ROWS * D]), "nothing written past the answer");
        assertArrayEquals(new int[] {3, 4, 5, 6, 7, 8, 9}, a.routing().capacity());
        assertEquals(1.5 + 6 / 8.0, a.routing().auxLoss()[6]);
        assertEquals(3, a.routing().expert()[2 * ROWS - 1]);
        assertEquals((2 * ROWS - 1) / 3, a.routing().position()[2 * ROWS - 1]);
        assertEquals(1.5f + (2 * ROWS - 1) / 256f, a.routing().gate()[2 * ROWS - 1]);
        assertEquals(1, assembler.streamedAnswers());
        assertEquals(1, heard);
        assertTrue(wholeFrames.isEmpty());
        assertEquals(0, faults.total());
    }

    @Test
    void aResultCutShortOrTooLongIsRefusedOnceAndTheMessageStillWaits()
    {
        final PendingAnswers.Pending answer = waitFor(6, null);
        send(writeAnswer(6, 2f) - 12);
        pollUntil(() -> faults.total() == 1, "the short answer refused");
        send(writeAnswer(6, 2f) + 40);
        pollUntil(() -> faults.total() == 2, "the long answer refused");
        assertEquals(2, faults.count(FrameFault.BAD_SHAPE));
        assertFalse(answer.isDone(), "a refused answer completes nothing");
        send(writeAnswer(6, 2.5f));
        pollUntil(answer::isDone, "the answer");
        assertArrayEquals(rows(2.5f), answer.join().output());
        assertEquals(2, faults.total(), "each refused once");
        assertEquals(1, assembler.streamedAnswers());
    }

    @Test
    void anAnswerTheCallerGaveUpOnGoesThroughWholeAndTouchesNoArray()
    {
        final float[] out = new float[ROWS * D];
        waitFor(7, out);
        pending.remove(7);
        send(writeAnswer(7, 3f));
        final PendingAnswers.Pending next = waitFor(8, null);
        send(writeAnswer(8, 4f));
        pollUntil(next::isDone, "the next answer");
        // The answer to 7 found no message waiting at its first fragment: read whole, as any other frame.
        assertEquals(List.of(writeAnswer(7, 3f)), wholeFrames);
        assertArrayEquals(new float[ROWS * D], out, "the caller's array untouched");
        assertArrayEquals(rows(4f), next.join().output());
    }

    @Test
    void aCallerGivingUpWhileItsAnswerArrivesGetsNoMoreRowsWritten()
    {
        final float[] out = new float[ROWS * D];
        waitFor(10, out);
        send(writeAnswer(10, 5f));
        final int[] fragments = {0};
        await(() -> (fragments[0] += answers.poll(assembler, 1)) > 0, "the first fragment");
        pending.remove(10);
        final PendingAnswers.Pending next = waitFor(11, null);
        send(writeAnswer(11, 6f));
        pollUntil(next::isDone, "the next answer");
        assertEquals(1, pending.unmatchedCount(), "the answer to 10 matched nothing at its end");
        final AnswerFrame head = new AnswerFrame();
        head.wrapHead(new MessageHeaderDecoder(), buffer, 0, writeAnswer(10, 5f));
        final int firstFloats = (toClient.maxPayloadLength() - head.headLength()) / Float.BYTES;
        assertEquals(rows(5f)[firstFloats - 1], out[firstFloats - 1], "the first fragment's rows, written while 10 waited");
        assertArrayEquals(new float[ROWS * D - firstFloats], Arrays.copyOfRange(out, firstFloats, ROWS * D),
            "no row after it");
        assertEquals(1, assembler.streamedAnswers());
    }

    @Test
    void otherFramesOfSeveralFragmentsGoThroughWhole()
    {
        waitFor(9, null);
        for (int i = 0; i < 3000; i++)
        {
            buffer.putByte(i, (byte)(i * 31));
        }
        send(3000);
        final int wrongShape = writeAnswer(9, 1f);
        // rows: not what message 9 asked for
        buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + InferAnswerEncoder.rowsEncodingOffset(), ROWS - 1,
            ByteOrder.LITTLE_ENDIAN);
        send(wrongShape);
        pollUntil(() -> wholeFrames.size() == 2, "both frames");
        assertEquals(List.of(3000, wrongShape), wholeFrames);
        assertEquals(0, assembler.streamedAnswers());
    }
}
