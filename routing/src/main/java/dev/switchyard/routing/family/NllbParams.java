package dev.switchyard.routing.family;

import java.util.OptionalInt;

import dev.switchyard.wire.BadInputException;

/**
 * NLLB-MoE's top-2 router in eval mode.
 *
 * @param experts                         num_experts
 * @param evalCapacityTokenFraction       moe_eval_capacity_token_fraction: when above 0 the capacity is
 *                                        ceil(fraction · tokens of the group), computed in double as Python does
 * @param expertCapacity                  expert_capacity, used only when the fraction is not above 0;
 *                                        absent: 2 · ceil(tokens / E)
 * @param normalizeBeforeDropping         normalize_router_prob_before_dropping
 * @param batchPrioritizedRouting         batch_prioritized_routing
 * @param secondExpertPolicy              second_expert_policy: only {@code all}; {@code sampling} and
 *                                        {@code random} draw random numbers and cannot be answered exactly
 */
public record NllbParams(int experts, double evalCapacityTokenFraction, OptionalInt expertCapacity,
                         boolean normalizeBeforeDropping, boolean batchPrioritizedRouting,
                         String secondExpertPolicy) implements RuleParams
{
    public NllbParams
    {
        ParamChecks.experts("num_experts", experts);
        if (experts < 2)
        {
            throw new BadInputException("num_experts must be at least 2 for top-2 routing, got " + experts);
        }
        ParamChecks.finite("moe_eval_capacity_token_fraction", evalCapacityTokenFraction);
        if (expertCapacity == null)
        {
            expertCapacity = OptionalInt.empty();
        }
        if (expertCapacity.isPresent() && expertCapacity.getAsInt() < 0)
        {
            throw new BadInputException("expert_capacity must not be negative, got " + expertCapacity.getAsInt());
        }
        if (!"all".equals(secondExpertPolicy))
        {
            throw new BadInputException("second_expert_policy '" + secondExpertPolicy +
                "' is not supported: only 'all' routes without random draws");
        }
    }

    @Override
    public int topK()
    {
        return 2;
    }

    /** The capacity of each expert in a group of {@code tokens} (NllbMoeTop2Router.route_tokens, eval). */
    public int capacity(final int tokens)
    {
        if (evalCapacityTokenFraction > 0)
        {
            return (int)Math.min(Integer.MAX_VALUE, Math.ceil(evalCapacityTokenFraction * tokens));
        }
        return expertCapacity.orElse(2 * Math.ceilDiv(tokens, experts));
    }
}
