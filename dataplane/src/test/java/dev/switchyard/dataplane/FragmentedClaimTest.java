package dev.switchyard.dataplane;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.switchyard.testkit.Await;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames of several fragments claimed fragment by fragment on a real UDP publication (MTU 1408, a
 * 64 KiB term), put together by Aeron's own {@code FragmentAssembler}: byte for byte the frame written;
 * never across a term; a frame given up halfway dropped by the receiver, and the next one whole.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FragmentedClaimTest
{
    private static final int STREAM = 1002;
    private static final int TERM = 64 * 1024;

    private final List<byte[]> received = new ArrayList<>();
    private final FragmentedClaim claim = new FragmentedClaim();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TERM]);
    private DataPlane plane;
    private Subscription subscription;
    private Outlet outlet;
    private FragmentAssembler assembler;

    @BeforeEach
    void start()
    {
        plane = DataPlane.start(DataPlaneSettings.loopback());
        subscription = plane.subscribeUdp(0, STREAM);
        final ExclusivePublication publication = plane.aeron().addExclusivePublication(
            plane.resolvedChannel(subscription) + "|term-length=" + TERM + "|mtu=1408", STREAM);
        outlet = new Outlet(publication, Doorbell.NONE, Doorbell.NONE);
        Await.until(publication::isConnected, Duration.ofSeconds(10), () -> "not connected");
        assembler = new FragmentAssembler((b, offset, length, header) ->
        {
            final byte[] bytes = new byte[length];
            b.getBytes(offset, bytes);
            received.add(bytes);
        });
    }

    @AfterEach
    void stop()
    {
        plane.close();
    }

    /** {@code count} floats from {@code seed}. */
    private static float[] floats(final int count, final int seed)
    {
        final float[] x = new float[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = seed + i * 0.5f;
        }
        return x;
    }

    /** The bytes FragmentedClaim should put: an 8-byte head of {@code seed}, then the floats little-endian. */
    private byte[] expected(final float[] x, final int seed)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[8 + x.length * Float.BYTES]);
        frame.putLong(0, seed);
        for (int i = 0; i < x.length; i++)
        {
            frame.putFloat(8 + i * Float.BYTES, x[i], ByteOrder.LITTLE_ENDIAN);
        }
        return frame.byteArray();
    }

    /** Claims, writes the head and the floats in pieces of {@code piece}, commits; the claim's result. */
    private long send(final float[] x, final int seed, final int piece)
    {
        final int length = 8 + x.length * Float.BYTES;
        assertTrue(FragmentedClaim.fits(outlet, length), "fits");
        final long result = claim.claim(outlet, length);
        assertTrue(result > 0, () -> Offers.describe(result));
        claim.buffer().putLong(claim.offset(), seed);
        claim.skip(8);
        for (int i = 0; i < x.length; i += piece)
        {
            assertTrue(claim.putFloats(x, i, Math.min(piece, x.length - i)) > 0);
        }
        claim.commit();
        return result;
    }

    private void awaitFrames(final int count)
    {
        Await.until(() ->
        {
            subscription.poll(assembler, 10);
            return received.size() >= count;
        }, Duration.ofSeconds(10), () -> received.size() + " of " + count + " frames");
        assertEquals(count, received.size());
    }

    @Test
    void framesOfSeveralFragmentsArriveAsWritten()
    {
        final int maxPayload = outlet.publication().maxPayloadLength();
        assertFalse(FragmentedClaim.fits(outlet, maxPayload), "one fragment is claimed as one");
        final float[] a = floats(1000, 1);   // 4 KiB: three fragments, rows across their edges
        final float[] b = floats(2 * maxPayload / Float.BYTES - 2, 2);  // fills its last fragment exactly
        send(a, 1, 7);
        send(b, 2, 1000);
        awaitFrames(2);
        assertArrayEquals(expected(a, 1), received.get(0));
        assertArrayEquals(expected(b, 2), received.get(1));
        assertEquals(3 * 1408, FragmentedClaim.framedLength(3 * 1376, 1376));
        assertEquals(3 * 1408 + 64, FragmentedClaim.framedLength(3 * 1376 + 10, 1376));
    }

    @Test
    void aFrameThatWouldCrossItsTermIsNotClaimedAndTheTermsNextOneIs()
    {
        final float[] x = floats(1000, 3);
        final int length = 8 + x.length * Float.BYTES;
        final Publication publication = outlet.publication();
        final long framed = FragmentedClaim.framedLength(length, publication.maxPayloadLength());
        int sent = 0;
        while (true)
        {
            // The receiver takes every frame: once its window is open again, only the term's end refuses.
            Await.until(() ->
            {
                subscription.poll(assembler, 10);
                return publication.availableWindow() >= framed;
            }, Duration.ofSeconds(10), () -> "the window stayed shut");
            if (!FragmentedClaim.fits(outlet, length))
            {
                break;
            }
            send(x, 3, 64);
            sent++;
        }
        awaitFrames(sent);
        final long termLeft = TERM - (publication.position() & (TERM - 1));
        assertTrue(termLeft < framed, "refused only where the frame would cross the term: " + termLeft + " left");
        // An offer pads the term and puts the frame whole in the next; claims go on from there.
        final byte[] whole = expected(x, 4);
        final long offered = Offers.offer(publication, new UnsafeBuffer(whole), 0, whole.length,
            plane.newIdleStrategy(), TimeUnit.SECONDS.toNanos(5), null);
        assertTrue(offered > 0, () -> Offers.describe(offered));
        send(x, 5, 1000);
        awaitFrames(sent + 2);
        assertArrayEquals(whole, received.get(sent));
        assertArrayEquals(expected(x, 5), received.get(sent + 1));
    }

    @Test
    void aFrameGivenUpHalfwayIsDroppedAndTheNextArrivesWhole()
    {
        final float[] x = floats(1000, 6);
        final int length = 8 + x.length * Float.BYTES;
        assertTrue(claim.claim(outlet, length) > 0);
        claim.buffer().putLong(claim.offset(), 6);
        claim.skip(8);
        assertTrue(claim.putFloats(x, 0, 500) > 0);  // into its second fragment
        claim.abort();
        send(x, 7, 1000);
        awaitFrames(1);
        assertArrayEquals(expected(x, 7), received.get(0));
    }
}
