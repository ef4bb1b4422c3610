package dev.switchyard.experts.endpoint;

import dev.switchyard.dataplane.DataPlane;

/**
 * Where a node receives data-plane frames.
 *
 * @param driverId    names the media driver: parts on the same driver talk over IPC
 * @param udpChannel  the UDP channel other nodes publish to
 * @param streamId    the stream on both
 */
public record EndpointAddress(String driverId, String udpChannel, int streamId)
{
    /** The channel a publisher attached to {@code publisherDriverId} should use. */
    public String channelFrom(final String publisherDriverId)
    {
        return driverId.equals(publisherDriverId) ? DataPlane.IPC_CHANNEL : udpChannel;
    }
}
