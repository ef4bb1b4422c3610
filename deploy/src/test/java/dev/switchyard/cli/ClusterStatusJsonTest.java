package dev.switchyard.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.node.system.EmbeddedSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static dev.switchyard.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cluster status --json} carries what the text shows: per node expert copies and work, max/mean. */
class ClusterStatusJsonTest
{
    @TempDir
    Path dir;

    private static String status(final String address, final String... more)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        final String[] args = new String[3 + more.length];
        args[0] = "cluster";
        args[1] = "status";
        args[2] = "--connect=" + address;
        System.arraycopy(more, 0, args, 3, more.length);
        assertEquals(0, cli.execute(args), err.toString());
        return out.toString();
    }

    @Test
    void jsonHasTheNodesExpertsWorkAndSpreadOfTheText() throws Exception
    {
        final Path model = dir.resolve("model");
        assertEquals(0, cli("model", "init", "--out", model.toString(), "--d-model", "8", "--d-ff", "16",
            "--experts", "4", "--group-size", "4").status());
        try (EmbeddedSystem system = EmbeddedSystem.start(model))
        {
            final InferAnswer answer = system.client().infer(new float[8 * 8], 8, null, false).join();
            assertTrue(answer.ok(), answer.status() + " " + answer.detail());
            final String address = system.node().clusterAddress();
            final JsonNode report = new ObjectMapper().readTree(status(address, "--json"));
            final JsonNode nodes = report.get("nodes");
            assertEquals(1, nodes.size(), report.toPrettyString());
            final JsonNode node = nodes.get(0);
            assertEquals(report.get("members").get(0).get("address").asText(), node.get("address").asText());
            assertEquals(4, node.get("experts").asInt(), report.toPrettyString());
            assertTrue(node.get("workMsPerSec").isNumber(), report.toPrettyString());
            assertTrue(node.get("roles").toString().contains("experts"), report.toPrettyString());
            assertEquals(false, node.get("unreachable").asBoolean());
            final String text = status(address);
            assertTrue(text.contains("experts 4"), text);
            if (node.get("workMsPerSec").asDouble() > 0)
            {
                // One expert node carries all the work: max/mean is 1, in both outputs.
                assertEquals(1.0, report.get("workMaxOverMean").asDouble(), 1e-9, report.toPrettyString());
                assertTrue(text.contains("work across 1 expert node: max/mean 1.00"), text);
            }
            else
            {
                assertTrue(report.get("workMaxOverMean").isNull(), report.toPrettyString());
            }
        }
    }
}
