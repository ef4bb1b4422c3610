package dev.switchyard.node.system;

import com.typesafe.config.Config;
import dev.switchyard.gateway.dispatch.GatewayCore;
import dev.switchyard.node.record.RecordSettings;
import dev.switchyard.node.record.RecordedModel;
import dev.switchyard.node.record.TrafficRecorder;
import org.agrona.CloseHelper;

/**
 * The recording of a gateway's traffic, when {@code switchyard.record} asks for one: every request
 * and answer frame the core sees, into an Aeron Archive on the node's driver. It taps the core
 * before the core starts and stops after it, so that the answers sent while closing are recorded too.
 */
final class RecordingRole implements AutoCloseable
{
    private final TrafficRecorder recorder;

    private RecordingRole(final TrafficRecorder recorder)
    {
        this.recorder = recorder;
    }

    /** @param core the gateway's core, not started yet */
    static RecordingRole start(final Config full, final NodeBase base, final GatewayCore core)
    {
        final TrafficRecorder recorder = RecordSettings.from(full).startRecorder(
            base.dataPlane().aeron().context().aeronDirectoryName(),
            new RecordedModel(base.modelConfig().dModel(), base.experts(), base.modelConfig().routing().groupSize(),
                base.layers(), core.maxRequestRows()));
        if (recorder != null)
        {
            core.tap(recorder);
        }
        return new RecordingRole(recorder);
    }

    /** The recorder, or null when this node records nothing. */
    TrafficRecorder recorder()
    {
        return recorder;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(recorder);
    }
}
