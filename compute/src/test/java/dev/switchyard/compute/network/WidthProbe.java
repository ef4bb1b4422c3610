package dev.switchyard.compute.network;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.layer.CheckpointMoeLayer;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.testkit.TestData;
import jdk.incubator.vector.FloatVector;

/**
 * Prints the vector width this JVM computes with, then the raw bits of every expert form and weight
 * format ({@link ForwardProbe}) and of checkpoint layers (router, routing rule, bf16 and fp8 experts,
 * shared expert), one line per case. Run with another {@code -XX:MaxVectorSize} to compare vector widths.
 */
public final class WidthProbe
{
    static final String[] CHECKPOINTS = {"qwen2_moe", "deepseek_v3", "deepseek_v3_fp8", "mixtral", "nllb-moe"};

    private WidthProbe()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        System.out.println("width " + FloatVector.SPECIES_PREFERRED.vectorBitSize());
        for (final String line : lines(1))
        {
            System.out.println(line);
        }
    }

    /** Every case's bits, each computed {@code times} times. */
    static List<String> lines(final int times) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        for (final Activation activation : Activation.values())
        {
            for (final WeightFormat format : WeightFormat.FROM_FLOAT32)
            {
                lines.add(activation + " " + format + " " + ForwardProbe.outputBits(activation, format, times));
            }
        }
        for (final String name : CHECKPOINTS)
        {
            lines.add(name + " layer0 " + layerBits(TestData.checkpoints().resolve(name), times));
        }
        return lines;
    }

    private static String layerBits(final Path folder, final int times) throws IOException
    {
        final NpyArray x = Npy.read(folder.resolve("reference").resolve("layer0.input.npy"));
        try (Checkpoint checkpoint = Checkpoint.open(folder))
        {
            final CheckpointMoeLayer layer = CheckpointMoeLayer.load(checkpoint, 0,
                ComputeBackends.byName(ComputeBackends.VECTOR), null);
            final float[] y = new float[x.rows() * x.cols()];
            for (int i = 0; i < times; i++)
            {
                layer.forward(x.data(), x.rows(), x.rows(), y, null, null);
            }
            final StringBuilder bits = new StringBuilder();
            for (final float v : y)
            {
                bits.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(',');
            }
            return bits.toString();
        }
    }
}
