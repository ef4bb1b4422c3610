package dev.switchyard.gateway.record.replay;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import dev.switchyard.gateway.record.RecordedRequest;

/**
 * A recording's requests on their recorded schedule: arrival times divided by {@code speed},
 * played {@code loops} times back to back, and cut at {@code durationNs} when that is positive.
 */
public final class Schedule implements Iterable<ScheduledRequest>
{
    private final List<RecordedRequest> requests;
    private final double speed;
    private final int loops;
    private final long durationNs;
    private final long loopNs;

    public Schedule(final List<RecordedRequest> requests, final double speed, final int loops, final long durationNs)
    {
        this.requests = requests;
        this.speed = speed;
        this.loops = loops;
        this.durationNs = durationNs;
        // A loop lasts from the first arrival to one mean gap after the last, so loops do not overlap.
        final long last = requests.isEmpty() ? 0 : requests.getLast().arrivalNs();
        final long gap = requests.size() > 1 ? last / (requests.size() - 1) : 1_000_000L;
        this.loopNs = last + Math.max(1, gap);
    }

    @Override
    public Iterator<ScheduledRequest> iterator()
    {
        return new Iterator<>()
        {
            private int loop;
            private int i;
            private long index;
            private ScheduledRequest next = advance();

            private ScheduledRequest advance()
            {
                if (i == requests.size())
                {
                    loop++;
                    i = 0;
                }
                if (loop >= loops || requests.isEmpty())
                {
                    return null;
                }
                final RecordedRequest r = requests.get(i++);
                final long offset = (long)((loop * (double)loopNs + r.arrivalNs()) / speed);
                if (durationNs > 0 && offset >= durationNs)
                {
                    return null;
                }
                return new ScheduledRequest(index++, offset, r.layer(), r.keepApart(), r.wantRouting(),
                    r.deadlineMicros(), r.rows(), r.tokens(), r.importance(), r);
            }

            @Override
            public boolean hasNext()
            {
                return next != null;
            }

            @Override
            public ScheduledRequest next()
            {
                if (next == null)
                {
                    throw new NoSuchElementException();
                }
                final ScheduledRequest out = next;
                next = advance();
                return out;
            }
        };
    }
}
