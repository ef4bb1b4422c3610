package dev.switchyard.node.placement;

import dev.switchyard.experts.actor.ExpertId;

/** One expert copy to move from node {@code from} to node {@code to} (cluster addresses). */
public record Move(ExpertId copy, String from, String to)
{
}
