package dev.switchyard.transformer.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.testkit.TestData;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Greedy generation against transformers' {@code generate(do_sample=False)} of each row alone
 * (testdata/lm/&lt;case&gt;/greedy.npy), for the batch and for each row alone, and the prompts refused.
 */
class CheckpointGeneratorTest
{
    @TempDir
    Path dir;

    @TestFactory
    List<DynamicTest> greedyMatchesTransformers()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final String name : GenerateReferences.CASES)
        {
            tests.add(DynamicTest.dynamicTest(name, () -> check(name, Files.createDirectory(dir.resolve(name)))));
        }
        return tests;
    }

    private static void check(final String name, final Path scratch) throws IOException
    {
        final GenerateReferences ref = GenerateReferences.of(name);
        try (Checkpoint checkpoint = Checkpoint.open(GenerateReferences.folder(name, scratch)))
        {
            final CheckpointGenerator generator = GenerateReferences.generator(checkpoint);
            final GenerateOptions greedy = GenerateOptions.greedy(ref.newTokens());
            final int[] batch = generator.generate(ref.prompts(), ref.rows(), ref.length(), greedy);
            assertArrayEquals(ref.greedy(), batch, name + " batch: " + Arrays.toString(batch));
            for (int r = 0; r < ref.rows(); r++)
            {
                final int[] alone = generator.generate(ref.prompts(r, 1), 1, ref.length(), greedy);
                assertArrayEquals(ref.greedy(r), alone, name + " row " + r + " alone");
            }
        }
    }

    @Test
    void fewerNewTokensArePrefixesOfMore() throws IOException
    {
        final GenerateReferences ref = GenerateReferences.of("olmoe");
        try (Checkpoint checkpoint = Checkpoint.open(TestData.checkpoints().resolve("olmoe")))
        {
            final int[] out = GenerateReferences.generator(checkpoint)
                .generate(ref.prompts(1, 1), 1, ref.length(), GenerateOptions.greedy(1));
            // Row 1's prompt has 4 ids: one new id at position 4, −1 from there on.
            final int[] expected = new int[ref.length() + 1];
            Arrays.fill(expected, -1);
            System.arraycopy(ref.greedy(1), 0, expected, 0, 5);
            assertArrayEquals(expected, out);
        }
    }

    @Test
    void badPromptsAreRefusedNamingTheRowAndPosition() throws IOException
    {
        try (Checkpoint checkpoint = Checkpoint.open(TestData.checkpoints().resolve("mixtral")))
        {
            final CheckpointGenerator generator = GenerateReferences.generator(checkpoint);
            final GenerateOptions options = GenerateOptions.greedy(2);
            assertEquals("prompts: row 1 has no prompt (its first id is −1)", assertThrows(BadInputException.class,
                () -> generator.generate(new int[] {3, 4, -1, -1}, 2, 2, options)).getMessage());
            assertEquals("prompts: id 64 at row 0, position 1 is outside the vocabulary 0..63 (−1 ends a prompt)",
                assertThrows(BadInputException.class,
                    () -> generator.generate(new int[] {3, 64}, 1, 2, options)).getMessage());
            assertEquals("max new tokens must be at least 1 (got 0)",
                assertThrows(BadInputException.class, () -> GenerateOptions.greedy(0)).getMessage());
            assertThrows(BadInputException.class, () -> new GenerateOptions(1, -1, 0));
        }
    }
}
