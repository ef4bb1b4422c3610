package dev.switchyard.routing.family;

/** Membership in the short list of kept groups (topk_group entries). */
final class GroupMask
{
    private GroupMask()
    {
    }

    static boolean contains(final int[] kept, final int group)
    {
        for (final int g : kept)
        {
            if (g == group)
            {
                return true;
            }
        }
        return false;
    }
}
