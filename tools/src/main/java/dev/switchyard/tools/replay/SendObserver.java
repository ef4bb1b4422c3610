package dev.switchyard.tools.replay;

import dev.switchyard.client.InferAnswer;

/** Sees each request an open-loop run sends and the answer it gets (from the client's threads). */
public interface SendObserver
{
    SendObserver NONE = new SendObserver()
    {
        @Override
        public void sent(final ScheduledRequest request, final long nowNs)
        {
        }

        @Override
        public void answered(final ScheduledRequest request, final InferAnswer answer, final long nowNs)
        {
        }
    };

    void sent(ScheduledRequest request, long nowNs);

    void answered(ScheduledRequest request, InferAnswer answer, long nowNs);
}
