package dev.switchyard.node.placement;

import java.util.ArrayList;
import java.util.List;

import dev.switchyard.experts.actor.ExpertId;

/**
 * How many copies of each expert the cluster hosts now: the configured {@link Replicas}, or those
 * plus the extra copies placement gives hot experts. Read from any thread.
 */
public interface ExpertCopies
{
    /** Copies of expert {@code expert} of layer {@code layer}: replicas 0 .. of - 1. */
    int of(int layer, int expert);

    /**
     * Whether {@code id} is a copy placement keeps only for a while (the bridge of a move): its
     * expert's other copies serve without it, so losing it with its node loses nothing.
     */
    default boolean passing(final ExpertId id)
    {
        return false;
    }

    /** Every hosted copy of every expert of {@code layers} layers of {@code experts} experts. */
    default List<ExpertId> ids(final int layers, final int experts)
    {
        final List<ExpertId> ids = new ArrayList<>();
        for (int l = 0; l < layers; l++)
        {
            for (int e = 0; e < experts; e++)
            {
                for (int r = 0; r < of(l, e); r++)
                {
                    ids.add(new ExpertId(l, e, r));
                }
            }
        }
        return ids;
    }
}
