package dev.switchyard.model.checkpoint;

/**
 * One expert's weights, views in the checkpoint's [out, in] orientation and stored dtype.
 * SwiGLU: {@code gate} = gate_proj/w1 [F, d], {@code in} = up_proj/w3 [F, d], {@code out} =
 * down_proj/w2 [d, F]. Switch: {@code gate} null, {@code in} = wi [F, d], {@code out} = wo [d, F].
 * NLLB: {@code in} = fc1 [F, d] with {@code inBias} [F], {@code out} = fc2 [d, F] with
 * {@code outBias} [d]. Biases are null where the form has none.
 */
public record ExpertTensors(WeightTensor gate, WeightTensor in, WeightTensor out, WeightTensor inBias,
    WeightTensor outBias)
{
    /** Bytes the expert's tensors take as stored. */
    public long byteSize()
    {
        return size(gate) + size(in) + size(out) + size(inBias) + size(outBias);
    }

    private static long size(final WeightTensor t)
    {
        return t == null ? 0 : t.byteSize();
    }
}
