package dev.switchyard.routing.family;

import dev.switchyard.wire.BadInputException;

/**
 * Switch Transformers' top-1 router.
 *
 * @param experts        num_experts
 * @param expertCapacity expert_capacity: at most this many tokens per expert per group (sequence)
 */
public record SwitchParams(int experts, int expertCapacity) implements RuleParams
{
    public SwitchParams
    {
        ParamChecks.experts("num_experts", experts);
        if (expertCapacity < 0)
        {
            throw new BadInputException("expert_capacity must not be negative, got " + expertCapacity);
        }
    }

    @Override
    public int topK()
    {
        return 1;
    }
}
