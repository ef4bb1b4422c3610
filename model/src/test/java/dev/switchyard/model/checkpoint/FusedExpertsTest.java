package dev.switchyard.model.checkpoint;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused olmoe checkpoint gives, expert by expert, the weights a per-name copy of it gives: the
 * copy is written as the hub writes experts ({@code experts.{j}.gate_proj|up_proj|down_proj}).
 */
class FusedExpertsTest
{
    @TempDir
    Path dir;

    @Test
    void fusedSlicesEqualPerExpertNames()
    {
        Fixtures.copyConfig("olmoe", dir, c -> { });
        Fixtures.rewriteWeights("olmoe", dir, w -> (name, t) ->
        {
            if (name.endsWith(".experts.gate_up_proj"))
            {
                final String base = name.substring(0, name.length() - "gate_up_proj".length());
                final long f = t.dim(1) / 2;
                for (int j = 0; j < t.dim(0); j++)
                {
                    final WeightTensor e = t.index("e", j);
                    Fixtures.add(w, base + j + ".gate_proj.weight", e.rows("g", 0, f));
                    Fixtures.add(w, base + j + ".up_proj.weight", e.rows("u", f, f));
                }
            }
            else if (name.endsWith(".experts.down_proj"))
            {
                final String base = name.substring(0, name.length() - "down_proj".length());
                for (int j = 0; j < t.dim(0); j++)
                {
                    Fixtures.add(w, base + j + ".down_proj.weight", t.index("d", j));
                }
            }
            else
            {
                Fixtures.add(w, name, t);
            }
        });
        try (Checkpoint fused = Checkpoint.open(Fixtures.checkpoint("olmoe"));
            Checkpoint perName = Checkpoint.open(dir))
        {
            assertTrue(fused.layer(0).fused());
            assertFalse(perName.layer(0).fused());
            for (final MoeLayerSpec spec : fused.layers())
            {
                assertEquals(fused.bytesPerExpert(spec.index()), perName.bytesPerExpert(spec.index()));
                for (int j = 0; j < spec.experts(); j++)
                {
                    final ExpertTensors a = fused.expert(spec.index(), j);
                    final ExpertTensors b = perName.expert(spec.index(), j);
                    same(a.gate(), b.gate());
                    same(a.in(), b.in());
                    same(a.out(), b.out());
                }
            }
            // gate_up_proj [E, 2F, d] with F = d = 32: expert 3's up row 0 starts at 3·64·32 + 32·32.
            final WeightTensor raw = fused.tensor("model.layers.1.mlp.experts.gate_up_proj");
            assertEquals(raw.get(3L * 64 * 32 + 32 * 32 + 7), fused.expert(1, 3).in().get(0, 7));
            assertEquals(raw.get(3L * 64 * 32 + 5 * 32 + 2), fused.expert(1, 3).gate().get(5, 2));
        }
    }

    private static void same(final WeightTensor a, final WeightTensor b)
    {
        assertEquals(a.shapeString(), b.shapeString());
        for (long i = 0; i < a.elementCount(); i++)
        {
            assertEquals(Float.floatToRawIntBits(a.get(i)), Float.floatToRawIntBits(b.get(i)), b.name());
        }
    }
}
