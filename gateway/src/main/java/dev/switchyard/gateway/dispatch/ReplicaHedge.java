package dev.switchyard.gateway.dispatch;

import java.util.concurrent.TimeUnit;

/**
 * When a part of a block left unanswered is sent to another live replica of its expert as well: after
 * the smoothed round trip plus four deviations (TCP's retransmission timeout, RFC 6298), so that in
 * steady state only the slowest few parts are hedged, and a replica that dies mid-block costs its
 * parts about one such timeout instead of the seconds the cluster takes to declare its node
 * unreachable. Only round trips of first sends are sampled (Karn's rule). Data-plane thread only.
 */
final class ReplicaHedge
{
    private static final long FLOOR_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long INITIAL_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final long capNs;
    private double smoothedNs = -1;
    private double deviationNs;

    ReplicaHedge(final long capNs)
    {
        this.capNs = capNs;
    }

    void observe(final long roundTripNs)
    {
        if (smoothedNs < 0)
        {
            smoothedNs = roundTripNs;
            deviationNs = roundTripNs / 2.0;
            return;
        }
        deviationNs = 0.75 * deviationNs + 0.25 * Math.abs(smoothedNs - roundTripNs);
        smoothedNs = 0.875 * smoothedNs + 0.125 * roundTripNs;
    }

    /** How long a part may go unanswered before another replica is asked too. */
    long afterNs()
    {
        final long rto = smoothedNs < 0 ? INITIAL_NS : (long)(smoothedNs + 4 * deviationNs);
        return Math.min(capNs, Math.max(FLOOR_NS, rto));
    }
}
