package dev.switchyard.routing.family;

import dev.switchyard.wire.BadInputException;

/** The checks every family's parameters share, each naming the config key that is wrong. */
final class ParamChecks
{
    private ParamChecks()
    {
    }

    static void experts(final String key, final int experts)
    {
        if (experts < 1)
        {
            throw new BadInputException(key + " must be at least 1, got " + experts);
        }
    }

    static void topK(final String key, final int topK, final int experts)
    {
        if (topK < 1 || topK > experts)
        {
            throw new BadInputException(key + " must be between 1 and the " + experts + " experts, got " + topK);
        }
    }

    static void finite(final String key, final double value)
    {
        if (!Double.isFinite(value))
        {
            throw new BadInputException(key + " must be finite, got " + value);
        }
    }

    /** n_group divides the experts and 1 ≤ topk_group ≤ n_group. */
    static void groups(final int experts, final int nGroup, final int topkGroup)
    {
        if (nGroup < 1 || experts % nGroup != 0)
        {
            throw new BadInputException("n_group " + nGroup + " must divide the " + experts + " experts");
        }
        if (topkGroup < 1 || topkGroup > nGroup)
        {
            throw new BadInputException("topk_group must be between 1 and n_group " + nGroup + ", got " + topkGroup);
        }
    }

    /** The kept groups must hold at least top_k experts, or the top-k would reach into masked ones. */
    static void keptHoldTopK(final int topK, final int topkGroup, final int groupSize)
    {
        if ((long)topkGroup * groupSize < topK)
        {
            throw new BadInputException("num_experts_per_tok " + topK + " exceeds the " + topkGroup * groupSize +
                " experts of the topk_group " + topkGroup + " groups kept");
        }
    }
}
