package dev.switchyard.tools.report;

/**
 * Cumulative per-expert counters of the gateway under test, read once a second.
 */
public interface ExpertLoad
{
    /**
     * @param rows  [experts] rows dispatched to each expert so far (all layers)
     * @param drops [experts] assignments meant for each expert and dropped so far (all layers, every
     *              cause); left at -1 when the gateway does not count drops per expert
     * @return assignments dropped so far (capacity and policy), or -1 when unknown; or
     *         {@link Long#MIN_VALUE} when the gateway could not be read this time
     */
    long sample(long[] rows, long[] drops);

    int experts();
}
