package dev.switchyard.dataplane;

import org.agrona.concurrent.IdleStrategy;

/**
 * An idle strategy whose thread can be woken through a {@link Doorbell}: the thread that idles on it
 * attaches itself. Given to the embedded media driver, it lets a publisher that meets back-pressure
 * wake the driver's conductor, which alone moves an IPC publication's limit, instead of waiting out
 * the conductor's park.
 */
public final class WakeableIdleStrategy implements IdleStrategy
{
    private final IdleStrategy delegate;
    private final Doorbell bell;

    public WakeableIdleStrategy(final IdleStrategy delegate, final Doorbell bell)
    {
        this.delegate = delegate;
        this.bell = bell;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            bell.attach();
        }
        delegate.idle(workCount);
    }

    @Override
    public void idle()
    {
        bell.attach();
        delegate.idle();
    }

    @Override
    public void reset()
    {
        delegate.reset();
    }

    @Override
    public String alias()
    {
        return delegate.alias();
    }
}
