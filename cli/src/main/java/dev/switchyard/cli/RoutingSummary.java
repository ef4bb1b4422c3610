package dev.switchyard.cli;

import dev.switchyard.routing.plan.RoutingRecord;

/** The one-line summary of a routed sequence. */
final class RoutingSummary
{
    private RoutingSummary()
    {
    }

    static String line(final String what, final RoutingRecord r, final double millis)
    {
        return String.format(
            "%s: %s, %s; dropped: %d first (capacity), %d second (capacity), %d second (policy), " +
            "%d (importance); %s without expert; mean aux loss %.6f; %.1f ms",
            what, Counts.of(r.tokens(), "token"), Counts.of(r.groups().count(), "group"), r.droppedFirstByCapacity(),
            r.droppedSecondByCapacity(), r.secondRemovedByPolicy(), r.maskedByImportance(),
            Counts.of(r.tokensWithoutExpert(), "token"), r.meanAuxLoss(), millis);
    }
}
