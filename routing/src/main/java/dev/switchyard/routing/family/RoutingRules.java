package dev.switchyard.routing.family;

/** Builds a fresh rule (with its own scratch) from a family's parameters. */
public final class RoutingRules
{
    private RoutingRules()
    {
    }

    public static RoutingRule create(final RuleParams params)
    {
        return switch (params)
        {
            case SoftmaxTopKParams p -> new SoftmaxTopKRule(p);
            case DeepseekV2Params p -> new DeepseekV2Rule(p);
            case DeepseekV3Params p -> new DeepseekV3Rule(p);
            case SwitchParams p -> new SwitchTop1Rule(p);
            case NllbParams p -> new NllbTop2Rule(p);
        };
    }
}
