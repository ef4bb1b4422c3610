package dev.switchyard.gateway.dispatch;

import dev.switchyard.experts.endpoint.OfferBacklog;
import dev.switchyard.dataplane.Outlet;

/**
 * A client between its hello and its welcome: the publication back to it is being added (without
 * waiting on the driver), then the welcome is offered once per try, with back-off, until it is
 * taken or the client is given up. Once welcomed, the same object is the client's entry.
 */
final class ClientHandshake
{
    final long clientId;
    final String channel;
    final int streamId;
    final long registrationId;
    final long startNs;
    /** The schema version of its hello: a version-0 client gets the old welcome and no heartbeats. */
    final int version;
    Outlet outlet;
    /** When a frame was last sent (or queued) to it; a heartbeat follows an interval of silence. */
    long lastSentNs;
    /** Answers its client has not taken yet; made when it is welcomed. */
    OfferBacklog backlog;
    long nextTryNs;
    long backoffNs;

    ClientHandshake(
        final long clientId, final String channel, final int streamId, final long registrationId, final long startNs,
        final int version)
    {
        this.version = version;
        this.clientId = clientId;
        this.channel = channel;
        this.streamId = streamId;
        this.registrationId = registrationId;
        this.startNs = startNs;
        this.nextTryNs = startNs;
    }

    boolean sameAs(final String channel, final int streamId)
    {
        return this.streamId == streamId && this.channel.equals(channel);
    }
}
