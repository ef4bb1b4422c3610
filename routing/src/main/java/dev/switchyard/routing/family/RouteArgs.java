package dev.switchyard.routing.family;

/** Checks the arrays handed to {@link RoutingRule#route}: a mismatch is the caller's bug, not bad input. */
final class RouteArgs
{
    private RouteArgs()
    {
    }

    static void check(final RoutingRule rule, final float[] logits, final int tokens, final int experts,
                      final int[] expert, final float[] gate)
    {
        if (experts != rule.experts())
        {
            throw new IllegalArgumentException(
                "logits have " + experts + " experts per token, the rule routes over " + rule.experts());
        }
        if (tokens < 0)
        {
            throw new IllegalArgumentException("negative token count " + tokens);
        }
        if ((long)tokens * experts > logits.length)
        {
            throw new IllegalArgumentException("logits [" + tokens + ", " + experts + "] need " +
                (long)tokens * experts + " floats, got " + logits.length);
        }
        final long entries = (long)tokens * rule.k();
        if (entries > expert.length || entries > gate.length)
        {
            throw new IllegalArgumentException("expert and gate [" + tokens + ", " + rule.k() + "] need " + entries +
                " entries, got " + expert.length + " and " + gate.length);
        }
    }
}
