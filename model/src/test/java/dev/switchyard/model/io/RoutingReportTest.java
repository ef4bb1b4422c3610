package dev.switchyard.model.io;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutingReportTest
{
    @TempDir
    Path dir;

    private static RoutingReport small()
    {
        return new RoutingReport(
            new int[] {4, 2},
            new double[] {1.0625, 2.5},
            new int[] {3, 0, -1},
            new int[] {1, -1, -1},
            new int[] {0, 0, -1},
            new int[] {2, -1, -1},
            new float[] {0.6f, 1f, 0f},
            new float[] {0.4f, 0f, 0f});
    }

    @Test
    void writesTheDocumentedLayout() throws IOException
    {
        final Path p = dir.resolve("r.json");
        RoutingReportWriter.write(p, small());
        assertEquals("""
            {"capacity": [4, 2],
             "aux_loss": [1.0625, 2.5],
             "expert": [[3, 1], [0, -1], [-1, -1]],
             "position": [[0, 2], [0, -1], [-1, -1]],
             "gate": [[0.6, 0.4], [1.0, 0.0], [0.0, 0.0]]}
            """, Files.readString(p));
        // Plain JSON that any parser reads, keys in the documented order.
        final JsonNode tree = JsonMapper.builder().build().readTree(p.toFile());
        final Iterator<String> keys = tree.fieldNames();
        for (final String key : new String[] {"capacity", "aux_loss", "expert", "position", "gate"})
        {
            assertEquals(key, keys.next());
        }
        assertEquals(0.6, tree.get("gate").get(0).get(0).doubleValue());
    }

    @Test
    void roundTrips() throws IOException
    {
        final Path p = dir.resolve("r.json");
        RoutingReportWriter.write(p, small());
        assertEquals(small(), RoutingReportReader.read(p));
    }

    @Test
    void anAbsentAssignmentIsWrittenWithGateZero() throws IOException
    {
        final StringWriter out = new StringWriter();
        RoutingReportWriter.write(out, new int[] {1}, new double[] {0}, new int[] {-1}, new int[] {2},
            new int[] {-1}, new int[] {0}, new float[] {Float.NaN}, new float[] {-0f});
        assertTrue(out.toString().contains("\"gate\": [[0.0, -0.0]]"), out.toString());
    }

    @Test
    void gatesRoundTripBitForBitAcrossAMillionTokens() throws IOException
    {
        final int tokens = 1_000_000;
        final int groupSize = 128;
        final int groups = (tokens + groupSize - 1) / groupSize;
        final SplittableRandom r = new SplittableRandom(42);
        final int[] capacity = new int[groups];
        final double[] aux = new double[groups];
        for (int g = 0; g < groups; g++)
        {
            capacity[g] = r.nextInt(1, 64);
            aux[g] = r.nextDouble(0.5, 4);
        }
        final int[] e1 = new int[tokens];
        final int[] e2 = new int[tokens];
        final int[] p1 = new int[tokens];
        final int[] p2 = new int[tokens];
        final float[] g1 = new float[tokens];
        final float[] g2 = new float[tokens];
        for (int t = 0; t < tokens; t++)
        {
            e1[t] = r.nextInt(-1, 64);
            e2[t] = r.nextInt(-1, 64);
            p1[t] = e1[t] < 0 ? -1 : r.nextInt(64);
            p2[t] = e2[t] < 0 ? -1 : r.nextInt(64);
            // Gates of every magnitude, down to subnormals, so that the decimal form is really tested.
            g1[t] = e1[t] < 0 ? 0f : (float)Math.scalb(r.nextDouble(), -r.nextInt(140));
            g2[t] = e2[t] < 0 ? 0f : Float.intBitsToFloat(r.nextInt(0, 0x3F80_0001));
        }
        final Path p = dir.resolve("big.json");
        RoutingReportWriter.write(p, capacity, aux, e1, e2, p1, p2, g1, g2);
        final RoutingReport back = RoutingReportReader.read(p);
        assertEquals(tokens, back.tokenCount());
        assertEquals(groups, back.groupCount());
        assertArrayEquals(g1, back.gate1());
        assertArrayEquals(g2, back.gate2());
        assertArrayEquals(aux, back.auxLoss());
        assertEquals(new RoutingReport(capacity, aux, e1, e2, p1, p2, g1, g2), back);
    }

    @Test
    void refusesValuesJsonCannotHold()
    {
        final Path p = dir.resolve("nan.json");
        final BadInputException gate = assertThrows(BadInputException.class, () -> RoutingReportWriter.write(p,
            new int[] {1}, new double[] {0}, new int[] {0, 1}, new int[] {1, 0}, new int[] {0, 0},
            new int[] {0, 0}, new float[] {0.5f, 0.5f}, new float[] {0.5f, Float.POSITIVE_INFINITY}));
        assertTrue(gate.getMessage().contains("token 1"), gate.getMessage());
        final BadInputException aux = assertThrows(BadInputException.class, () -> RoutingReportWriter.write(p,
            new int[] {1, 1}, new double[] {0, Double.NaN}, new int[0], new int[0], new int[0], new int[0],
            new float[0], new float[0]));
        assertTrue(aux.getMessage().contains("group 1"), aux.getMessage());
        assertFalse(Files.exists(p));
    }

    @Test
    void refusesArraysOfDifferentLengths()
    {
        final Path p = dir.resolve("x.json");
        assertThrows(IllegalArgumentException.class, () -> RoutingReportWriter.write(p, new int[] {1},
            new double[0], new int[0], new int[0], new int[0], new int[0], new float[0], new float[0]));
        assertThrows(IllegalArgumentException.class, () -> RoutingReportWriter.write(p, new int[0],
            new double[0], new int[1], new int[1], new int[1], new int[0], new float[1], new float[1]));
        assertFalse(Files.exists(p));
    }

    private void unreadable(final String json, final String... fragments) throws IOException
    {
        final Path p = dir.resolve("bad.json");
        Files.writeString(p, json);
        final BadInputException ex = assertThrows(BadInputException.class, () -> RoutingReportReader.read(p));
        assertTrue(ex.getMessage().contains(p.toString()), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        assertFalse(ex.getMessage().contains("Source"), ex.getMessage());
        for (final String f : fragments)
        {
            assertTrue(ex.getMessage().contains(f), "'" + f + "' not in: " + ex.getMessage());
        }
    }

    @Test
    void readerRefusesMalformedReports() throws IOException
    {
        final String ok = "{\"capacity\": [4], \"aux_loss\": [1.0], \"expert\": [[1, 2]], \"position\": [[0, 0]], " +
            "\"gate\": [[0.5, 0.5]]}";
        unreadable(ok.replace(", \"gate\": [[0.5, 0.5]]", ""), "missing key gate");
        unreadable(ok.replace("}", ", \"extra\": []}"), "unknown key extra");
        unreadable(ok.replace("[[1, 2]]", "[[1, 2, 3]]"), "expert of token 0 has more than two values");
        unreadable(ok.replace("[[0.5, 0.5]]", "[[0.5]]"), "gate of token 0 has fewer than two values");
        unreadable(ok.replace("[[0, 0]]", "[0, 0]"), "position of token 0 is not a pair");
        unreadable(ok.replace("[[1, 2]]", "[[1.5, 2]]"), "expert holds 1.5");
        unreadable(ok.replace("[[0.5, 0.5]]", "[[\"a\", 0.5]]"), "gate holds a");
        unreadable(ok.replace("[1.0]", "[1.0, 2.0]"), "capacity has 1 groups but aux_loss has 2");
        unreadable(ok.replace("[[0, 0]]", "[[0, 0], [1, 1]]"), "expert has 1 tokens, position 2");
        unreadable(ok.replace("\"capacity\": [4]", "\"capacity\": 4"), "capacity must be an array");
        unreadable(ok + " {}", "content after");
        unreadable("[]", "not a JSON object");
        unreadable(ok.substring(0, 40), "not valid JSON");
        unreadable(ok.substring(0, ok.length() - 3), "not valid JSON", "start marker at [line: 1");
        unreadable(ok.replace("\"aux_loss\"", "\"capacity\""), "not valid JSON", "capacity");
    }

    @Test
    void readerNamesAMissingFile()
    {
        final Path p = dir.resolve("none.json");
        final BadInputException ex = assertThrows(BadInputException.class, () -> RoutingReportReader.read(p));
        assertTrue(ex.getMessage().contains(p.toString()) && ex.getMessage().contains("does not exist"),
            ex.getMessage());
    }
}
