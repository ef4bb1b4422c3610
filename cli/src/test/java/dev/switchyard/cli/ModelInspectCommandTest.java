package dev.switchyard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code switchyard model inspect} on the committed checkpoints: text, JSON and a one-line error. */
class ModelInspectCommandTest
{
    @TempDir
    Path dir;

    record Run(int status, String out, String err)
    {
    }

    private static Run cli(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final int status = cli.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private static Path checkpoint(final String name)
    {
        Path at = Path.of("").toAbsolutePath();
        while (at != null && !Files.isDirectory(at.resolve("testdata/checkpoints")))
        {
            at = at.getParent();
        }
        assertTrue(at != null, "testdata/checkpoints above the working directory");
        return at.resolve("testdata/checkpoints").resolve(name);
    }

    @Test
    void textNamesFamilyLayersAndSizes()
    {
        final Run run = cli("model", "inspect", checkpoint("qwen2_moe").toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("family: qwen2_moe  (2 served layers, 1 weight file)"), run.out());
        assertTrue(run.out().contains("layer 0  model.layers.1.mlp"), run.out());
        assertTrue(run.out().contains("layer 1  model.layers.2.mlp"), run.out());
        assertTrue(run.out().contains("experts 8, top-4, d_model 32, expert width 48, swiglu per name (BF16)"),
            run.out());
        assertTrue(run.out().contains("sigmoid gate model.layers.1.mlp.shared_expert_gate.weight"), run.out());
        // gate, up and down: 3 · 48 · 32 bfloat16 values
        assertTrue(run.out().contains("bytes per expert: 9216 (9.0 KiB)"), run.out());
    }

    /** An fp8 release: its dtype, the block each scale covers, and bytes that count the scales. */
    @Test
    void quantizedWeightsShowTheirScaleBlocks() throws IOException
    {
        final Run text = cli("model", "inspect", checkpoint("deepseek_v3_fp8").toString());
        assertEquals(0, text.status(), text.err());
        assertTrue(text.out().contains("swiglu per name (F8_E4M3, a scale per 8x8 block)"), text.out());
        // gate, up and down: 16 · 32 one-byte values and 2 · 4 float32 scales each
        // served as fp8: 3 · 16 · 32 bytes, and a scale per output column and block of 8 inputs
        assertTrue(text.out().contains("bytes per expert: 1632 (1.6 KiB) stored, 2304 (2.3 KiB) served as fp8"),
            text.out());
        final Run json = cli("model", "inspect", checkpoint("deepseek_v3_fp8").toString(), "--json");
        final JsonNode layer = JsonMapper.builder().build().readTree(json.out()).get("layers").get(0);
        assertEquals("F8_E4M3", layer.get("dtype").textValue());
        assertEquals("[8,8]", layer.get("scale_block").toString());
        assertEquals(2304, layer.get("bytes_per_expert_served").longValue());
    }

    @Test
    void textShowsTheCapacityRule()
    {
        final Run run = cli("model", "inspect", checkpoint("switch_transformers").toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("layer 1  decoder.block.1.layer.2.mlp"), run.out());
        assertTrue(run.out().contains("capacity 2 tokens per expert per sequence"), run.out());
    }

    @Test
    void jsonIsMachineReadable() throws IOException
    {
        final Run run = cli("model", "inspect", checkpoint("deepseek_v3").toString(), "--json");
        assertEquals(0, run.status(), run.err());
        final JsonNode root = JsonMapper.builder().build().readTree(run.out());
        assertEquals("deepseek_v3", root.get("model_type").textValue());
        final JsonNode layer = root.get("layers").get(1);
        assertEquals("model.layers.2.mlp", layer.get("prefix").textValue());
        assertEquals(16, layer.get("experts").intValue());
        assertEquals(4, layer.get("top_k").intValue());
        assertEquals(1, layer.get("shared_experts").get("count").intValue());
        assertEquals(4, layer.get("routing").get("n_group").intValue());
        assertEquals(2.5, layer.get("routing").get("routed_scaling_factor").doubleValue());
        assertEquals("model.layers.2.mlp.gate.e_score_correction_bias",
            layer.get("e_score_correction_bias").textValue());
        assertEquals(3L * 16 * 32 * 4, layer.get("bytes_per_expert").longValue());
        assertFalse(layer.get("capacity_limited").booleanValue());
    }

    @Test
    void anUnsupportedFolderIsOneLineError() throws IOException
    {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}");
        final Run run = cli("model", "inspect", dir.toString());
        assertEquals(Main.EXIT_USER_ERROR, run.status());
        assertFalse(run.err().strip().contains("\n"), run.err());
        assertTrue(run.err().contains("model_type") && run.err().contains("llama"), run.err());
    }
}
