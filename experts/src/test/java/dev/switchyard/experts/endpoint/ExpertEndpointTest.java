package dev.switchyard.experts.endpoint;

import dev.switchyard.dataplane.Offers;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.dataplane.DataPlane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.switchyard.compute.layer.IdentityExpert;
import dev.switchyard.testkit.Await;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The endpoint over a real embedded media driver, talking UDP on loopback as a remote gateway would. */
class ExpertEndpointTest
{
    private static final int D = 8;
    private static final long GATEWAY = 77;

    private DataPlane plane;
    private ExpertEndpoint endpoint;
    private Subscription replies;
    private ExclusivePublication toEndpoint;
    private final ExpertBlockFrame frame = new ExpertBlockFrame();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 20]);
    private final List<Reply> received = new ArrayList<>();
    private FragmentAssembler assembler;

    record Reply(long groupId, int layer, int expert, BlockStatus status, int rows, float[] data)
    {
    }

    @BeforeEach
    void start()
    {
        plane = DataPlane.start(DataPlaneSettings.loopback());
        endpoint = new ExpertEndpoint(plane, new ExpertEndpoint.Shape(1, 4, D, 64)).start();
        // y = 2x + expert, so that each reply shows which expert computed it.
        for (int e = 0; e < 3; e++)
        {
            final int expert = e;
            endpoint.register(0, e, 1, (x, xo, rows, y, yo) ->
            {
                for (int i = 0; i < rows * D; i++)
                {
                    y[yo + i] = 2 * x[xo + i] + expert;
                }
            }).join();
        }
        replies = plane.subscribeUdp(0, WireLayout.GATEWAY_REPLY_STREAM_ID);
        final String replyChannel = plane.resolvedChannel(replies);
        toEndpoint = plane.publish(endpoint.address().udpChannel(), WireLayout.EXPERT_STREAM_ID);
        final ExpertBlockFrame decoder = new ExpertBlockFrame();
        assembler = new FragmentAssembler((buf, off, len, hdr) ->
        {
            assertEquals(BlockStatus.OK, decoder.wrap(buf, off, len));
            final float[] data = new float[decoder.rows() * decoder.cols()];
            decoder.readRows(data, 0);
            received.add(new Reply(decoder.groupId(), decoder.layer(), decoder.expert(), decoder.status(),
                decoder.rows(), data));
        }, 1 << 20, true);
        final int helloLength = new HelloFrame().writeGatewayHello(
            buffer, 0, GATEWAY, WireLayout.GATEWAY_REPLY_STREAM_ID, replyChannel);
        send(helloLength);
    }

    @AfterEach
    void stop()
    {
        endpoint.close();
        plane.close();
    }

    private void send(final int length)
    {
        final long result = Offers.offer(toEndpoint, buffer, 0, length, plane.newIdleStrategy(),
            TimeUnit.SECONDS.toNanos(5), null);
        assertTrue(result > 0, () -> Offers.describe(result));
    }

    private Reply awaitReply()
    {
        Await.until(() ->
        {
            replies.poll(assembler, 10);
            return !received.isEmpty();
        }, Duration.ofSeconds(10), () -> "no reply");
        return received.removeFirst();
    }

    private float[] rows(final int rows)
    {
        final float[] x = new float[rows * D];
        for (int i = 0; i < x.length; i++)
        {
            x[i] = i * 0.5f - 3;
        }
        return x;
    }

    @Test
    void computesBlocksLargerThanOneMtuAndAnswersErrorsWhileServing()
    {
        final float[] x = rows(64);  // 2 KiB of rows: several UDP fragments
        send(frame.write(buffer, 0, 5, GATEWAY, 0, 2, 1, 64, D, BlockStatus.OK, x, 0));
        final Reply ok = awaitReply();
        assertEquals(BlockStatus.OK, ok.status());
        assertEquals(5, ok.groupId());
        final float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++)
        {
            expected[i] = 2 * x[i] + 2;
        }
        assertArrayEquals(expected, ok.data());

        send(frame.write(buffer, 0, 6, GATEWAY, 3, 0, 1, 1, D, BlockStatus.OK, x, 0));
        assertEquals(BlockStatus.UNKNOWN_LAYER, awaitReply().status());
        send(frame.write(buffer, 0, 7, GATEWAY, 0, 9, 1, 1, D, BlockStatus.OK, x, 0));
        assertEquals(BlockStatus.UNKNOWN_EXPERT, awaitReply().status());
        send(frame.write(buffer, 0, 8, GATEWAY, 0, 1, 1, 2, D - 1, BlockStatus.OK, x, 0));
        assertEquals(BlockStatus.BAD_SHAPE, awaitReply().status());
        send(frame.write(buffer, 0, 9, GATEWAY, 0, 3, 1, 1, D, BlockStatus.OK, x, 0));
        assertEquals(BlockStatus.EXPERT_UNAVAILABLE, awaitReply().status());
        final int full = frame.write(buffer, 0, 10, GATEWAY, 0, 1, 1, 4, D, BlockStatus.OK, x, 0);
        send(full - 12);  // truncated: the header is there, the rows are not
        final Reply truncated = awaitReply();
        assertEquals(BlockStatus.BAD_SHAPE, truncated.status());
        assertEquals(10, truncated.groupId());
        send(20);  // not even a header
        buffer.putInt(0, 0x7fff7fff);  // an unknown schema
        send(64);

        endpoint.drain(0, 1).join();
        send(frame.write(buffer, 0, 11, GATEWAY, 0, 1, 1, 1, D, BlockStatus.OK, x, 0));
        assertEquals(BlockStatus.DRAINING, awaitReply().status());

        // Still serving after all of that.
        send(frame.write(buffer, 0, 12, GATEWAY, 0, 0, 1, 3, D, BlockStatus.OK, x, 0));
        final Reply again = awaitReply();
        assertEquals(BlockStatus.OK, again.status());
        assertEquals(3, again.rows());
        assertEquals(2 * x[5], again.data()[5]);

        assertEquals(1, endpoint.counters().get(BlockStatus.UNKNOWN_LAYER));
        assertEquals(2, endpoint.counters().get(BlockStatus.BAD_SHAPE));
        assertEquals(2, endpoint.counters().get(BlockStatus.MALFORMED));
        assertEquals(2, endpoint.unanswerable());
        assertEquals(2, endpoint.counters().get(BlockStatus.OK));
        assertEquals(67, endpoint.rowsServed());
    }

    /**
     * An expert that can write memory computes an answer of one fragment straight into the gateway's term
     * buffer; a larger one is computed into the endpoint's rows and sent from there. Both are its rows.
     */
    @Test
    void anAnswerOfOneFragmentIsComputedWhereTheGatewayReadsIt()
    {
        endpoint.register(0, 3, 1, new IdentityExpert(D)).join();
        final float[] x = rows(64);
        // The first answer may find the way back still connecting, and wait for it as a frame of its own.
        send(frame.write(buffer, 0, 29, GATEWAY, 0, 3, 1, 1, D, BlockStatus.OK, x, 0));
        assertEquals(29, awaitReply().groupId());
        final long before = endpoint.answersComputedInPlace();

        send(frame.write(buffer, 0, 30, GATEWAY, 0, 3, 1, 3, D, BlockStatus.OK, x, 0));
        final Reply small = awaitReply();
        assertEquals(BlockStatus.OK, small.status());
        assertArrayEquals(Arrays.copyOf(x, 3 * D), small.data());
        assertEquals(before + 1, endpoint.answersComputedInPlace());

        send(frame.write(buffer, 0, 31, GATEWAY, 0, 3, 1, 64, D, BlockStatus.OK, x, 0));  // several fragments
        final Reply large = awaitReply();
        assertEquals(31, large.groupId());
        assertArrayEquals(x, large.data());
        assertEquals(before + 1, endpoint.answersComputedInPlace(), "a frame of several fragments cannot be claimed");
        assertEquals(68, endpoint.rowsServed());
    }

    /** Blocks of several fragments, whose rows are put together straight into the expert's input. */
    @Test
    void aBlockOfSeveralFragmentsIsCheckedAsTheWholeFrameWouldBe()
    {
        final float[] x = rows(80);
        final int full = frame.write(buffer, 0, 20, GATEWAY, 0, 1, 1, 64, D, BlockStatus.OK, x, 0);
        send(full - 12);  // its last rows cut short
        final Reply truncated = awaitReply();
        assertEquals(BlockStatus.BAD_SHAPE, truncated.status());
        assertEquals(20, truncated.groupId());
        send(frame.write(buffer, 0, 21, GATEWAY, 0, 1, 1, 80, D, BlockStatus.OK, x, 0));
        assertEquals(BlockStatus.BAD_SHAPE, awaitReply().status(), "more rows than a block has");
        send(frame.write(buffer, 0, 22, GATEWAY, 0, 1, 1, 100, D - 3, BlockStatus.OK, x, 0));
        assertEquals(BlockStatus.BAD_SHAPE, awaitReply().status(), "rows of the wrong width");
        buffer.putInt(0, 0x7fff7fff);  // an unknown schema, several fragments long
        send(3000);

        send(frame.write(buffer, 0, 23, GATEWAY, 0, 2, 1, 50, D, BlockStatus.OK, x, 10 * D));
        final Reply ok = awaitReply();
        assertEquals(BlockStatus.OK, ok.status());
        assertEquals(23, ok.groupId());
        for (int i = 0; i < 50 * D; i++)
        {
            assertEquals(2 * x[10 * D + i] + 2, ok.data()[i], "value " + i);
        }
        assertEquals(3, endpoint.counters().get(BlockStatus.BAD_SHAPE));
        assertEquals(1, endpoint.counters().get(BlockStatus.MALFORMED));
        assertEquals(1, endpoint.unanswerable());
        assertEquals(50, endpoint.rowsServed());
    }
}
