package dev.switchyard.model.config;

/**
 * The {@code routing} object of {@code config.json}: top-2 gating of Mesh TensorFlow.
 *
 * @param groupSize        tokens per group G; the last group of a request may be smaller
 * @param capacityFactor   C = max(minCapacity, min(G, floor(G * capacityFactor / E)))
 * @param minCapacity      lower bound of the per-expert capacity
 * @param secondPolicy     what happens to second choices
 * @param secondThreshold  threshold of the {@code threshold} and {@code random} policies
 * @param normalize        when the two gates are renormalised
 * @param secondPlaceLoss  whether the balancing loss has the second-place term
 * @param randomSeed       seed of the {@code random} policy's uniforms (reproducible runs)
 */
public record RoutingConfig(
    int groupSize,
    double capacityFactor,
    int minCapacity,
    SecondPolicy secondPolicy,
    double secondThreshold,
    Normalize normalize,
    boolean secondPlaceLoss,
    long randomSeed)
{
    public static final String GATING_TOP2 = "top2";

    public static RoutingConfig defaults()
    {
        return new RoutingConfig(128, 2.0, 4, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 0L);
    }

    /** Capacity of every expert for a group of {@code groupTokens} tokens and {@code experts} experts. */
    public int capacity(final int groupTokens, final int experts)
    {
        final long formula = (long)Math.floor(groupTokens * capacityFactor / experts);
        return (int)Math.max(minCapacity, Math.min(groupTokens, formula));
    }

    public RoutingConfig withSecondPolicy(final SecondPolicy policy)
    {
        return new RoutingConfig(
            groupSize, capacityFactor, minCapacity, policy, secondThreshold, normalize, secondPlaceLoss, randomSeed);
    }

    public RoutingConfig withGroupSize(final int size)
    {
        return new RoutingConfig(
            size, capacityFactor, minCapacity, secondPolicy, secondThreshold, normalize, secondPlaceLoss, randomSeed);
    }

    /**
     * The most rows one expert's data-plane block can hold for groups of up to {@link #groupSize()}
     * tokens: slots past the capacity are dropped, and a token holds at most two slots.
     */
    public int maxBlockRows(final int experts)
    {
        int most = 0;
        for (int g = 1; g <= groupSize; g++)
        {
            most = Math.max(most, Math.min(capacity(g, experts), 2 * g));
        }
        return most;
    }
}
