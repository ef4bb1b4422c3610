package dev.switchyard.dataplane;

import java.util.concurrent.TimeUnit;

import dev.switchyard.wire.BadInputException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/** Idle strategies by configuration name. Backoff is the default: it parks rather than burn a core. */
public final class IdleStrategies
{
    /** The longest park of the backoff strategy. */
    public static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private IdleStrategies()
    {
    }

    /** The default: parks up to {@link #MAX_PARK_NS} once a thread has spun and yielded a little. */
    public static IdleStrategy backoff()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), MAX_PARK_NS);
    }

    public static IdleStrategy of(final String name)
    {
        return switch (name)
        {
            // Spin briefly, yield, then park up to 1 ms. A shorter longest park (100 µs was tried) wakes
            // every idle thread ten thousand times a second: on two cores those wake-ups preempt the
            // compute thread and cost more than the data plane itself.
            case "backoff" -> backoff();
            case "sleeping" -> new SleepingMillisIdleStrategy(1);
            case "yielding" -> new YieldingIdleStrategy();
            case "busy-spin" -> new BusySpinIdleStrategy();
            default -> throw new BadInputException(
                "idle strategy must be one of backoff, sleeping, yielding, busy-spin (got '" + name + "')");
        };
    }
}
