package dev.switchyard.experts.endpoint;

import dev.switchyard.dataplane.Outlet;
import dev.switchyard.dataplane.DataPlane;
import io.aeron.ChannelUri;
import io.aeron.exceptions.AeronException;

/**
 * Opens the way back to a peer that named its reply channel in a hello. The channel came from the
 * wire: it must parse as an Aeron udp channel with an endpoint, or ipc, and a driver that refuses it
 * refuses this one peer only.
 */
public final class ReplyChannels
{
    private ReplyChannels()
    {
    }

    /** Whether {@code channel} is one a peer may ask to be answered on. */
    public static boolean acceptable(final String channel)
    {
        try
        {
            final ChannelUri uri = ChannelUri.parse(channel);
            if (uri.isIpc())
            {
                return true;
            }
            return uri.isUdp() && uri.get("endpoint") != null;
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    /** The outlet to {@code channel}, or null when the channel is not acceptable or the driver refused it. */
    public static Outlet open(final DataPlane dataPlane, final String channel, final int streamId)
    {
        if (!acceptable(channel))
        {
            return null;
        }
        try
        {
            return dataPlane.outlet(channel, streamId);
        }
        catch (final AeronException | IllegalArgumentException | IllegalStateException ex)
        {
            return null;
        }
    }
}
