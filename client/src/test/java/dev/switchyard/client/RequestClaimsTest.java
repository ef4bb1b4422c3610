package dev.switchyard.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.dataplane.Doorbell;
import dev.switchyard.wire.frame.RequestFrame;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A request part larger than one UDP fragment, claimed fragment by fragment on a real exclusive
 * publication (MTU 1408), arrives as the very bytes {@link RequestPart#write} puts into a buffer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequestClaimsTest
{
    private static final int D = 16;
    private static final long CLIENT = 91;

    @Test
    void aPartClaimedInFragmentsArrivesAsTheFrameWrittenWhole()
    {
        try (DataPlane plane = DataPlane.start(DataPlaneSettings.loopback()))
        {
            final Subscription subscription = plane.subscribeUdp(0, 1003);
            final ExclusivePublication publication = plane.publish(plane.resolvedChannel(subscription), 1003);
            final float[] tokens = new float[60 * D];
            final float[] importance = new float[60];
            for (int i = 0; i < tokens.length; i++)
            {
                tokens[i] = i * 0.125f - 7;
            }
            for (int t = 0; t < importance.length; t++)
            {
                importance[t] = t % 2 == 0 ? 1f : 0.5f;
            }
            final ClientRequest request = new ClientRequest(tokens, 60, importance, true, RequestOptions.exact(), null);
            final RequestPart part = new RequestPart(request, 12, 2, 20, 40, 5);  // rows 20..59, the third message
            final int length = (int)part.length(D);
            final UnsafeBuffer whole = new UnsafeBuffer(new byte[length]);
            assertEquals(length, part.write(new RequestFrame(), whole, 0, CLIENT, D));

            final RequestClaims claims = new RequestClaims(new RequestFrame(), Doorbell.NONE);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!claims.fitsInFragments(publication, length))  // until connected: the window opens
            {
                if (System.nanoTime() - deadline > 0)
                {
                    fail("the publication never had room for the frame");
                }
                Thread.onSpinWait();
            }
            assertFalse(claims.fitsInFragments(publication, publication.maxPayloadLength()), "one fragment");
            assertTrue(claims.inFragments(part, length, CLIENT, D) > 0);

            final List<byte[]> received = new ArrayList<>();
            final FragmentAssembler assembler = new FragmentAssembler((b, offset, n, header) ->
            {
                final byte[] bytes = new byte[n];
                b.getBytes(offset, bytes);
                received.add(bytes);
            });
            final long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (received.isEmpty())
            {
                subscription.poll(assembler, 10);
                if (System.nanoTime() - until > 0)
                {
                    fail("no frame");
                }
            }
            assertArrayEquals(whole.byteArray(), received.getFirst());
        }
    }
}
