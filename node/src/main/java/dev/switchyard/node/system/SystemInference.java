package dev.switchyard.node.system;

import java.nio.file.Path;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.io.RoutingReport;
import dev.switchyard.wire.BadInputException;

/**
 * A token sequence through the serving system (embedded, or a running gateway) in groups of its
 * own, as {@code infer --local} forms them: the non-local path of {@code infer}.
 */
public final class SystemInference
{
    /** Outputs [tokens, d] and, when asked for, the routing report. */
    public record Result(float[] output, RoutingReport report)
    {
    }

    private SystemInference()
    {
    }

    /**
     * Starts the embedded system for the model, runs the tokens through it, stops it.
     *
     * @param compute the experts' compute settings (HOCON: {@code switchyard.experts.compute-*})
     */
    public static Result embedded(
        final Path modelDir, final ModelDirectory model, final int layer, final float[] x, final int tokens,
        final float[] importance, final boolean wantRouting, final String compute)
    {
        try (EmbeddedSystem system = EmbeddedSystem.start(modelDir, ConfigFactory.parseString(compute)))
        {
            return run(system.client(), model, layer, x, tokens, importance, wantRouting);
        }
    }

    /** Runs the tokens through the gateway at {@code hostPort}. */
    public static Result connected(
        final String hostPort, final ModelDirectory model, final int layer, final float[] x, final int tokens,
        final float[] importance, final boolean wantRouting)
    {
        try (SwitchyardClient client = SwitchyardClient.connect(hostPort))
        {
            if (client.dModel() != model.config().dModel() || client.numExperts() != model.config().numExperts())
            {
                throw new BadInputException("gateway " + hostPort + " serves d_model " + client.dModel() + " with " +
                    client.numExperts() + " experts, model " + model.path() + " has d_model " +
                    model.config().dModel() + " with " + model.config().numExperts());
            }
            if (client.groupSize() != model.config().routing().groupSize())
            {
                throw new BadInputException("gateway " + hostPort + " forms groups of " + client.groupSize() +
                    " tokens, model " + model.path() + " of " + model.config().routing().groupSize());
            }
            return run(client, model, layer, x, tokens, importance, wantRouting);
        }
    }

    /**
     * A checkpoint folder's served layer: starts the embedded system for it (groups of {@code groupSize}
     * tokens, 0 for the default; a capacity family's request is its own group), runs the tokens
     * through, stops it. The answer carries the routing report, k entries per token, when asked for.
     *
     * @param compute the experts' compute settings (HOCON: {@code switchyard.experts.compute-*})
     */
    public static InferAnswer embeddedCheckpoint(
        final Path folder, final int layer, final float[] x, final int tokens, final boolean wantRouting,
        final int groupSize, final String compute)
    {
        try (EmbeddedSystem system = EmbeddedSystem.start(folder, ConfigFactory.parseString(
            compute + "\n" + "switchyard.gateway.group-size = " + groupSize)))
        {
            return answer(system.client(), layer, x, tokens, wantRouting);
        }
    }

    /** A checkpoint's served layer through the gateway at {@code hostPort}; d must be the checkpoint's. */
    public static InferAnswer connectedCheckpoint(
        final String hostPort, final int dModel, final int layer, final float[] x, final int tokens,
        final boolean wantRouting)
    {
        try (SwitchyardClient client = SwitchyardClient.connect(hostPort))
        {
            if (client.dModel() != dModel)
            {
                throw new BadInputException("gateway " + hostPort + " serves d_model " + client.dModel() +
                    ", the checkpoint has " + dModel);
            }
            return answer(client, layer, x, tokens, wantRouting);
        }
    }

    private static InferAnswer answer(final SwitchyardClient client, final int layer, final float[] x, final int tokens,
        final boolean wantRouting)
    {
        final InferAnswer answer = client.infer(x, tokens, null, wantRouting,
            RequestOptions.exact().withLayer(layer)).join();
        if (!answer.ok())
        {
            throw new BadInputException("the system answered " + answer.status() + ": " + answer.detail());
        }
        return answer;
    }

    private static Result run(
        final SwitchyardClient client, final ModelDirectory model, final int layer, final float[] x,
        final int tokens, final float[] importance, final boolean wantRouting)
    {
        final InferAnswer answer = client.infer(x, tokens, importance, wantRouting,
            RequestOptions.exact().withLayer(layer)).join();
        if (!answer.ok())
        {
            throw new BadInputException("the system answered " + answer.status() + ": " + answer.detail());
        }
        RoutingReport report = null;
        if (wantRouting)
        {
            final InferAnswer.Routing r = answer.routing();
            final int[] e1 = new int[tokens];
            final int[] e2 = new int[tokens];
            final int[] p1 = new int[tokens];
            final int[] p2 = new int[tokens];
            final float[] g1 = new float[tokens];
            final float[] g2 = new float[tokens];
            for (int t = 0; t < tokens; t++)
            {
                e1[t] = r.expert()[2 * t];
                e2[t] = r.expert()[2 * t + 1];
                p1[t] = r.position()[2 * t];
                p2[t] = r.position()[2 * t + 1];
                g1[t] = r.gate()[2 * t];
                g2[t] = r.gate()[2 * t + 1];
            }
            report = new RoutingReport(r.capacity(), r.auxLoss(), e1, e2, p1, p2, g1, g2);
        }
        return new Result(answer.output(), report);
    }
}
