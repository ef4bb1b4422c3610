package dev.switchyard.routing.family;

/** The routing parameters of one family, read from its config by the caller; {@link RoutingRules} builds the rule. */
public sealed interface RuleParams permits SoftmaxTopKParams, DeepseekV2Params, DeepseekV3Params, SwitchParams,
    NllbParams
{
    /** E, the routed experts. */
    int experts();

    /** Entries per token. */
    int topK();
}
