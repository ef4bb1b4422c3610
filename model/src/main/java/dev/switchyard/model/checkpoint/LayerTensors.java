package dev.switchyard.model.checkpoint;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.switchyard.wire.BadInputException;

/**
 * The tensor names of a served layer in each storage form, the views of one expert, and the check
 * that a layer holds exactly the tensors its spec needs, in the shapes it needs.
 */
final class LayerTensors
{
    private static final String FUSED_GATE_UP = ".experts.gate_up_proj";
    private static final String FUSED_DOWN = ".experts.down_proj";

    private LayerTensors()
    {
    }

    /** Per-expert SwiGLU names: Mixtral's hub {@code w1/w3/w2} or {@code gate_proj/up_proj/down_proj}. */
    private static String[] swigluNames(final CheckpointWeights w, final MoeLayerSpec spec)
    {
        return w.contains(spec.prefix() + ".experts.0.w1.weight")
            ? new String[] {"w1", "w3", "w2"}
            : new String[] {"gate_proj", "up_proj", "down_proj"};
    }

    /** Every tensor the layer needs, with its shape, in a stable order. */
    static Map<String, long[]> expected(final CheckpointWeights w, final MoeLayerSpec spec)
    {
        final long d = spec.dModel();
        final long f = spec.intermediate();
        final long e = spec.experts();
        final String p = spec.prefix();
        final Map<String, long[]> out = new LinkedHashMap<>();
        out.put(spec.routerWeight(), new long[] {e, d});
        if (spec.routerBias() != null)
        {
            out.put(spec.routerBias(), new long[] {e});
        }
        if (spec.scoreCorrectionBias() != null)
        {
            out.put(spec.scoreCorrectionBias(), new long[] {e});
        }
        if (spec.fused())
        {
            out.put(p + FUSED_GATE_UP, new long[] {e, 2 * f, d});
            out.put(p + FUSED_DOWN, new long[] {e, d, f});
        }
        else
        {
            for (int j = 0; j < spec.experts(); j++)
            {
                expertNames(w, spec, j).forEach(out::put);
            }
        }
        if (spec.shared().present())
        {
            final long fs = spec.shared().intermediateSize();
            final String s = spec.shared().prefix();
            out.put(s + ".gate_proj.weight", new long[] {fs, d});
            out.put(s + ".up_proj.weight", new long[] {fs, d});
            out.put(s + ".down_proj.weight", new long[] {d, fs});
            if (spec.shared().gateWeight() != null)
            {
                out.put(spec.shared().gateWeight(), new long[] {1, d});
            }
        }
        return out;
    }

    /** The per-name tensors of expert {@code j}: gate, in, out, in bias, out bias (those the form has). */
    private static Map<String, long[]> expertNames(final CheckpointWeights w, final MoeLayerSpec spec, final int j)
    {
        final long d = spec.dModel();
        final long f = spec.intermediate();
        final Map<String, long[]> out = new LinkedHashMap<>();
        switch (spec.form())
        {
            case SWIGLU ->
            {
                final String[] n = swigluNames(w, spec);
                final String base = spec.prefix() + ".experts." + j + ".";
                out.put(base + n[0] + ".weight", new long[] {f, d});
                out.put(base + n[1] + ".weight", new long[] {f, d});
                out.put(base + n[2] + ".weight", new long[] {d, f});
            }
            case RELU ->
            {
                final String base = spec.prefix() + ".experts.expert_" + j + ".";
                out.put(base + "wi.weight", new long[] {f, d});
                out.put(base + "wo.weight", new long[] {d, f});
            }
            case RELU_BIAS ->
            {
                final String base = spec.prefix() + ".experts.expert_" + j + ".";
                out.put(base + "fc1.weight", new long[] {f, d});
                out.put(base + "fc2.weight", new long[] {d, f});
                out.put(base + "fc1.bias", new long[] {f});
                out.put(base + "fc2.bias", new long[] {d});
            }
            default -> throw new IllegalStateException(spec.form().name());
        }
        return out;
    }

    /** Every needed tensor present in its shape, and nothing else under the layer's prefix. */
    static void check(final CheckpointWeights w, final MoeLayerSpec spec)
    {
        final Map<String, long[]> expected = expected(w, spec);
        for (final Map.Entry<String, long[]> e : expected.entrySet())
        {
            if (!w.contains(e.getKey()))
            {
                throw new BadInputException("served layer " + spec.index() + " (" + spec.prefix() + "): tensor " +
                    e.getKey() + " is missing");
            }
            final WeightTensor t = w.tensor(e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue()))
            {
                throw new BadInputException("served layer " + spec.index() + " (" + spec.prefix() + "): tensor " +
                    e.getKey() + " has shape " + t.shapeString() + ", needs " + Arrays.toString(e.getValue()));
            }
        }
        for (final String name : w.names().tailSet(spec.prefix() + "."))
        {
            if (!name.startsWith(spec.prefix() + "."))
            {
                break;
            }
            if (!expected.containsKey(name) && !w.isScaleOfQuantized(name))
            {
                throw new BadInputException("served layer " + spec.index() + " (" + spec.prefix() +
                    "): unexpected tensor " + name);
            }
        }
    }

    /** Expert {@code j}'s views; fused storage is sliced without copying. */
    static ExpertTensors expert(final CheckpointWeights w, final MoeLayerSpec spec, final int j)
    {
        if (j < 0 || j >= spec.experts())
        {
            throw new BadInputException("served layer " + spec.index() + " has no expert " + j + " (it has " +
                spec.experts() + ")");
        }
        if (spec.fused())
        {
            final String p = spec.prefix();
            final long f = spec.intermediate();
            // gate_up_proj [E, 2F, d]: expert j's [2F, d], gate rows first, then up rows.
            final WeightTensor gateUp = w.tensor(p + FUSED_GATE_UP).index(p + FUSED_GATE_UP + "[" + j + "]", j);
            return new ExpertTensors(
                gateUp.rows(p + ".experts." + j + ".gate_proj", 0, f),
                gateUp.rows(p + ".experts." + j + ".up_proj", f, f),
                w.tensor(p + FUSED_DOWN).index(p + ".experts." + j + ".down_proj", j), null, null);
        }
        final WeightTensor[] t = expertNames(w, spec, j).keySet().stream().map(w::tensor).toArray(WeightTensor[]::new);
        return switch (spec.form())
        {
            case SWIGLU -> new ExpertTensors(t[0], t[1], t[2], null, null);
            case RELU -> new ExpertTensors(null, t[0], t[1], null, null);
            case RELU_BIAS -> new ExpertTensors(null, t[0], t[1], t[2], t[3]);
        };
    }

    /** The shared experts as one SwiGLU MLP (gate, up, down), or null where the layer has none. */
    static ExpertTensors shared(final CheckpointWeights w, final MoeLayerSpec spec)
    {
        if (!spec.shared().present())
        {
            return null;
        }
        final String s = spec.shared().prefix();
        return new ExpertTensors(w.tensor(s + ".gate_proj.weight"), w.tensor(s + ".up_proj.weight"),
            w.tensor(s + ".down_proj.weight"), null, null);
    }
}
