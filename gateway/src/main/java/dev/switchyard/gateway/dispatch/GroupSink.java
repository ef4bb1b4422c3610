package dev.switchyard.gateway.dispatch;

/**
 * Where {@link GroupFormer} sends each group it closes: the {@link GroupDispatcher} in service, a
 * recorder of closed groups where the forming alone is under test.
 */
interface GroupSink
{
    /** Takes a closed group on its way; the group is the sink's until it is released to its pool. */
    void dispatch(GroupSlot group);
}
