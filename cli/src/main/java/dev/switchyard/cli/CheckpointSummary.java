package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.Locale;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.network.CheckpointExperts;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.ExpertTensors;
import dev.switchyard.model.checkpoint.MoeLayerSpec;
import dev.switchyard.model.checkpoint.RoutingParams;
import dev.switchyard.model.checkpoint.SharedExperts;
import dev.switchyard.model.checkpoint.WeightTensor;

/** What {@code model inspect} prints about a checkpoint: as text for people, as JSON for programs. */
final class CheckpointSummary
{
    /** Routing settings keep the key names of config.json (n_group, norm_topk_prob, ...). */
    private static final JsonMapper JSON = JsonMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .build();

    private CheckpointSummary()
    {
    }

    static String text(final Checkpoint ckpt)
    {
        final StringBuilder out = new StringBuilder();
        out.append("checkpoint: ").append(ckpt.dir()).append('\n')
            .append("family: ").append(ckpt.family().modelType()).append("  (")
            .append(Counts.of(ckpt.layers().size(), "served layer")).append(", ")
            .append(Counts.of(ckpt.files().size(), "weight file")).append(")\n");
        for (final MoeLayerSpec l : ckpt.layers())
        {
            final ExpertTensors e = ckpt.expert(l.index(), 0);
            out.append(String.format(Locale.ROOT, "layer %d  %s%n", l.index(), l.prefix()))
                .append(String.format(Locale.ROOT,
                    "  experts %d, top-%d, d_model %d, expert width %d, %s %s (%s)%n",
                    l.experts(), l.topK(), l.dModel(), l.intermediate(), form(l), storage(l), dtype(e.in())))
                .append("  routing: ").append(l.routing().describe()).append('\n')
                .append("  shared experts: ").append(shared(l.shared())).append('\n')
                .append(String.format(Locale.ROOT, "  bytes per expert: %d (%s)%s%n", e.byteSize(),
                    human(e.byteSize()), held(e)));
        }
        return out.toString();
    }

    /**
     * Where the served experts hold other bytes than the checkpoint stores (float16 weights are widened to
     * float32 when packed; fp8 scales are spread to one per output column), how many: what a node needs
     * in memory per expert copy on the vector backend.
     */
    private static String held(final ExpertTensors e)
    {
        final long served = servedBytes(e);
        return served == e.byteSize() ? "" : String.format(Locale.ROOT, " stored, %d (%s) served as %s", served,
            human(served), CheckpointExperts.nativeFormat(e).configName());
    }

    /** The expert's weights in the format its experts are packed in by default, biases as float32. */
    private static long servedBytes(final ExpertTensors e)
    {
        final WeightFormat format = CheckpointExperts.nativeFormat(e);
        return served(e.gate(), format) + served(e.in(), format) + served(e.out(), format) +
            (count(e.inBias()) + count(e.outBias())) * Float.BYTES;
    }

    /** fp8: a byte a weight, and a float32 scale per output column and block of k. */
    private static long served(final WeightTensor t, final WeightFormat format)
    {
        return switch (format)
        {
            case F32 -> count(t) * Float.BYTES;
            case BF16 -> count(t) * Short.BYTES;
            case FP8 -> t == null ? 0 : count(t) + t.dim(0) * t.scales().dim(1) * Float.BYTES;
        };
    }

    private static long count(final WeightTensor t)
    {
        return t == null ? 0 : t.elementCount();
    }

    /** The stored dtype, and the block each scale covers where the weights are quantized. */
    private static String dtype(final WeightTensor t)
    {
        return !t.blockScaled() ? t.dtype().name()
            : t.dtype() + ", a scale per " + block(t, 0) + "x" + block(t, 1) + " block";
    }

    private static long block(final WeightTensor t, final int dim)
    {
        return t.dim(dim) / t.scales().dim(dim);
    }

    static String json(final Checkpoint ckpt)
    {
        final ObjectNode root = JSON.createObjectNode();
        root.put("dir", ckpt.dir().toString());
        root.put("model_type", ckpt.family().modelType());
        final ArrayNode files = root.putArray("files");
        for (final Path f : ckpt.files())
        {
            files.add(f.getFileName().toString());
        }
        final ArrayNode layers = root.putArray("layers");
        for (final MoeLayerSpec l : ckpt.layers())
        {
            final ExpertTensors e = ckpt.expert(l.index(), 0);
            final ObjectNode n = layers.addObject();
            n.put("index", l.index());
            n.put("prefix", l.prefix());
            n.put("d_model", l.dModel());
            n.put("intermediate_size", l.intermediate());
            n.put("experts", l.experts());
            n.put("top_k", l.topK());
            n.put("expert_form", form(l));
            n.put("fused", l.fused());
            n.put("dtype", e.in().dtype().name());
            if (e.in().blockScaled())
            {
                n.putArray("scale_block").add(block(e.in(), 0)).add(block(e.in(), 1));
            }
            n.put("router", l.routerWeight());
            n.put("router_bias", l.routerBias());
            n.put("e_score_correction_bias", l.scoreCorrectionBias());
            n.put("capacity_limited", l.routing().capacityLimited());
            n.put("routing_rule", l.routing().describe());
            final ObjectNode routing = JSON.valueToTree(l.routing());
            routing.put("kind", kind(l.routing()));
            n.set("routing", routing);
            final ObjectNode shared = n.putObject("shared_experts");
            shared.put("count", l.shared().count());
            shared.put("intermediate_size", l.shared().intermediateSize());
            shared.put("prefix", l.shared().prefix());
            shared.put("gate", l.shared().gateWeight());
            n.put("bytes_per_expert", e.byteSize());
            n.put("bytes_per_expert_served", servedBytes(e));
        }
        return root.toPrettyString() + System.lineSeparator();
    }

    private static String kind(final RoutingParams routing)
    {
        return switch (routing)
        {
            case RoutingParams.SoftmaxTopK s -> "softmax_topk";
            case RoutingParams.DeepseekV2 s -> "deepseek_v2";
            case RoutingParams.DeepseekV3 s -> "deepseek_v3";
            case RoutingParams.Switch s -> "switch";
            case RoutingParams.Nllb s -> "nllb";
        };
    }

    private static String form(final MoeLayerSpec l)
    {
        return l.form().name().toLowerCase(Locale.ROOT);
    }

    private static String storage(final MoeLayerSpec l)
    {
        return l.fused() ? "fused" : "per name";
    }

    private static String shared(final SharedExperts s)
    {
        if (!s.present())
        {
            return "none";
        }
        return s.count() + " (one SwiGLU MLP of width " + s.intermediateSize() + " at " + s.prefix() +
            (s.gateWeight() == null ? "" : ", sigmoid gate " + s.gateWeight()) + ")";
    }

    private static String human(final long bytes)
    {
        if (bytes < 1024)
        {
            return bytes + " B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1)
        {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
