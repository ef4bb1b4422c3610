package dev.switchyard.gateway.dispatch;

/** The gateway's data plane asks its control plane to (re)learn where an expert lives. */
@FunctionalInterface
public interface RelocationRequests
{
    /** Called on the data-plane thread: must only hand the request over (e.g. tell an actor). */
    void relocate(int layer, int expert);
}
