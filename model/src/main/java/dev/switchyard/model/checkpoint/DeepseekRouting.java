package dev.switchyard.model.checkpoint;

/** The routing settings of the two DeepSeek families, checked against E and k. */
final class DeepseekRouting
{
    private DeepseekRouting()
    {
    }

    static RoutingParams v2(final ConfigValues c, final int experts, final int k)
    {
        final String method = c.string("topk_method", "greedy");
        final double scaling = c.number("routed_scaling_factor", 1.0);
        final Integer nGroup = c.nullableInteger("n_group", null);
        final Integer topkGroup = c.nullableInteger("topk_group", null);
        switch (method)
        {
            case "greedy" ->
            {
                return new RoutingParams.DeepseekV2(method, nGroup, topkGroup, scaling);
            }
            case "group_limited_greedy" ->
            {
                groups(c, experts, k, nGroup, topkGroup, 1);
                return new RoutingParams.DeepseekV2(method, nGroup, topkGroup, scaling);
            }
            default -> throw c.bad("topk_method", "\"" + method + "\" is not greedy or group_limited_greedy");
        }
    }

    static RoutingParams v3(final ConfigValues c, final int experts, final int k)
    {
        final Integer nGroup = c.nullableInteger("n_group", 8);
        final Integer topkGroup = c.nullableInteger("topk_group", 4);
        // Groups are scored by the sum of their two best experts.
        groups(c, experts, k, nGroup, topkGroup, 2);
        return new RoutingParams.DeepseekV3(nGroup, topkGroup, c.bool("norm_topk_prob", true),
            c.number("routed_scaling_factor", 2.5));
    }

    private static void groups(final ConfigValues c, final int experts, final int k, final Integer nGroup,
        final Integer topkGroup, final int minPerGroup)
    {
        if (nGroup == null || topkGroup == null)
        {
            throw c.bad(nGroup == null ? "n_group" : "topk_group", "is missing or null; group routing needs it");
        }
        c.range("n_group", nGroup, 1, experts);
        if (experts % nGroup != 0 || experts / nGroup < minPerGroup)
        {
            throw c.bad("n_group", "= " + nGroup + " does not split " + experts + " experts into groups of at least " +
                minPerGroup);
        }
        c.range("topk_group", topkGroup, 1, nGroup);
        c.range("num_experts_per_tok", k, 1, topkGroup * (experts / nGroup));
    }
}
