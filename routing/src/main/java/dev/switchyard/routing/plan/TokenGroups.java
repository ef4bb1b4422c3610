package dev.switchyard.routing.plan;

/**
 * Splits T tokens into consecutive groups of {@code groupSize}; the last group may be smaller and
 * gets its own capacity.
 */
public record TokenGroups(int tokens, int groupSize)
{
    public TokenGroups
    {
        if (tokens < 0 || groupSize < 1)
        {
            throw new IllegalArgumentException("tokens " + tokens + ", group size " + groupSize);
        }
    }

    public int count()
    {
        return (tokens + groupSize - 1) / groupSize;
    }

    public int start(final int group)
    {
        return group * groupSize;
    }

    public int size(final int group)
    {
        return Math.min(groupSize, tokens - group * groupSize);
    }
}
