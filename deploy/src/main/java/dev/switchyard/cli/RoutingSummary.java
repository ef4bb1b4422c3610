package dev.switchyard.cli;

import dev.switchyard.router.plan.RoutingRecord;

/** The one-line summary of a routed sequence. */
final class RoutingSummary
{
    private RoutingSummary()
    {
    }

    static String line(final String what, final RoutingRecord r, final double millis)
    {
        return String.format(
            "%s: %d tokens, %d groups; dropped: %d first (capacity), %d second (capacity), %d second (policy), " +
            "%d (importance); %d tokens without expert; mean aux loss %.6f; %.1f ms",
            what, r.tokens(), r.groups().count(), r.droppedFirstByCapacity(), r.droppedSecondByCapacity(),
            r.secondRemovedByPolicy(), r.maskedByImportance(), r.tokensWithoutExpert(), r.meanAuxLoss(), millis);
    }
}
