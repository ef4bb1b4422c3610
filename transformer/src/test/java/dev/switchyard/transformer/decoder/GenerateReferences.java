package dev.switchyard.transformer.decoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.testkit.TestData;
import dev.switchyard.transformer.io.TensorFiles;

/**
 * The generation references of testdata/lm (prompts.npy, greedy.npy), and the checkpoint folder of each case.
 *
 * @param prompts [rows, length], right-padded with −1
 * @param greedy  [rows, width]: transformers' greedy ids of each row alone, −1 after EOS and after N new ids
 */
record GenerateReferences(int rows, int length, int width, int[] prompts, int[] greedy)
{
    /** The cases with references; the window cases load a copy of their folder with config keys replaced. */
    static final String[] CASES = {"mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "qwen3_moe_fp8", "mixtral_window",
        "qwen2_moe_window"};

    static GenerateReferences of(final String name)
    {
        final Path dir = LmReferences.lm().resolve(name);
        final TensorFiles.Ids prompts = TensorFiles.readIds("prompts", dir.resolve("prompts.npy"));
        final TensorFiles.Ids greedy = TensorFiles.readIds("greedy", dir.resolve("greedy.npy"));
        return new GenerateReferences(prompts.rows(), prompts.cols(), greedy.cols(), prompts.data(), greedy.data());
    }

    /** N, the most new ids of a row. */
    int newTokens()
    {
        return width - length;
    }

    /** Rows [from, from + n) of the prompts. */
    int[] prompts(final int from, final int n)
    {
        return Arrays.copyOfRange(prompts, from * length, (from + n) * length);
    }

    /** Row r of the greedy ids. */
    int[] greedy(final int r)
    {
        return Arrays.copyOfRange(greedy, r * width, (r + 1) * width);
    }

    /** The folder of a case: the committed checkpoint, or a copy of it in {@code scratch} for the window cases. */
    static Path folder(final String name, final Path scratch) throws IOException
    {
        return switch (name)
        {
            case "mixtral_window" -> CheckpointCopies.copy("mixtral", scratch, Map.of("sliding_window", "5"));
            case "qwen2_moe_window" -> CheckpointCopies.copy("qwen2_moe", scratch, Map.of("use_sliding_window",
                "true", "sliding_window", "4",
                "layer_types", "[\"sliding_attention\", \"full_attention\", \"sliding_attention\"]"));
            default -> TestData.checkpoints().resolve(name);
        };
    }

    /** The generator of an open checkpoint, EOS from its folder, on the scalar backend. */
    static CheckpointGenerator generator(final Checkpoint checkpoint)
    {
        return new CheckpointGenerator(CheckpointDecoder.load(checkpoint, ComputeBackends.scalar(), null),
            EosTokens.read(checkpoint.dir()));
    }
}
