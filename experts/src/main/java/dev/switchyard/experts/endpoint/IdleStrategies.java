package dev.switchyard.experts.endpoint;

import java.util.concurrent.TimeUnit;

import dev.switchyard.router.BadInputException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/** Idle strategies by configuration name. Backoff is the default: it parks rather than burn a core. */
public final class IdleStrategies
{
    private IdleStrategies()
    {
    }

    public static IdleStrategy of(final String name)
    {
        return switch (name)
        {
            // Spin briefly, yield, then park up to 100 µs: idle threads cost little CPU and wake fast.
            case "backoff" -> new BackoffIdleStrategy(
                20, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
            case "sleeping" -> new SleepingMillisIdleStrategy(1);
            case "yielding" -> new YieldingIdleStrategy();
            case "busy-spin" -> new BusySpinIdleStrategy();
            default -> throw new BadInputException(
                "idle strategy must be one of backoff, sleeping, yielding, busy-spin (got '" + name + "')");
        };
    }
}
