package dev.switchyard.transformer.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.testkit.TestData;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EOS: read from generation_config.json where it exists, else config.json, one id or a list; a row ends after
 * its first EOS. No committed prompt meets its EOS within its new ids, so these tests copy the mixtral folder
 * and name as EOS the third greedy id of row 0 (testdata/lm/mixtral/greedy.npy): every row then ends at that
 * id's first appearance among its new ids, the rest of the row −1.
 */
class EosTokensTest
{
    @TempDir
    Path dir;

    @Test
    void eosComesFromTheFolder()
    {
        assertArrayEquals(new int[] {2}, EosTokens.read(TestData.checkpoints().resolve("mixtral")));
        assertArrayEquals(new int[] {2}, EosTokens.read(TestData.checkpoints().resolve("olmoe")));
        assertArrayEquals(new int[0], EosTokens.read(TestData.checkpoints().resolve("qwen2_moe")));
    }

    @Test
    void aRowEndsAfterItsFirstEosFromGenerationConfig() throws IOException
    {
        final GenerateReferences ref = GenerateReferences.of("mixtral");
        final int eos = thirdNewId(ref);
        final Path folder = CheckpointCopies.copy("mixtral", dir, Map.of());
        Files.writeString(folder.resolve(EosTokens.GENERATION_CONFIG_FILE), "{\"eos_token_id\": [60, " + eos + "]}");
        assertArrayEquals(new int[] {60, eos}, EosTokens.read(folder));
        check(ref, folder, eos);
    }

    @Test
    void withoutGenerationConfigEosComesFromConfig() throws IOException
    {
        final GenerateReferences ref = GenerateReferences.of("mixtral");
        final int eos = thirdNewId(ref);
        final Path folder = CheckpointCopies.copy("mixtral", dir, Map.of("eos_token_id", Integer.toString(eos)));
        Files.delete(folder.resolve(EosTokens.GENERATION_CONFIG_FILE));
        assertArrayEquals(new int[] {eos}, EosTokens.read(folder));
        check(ref, folder, eos);
    }

    @Test
    void aBadEosIsNamed() throws IOException
    {
        final Path folder = CheckpointCopies.copy("mixtral", dir, Map.of());
        Files.writeString(folder.resolve(EosTokens.GENERATION_CONFIG_FILE), "{\"eos_token_id\": \"2\"}");
        final BadInputException ex = assertThrows(BadInputException.class, () -> EosTokens.read(folder));
        assertTrue(ex.getMessage().endsWith("generation_config.json: eos_token_id \"2\" is not a token id " +
            "(an integer ≥ 0) or a list of them"), ex.getMessage());
    }

    private static int thirdNewId(final GenerateReferences ref)
    {
        return ref.greedy(0)[ref.length() + 2];
    }

    private static void check(final GenerateReferences ref, final Path folder, final int eos) throws IOException
    {
        try (Checkpoint checkpoint = Checkpoint.open(folder))
        {
            final int[] out = GenerateReferences.generator(checkpoint)
                .generate(ref.prompts(), ref.rows(), ref.length(), GenerateOptions.greedy(ref.newTokens()));
            int ended = 0;
            for (int r = 0; r < ref.rows(); r++)
            {
                final int[] expected = ref.greedy(r);
                final int n = (int)Arrays.stream(ref.prompts(r, 1)).filter(id -> id >= 0).count();
                for (int p = n; p < expected.length; p++)
                {
                    if (expected[p] == eos)
                    {
                        Arrays.fill(expected, p + 1, expected.length, -1);
                        ended++;
                        break;
                    }
                }
                assertArrayEquals(expected, Arrays.copyOfRange(out, r * ref.width(), (r + 1) * ref.width()),
                    "row " + r + " with EOS " + eos);
            }
            assertEquals(0, Arrays.stream(ref.greedy(0)).filter(id -> id == -1).count(), "row 0 ran N ids before");
            assertTrue(ended >= 1, "no row met EOS " + eos);
        }
    }
}
