package dev.switchyard.compute.network;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.checkpoint.ExpertForm;
import dev.switchyard.model.checkpoint.ExpertTensors;
import dev.switchyard.model.checkpoint.WeightTensor;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.directory.ExpertWeights;
import dev.switchyard.model.tensor.F32Tensor;

/**
 * The expert networks of a checkpoint's served layer, in the forms its family computes:
 * <pre>
 * SWIGLU     down·(silu(gate·x) ⊙ up·x)        // gate, up [F, d]; down [d, F]
 * RELU       wo·relu(wi·x)                     // Switch: wi [F, d]; wo [d, F]
 * RELU_BIAS  fc2·relu(fc1·x + b₁) + b₂         // NLLB-MoE: fc1 [F, d], b₁ [F]; fc2 [d, F], b₂ [d]
 * </pre>
 * Weights are widened exactly to float32 only while they are packed (bfloat16 and float16 values are all
 * float32 values; an fp8 weight becomes its value times its block's scale); a bfloat16 checkpoint is packed
 * as bfloat16 by default, so its experts keep the checkpoint's bytes per weight in memory and compute
 * exactly what its float32 widening computes. An fp8 checkpoint's experts keep their e4m3 bytes and
 * scales where the backend has fp8 kernels, and compute the bits of the float32 weights they dequantize to.
 */
public final class CheckpointExperts
{
    private CheckpointExperts()
    {
    }

    /** The weight format that keeps a checkpoint's weights as they are: bfloat16 stays bfloat16, fp8 fp8. */
    public static WeightFormat nativeFormat(final ExpertTensors expert)
    {
        return switch (expert.in().dtype())
        {
            case BF16 -> WeightFormat.BF16;
            case F8_E4M3 -> expert.in().blockScaled() ? WeightFormat.FP8 : WeightFormat.F32;
            case F32, F16 -> WeightFormat.F32;
        };
    }

    public static ExpertNetwork load(
        final ExpertTensors expert, final ExpertForm form, final ComputeBackend backend, final WeightFormat format)
    {
        if (format == WeightFormat.FP8)
        {
            return loadBlockScaled(expert, form, backend);
        }
        final ExpertWeights weights = switch (form)
        {
            case SWIGLU -> new ExpertWeights(f32(expert.in()), null, f32(expert.out()), null, f32(expert.gate()));
            case RELU -> new ExpertWeights(f32(expert.in()), null, f32(expert.out()), null, null);
            case RELU_BIAS -> new ExpertWeights(f32(expert.in()), f32(expert.inBias()), f32(expert.out()),
                f32(expert.outBias()), null);
        };
        return ExpertNetwork.load(weights, form == ExpertForm.SWIGLU ? Activation.SWIGLU : Activation.RELU, backend,
            format);
    }

    /** fp8 experts kept as the checkpoint stores them, on a backend that has fp8 kernels. */
    private static ExpertNetwork loadBlockScaled(
        final ExpertTensors expert, final ExpertForm form, final ComputeBackend backend)
    {
        final PackedLinear first = switch (form)
        {
            case SWIGLU -> backend.packGatedBlockScaled(expert.gate(), expert.in(), null);
            case RELU -> backend.packBlockScaled(expert.in(), null);
            case RELU_BIAS -> backend.packBlockScaled(expert.in(), f32(expert.inBias()));
        };
        final PackedLinear second = backend.packBlockScaled(expert.out(), f32(expert.outBias()));
        return ExpertNetwork.ofPacked(backend, form == ExpertForm.SWIGLU ? Activation.SWIGLU : Activation.RELU,
            first, second);
    }

    private static F32Tensor f32(final WeightTensor t)
    {
        return t == null ? null : t.toF32();
    }
}
