package dev.switchyard.gateway.gating;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.layer.CheckpointMoeLayer;
import dev.switchyard.compute.layer.CheckpointRouting;
import dev.switchyard.compute.network.CheckpointExperts;
import dev.switchyard.compute.network.ExpertNetwork;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.ExpertTensors;
import dev.switchyard.model.checkpoint.MoeLayerSpec;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.testkit.TestData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * What the gateway does with a checkpoint layer, without the network: its plan, each expert's block
 * computed from the plan's slots (in any order), the staged combine. For every committed checkpoint
 * and served layer, whole and with random experts unavailable, the output is the in-process layer's
 * bits (and so the reference's), the plan's first k entries are the layer's routing, and an
 * unavailable shared expert is never left out.
 */
class CheckpointGatingTest
{
    private static final List<String> CASES = List.of("mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v2",
        "deepseek_v2_greedy", "deepseek_v3", "deepseek_v3_fp8", "qwen3_moe_fp8", "switch_transformers", "nllb-moe",
        "nllb-moe_norm_before");

    @TestFactory
    List<DynamicTest> thePlanTheBlocksAndTheStagedCombineGiveTheLocalLayer()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final String name : CASES)
        {
            tests.add(DynamicTest.dynamicTest(name, () -> check(TestData.checkpoints().resolve(name))));
        }
        return tests;
    }

    private static void check(final Path folder) throws IOException
    {
        final ComputeBackend backend = ComputeBackends.byName(ComputeBackends.VECTOR);
        try (Checkpoint checkpoint = Checkpoint.open(folder))
        {
            for (int l = 0; l < checkpoint.layers().size(); l++)
            {
                final NpyArray x = Npy.read(folder.resolve("reference").resolve("layer" + l + ".input.npy"));
                final SplittableRandom random = new SplittableRandom(l);
                for (int round = 0; round < 3; round++)
                {
                    final boolean[] off = round == 0 ? null : unavailable(checkpoint.layer(l), random);
                    compare(checkpoint, l, x, off, backend, folder.getFileName() + " layer " + l + " round " + round);
                }
            }
        }
    }

    private static void compare(final Checkpoint checkpoint, final int l, final NpyArray x, final boolean[] off,
        final ComputeBackend backend, final String where)
    {
        final MoeLayerSpec spec = checkpoint.layer(l);
        final int rows = x.rows();
        final int d = x.cols();
        final CheckpointMoeLayer local = CheckpointMoeLayer.load(checkpoint, l, backend, null).withUnavailable(off);
        final int k = local.k();
        final float[] expected = new float[rows * d];
        final int[] expert = new int[rows * k];
        final float[] gate = new float[rows * k];
        local.forward(x.data(), rows, rows, expected, expert, gate);

        final CheckpointRouting routing = CheckpointRouting.load(checkpoint, l);
        final CheckpointLayerGating gating = new CheckpointLayerGating(routing, rows);
        final RoutingPlan plan = new RoutingPlan(rows, gating.experts(), gating.entries());
        final boolean[] skip = skipFlags(off, gating);
        gating.route(x.data(), rows, null, 0, skip, new float[rows * gating.experts()], plan);
        if (skip != null && gating.experts() > gating.routedExperts())
        {
            assertFalse(skip[gating.routedExperts()], where + ": the shared expert is never left out");
        }
        for (int t = 0; t < rows; t++)
        {
            for (int j = 0; j < k; j++)
            {
                assertEquals(expert[t * k + j], plan.expert(t, j), where + " token " + t + " entry " + j);
                assertEquals(gate[t * k + j], plan.gate(t, j), where + " token " + t + " gate " + j);
            }
        }
        final float[] y = new float[rows * d];
        new StagedCombine(d, gating.entries()).combine(plan, terms(checkpoint, l, spec, plan, x.data(), d, backend),
            gating.routedExperts(), gating.termScale(), y);
        assertArrayEquals(expected, y, where);
    }

    /** Every expert's block from the plan's slots, computed as an expert node would, staged by slot. */
    private static float[] terms(final Checkpoint checkpoint, final int l, final MoeLayerSpec spec,
        final RoutingPlan plan, final float[] x, final int d, final ComputeBackend backend)
    {
        final float[] terms = new float[plan.entries() * plan.tokens() * d];
        // Highest expert first: the order blocks come back in must not matter.
        for (int e = plan.experts() - 1; e >= 0; e--)
        {
            final int rows = plan.slotCount(e);
            if (rows == 0)
            {
                continue;
            }
            final ExpertTensors tensors = e == spec.experts() ? checkpoint.sharedExpert(l) : checkpoint.expert(l, e);
            final ExpertNetwork network = CheckpointExperts.load(tensors, spec.form(), backend,
                CheckpointExperts.nativeFormat(tensors));
            final float[] block = new float[rows * d];
            for (int s = 0; s < rows; s++)
            {
                System.arraycopy(x, plan.slotToken(e, s) * d, block, s * d, d);
            }
            network.forward(block, 0, rows, terms, plan.slotIndex(e, 0) * d);
        }
        return terms;
    }

    private static boolean[] unavailable(final MoeLayerSpec spec, final SplittableRandom random)
    {
        final boolean[] off = new boolean[spec.experts()];
        for (int n = 0; n < 2; n++)
        {
            off[random.nextInt(off.length)] = true;
        }
        return off;
    }

    /** The gateway's skip flags [E + shared]: the routed experts off, and the shared one too (never honoured). */
    private static boolean[] skipFlags(final boolean[] off, final CheckpointLayerGating gating)
    {
        if (off == null)
        {
            return null;
        }
        final boolean[] skip = new boolean[gating.experts()];
        System.arraycopy(off, 0, skip, 0, off.length);
        for (int e = off.length; e < skip.length; e++)
        {
            skip[e] = true;
        }
        return skip;
    }
}
