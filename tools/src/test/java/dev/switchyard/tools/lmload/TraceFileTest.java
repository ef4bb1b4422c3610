package dev.switchyard.tools.lmload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.switchyard.testkit.TestData;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three public trace formats read from testdata/traces, and one clear error for a malformed line. */
class TraceFileTest
{
    @TempDir
    Path dir;

    static Path traces()
    {
        return TestData.checkpoints().resolveSibling("traces");
    }

    @Test
    void readsMooncakeJsonl()
    {
        final Trace t = TraceFile.read(traces().resolve("mooncake.jsonl"), TraceFormat.MOONCAKE);
        assertEquals(List.of(new TraceEntry(0, 6955, 52), new TraceEntry(0, 6472, 26),
            new TraceEntry(27_482_000_000L, 6955, 52), new TraceEntry(30_535_000_000L, 6472, 26),
            new TraceEntry(39_000_000_000L, 10, 4)), t.entries());
        assertEquals(0, t.zeroOutput());
    }

    @Test
    void readsBurstGptSkippingAndCountingItsFailures()
    {
        final Trace t = TraceFile.read(traces().resolve("burstgpt.csv"), TraceFormat.BURSTGPT);
        assertEquals(List.of(new TraceEntry(0, 472, 18), new TraceEntry(113_000_000_000L, 417, 58),
            new TraceEntry(121_000_000_000L, 1360, 300), new TraceEntry(130_000_000_000L, 42, 7)), t.entries());
        assertEquals(2, t.zeroOutput());
    }

    @Test
    void readsAzureWithItsSevenFractionalDigits()
    {
        final Trace t = TraceFile.read(traces().resolve("azure.csv"), TraceFormat.AZURE);
        assertEquals(List.of(new TraceEntry(0, 374, 44), new TraceEntry(4_314_579_000L, 396, 109),
            new TraceEntry(4_350_410_000L, 879, 45), new TraceEntry(15_521_245_000L, 91, 2)), t.entries());
    }

    @Test
    void aMalformedLineIsOneErrorNamingTheFileAndTheLine()
    {
        final String mooncake = refused("mooncake-malformed.jsonl", TraceFormat.MOONCAKE);
        assertTrue(mooncake.contains("mooncake-malformed.jsonl line 3 (mooncake): \"input_length\" must be a whole " +
            "number"), mooncake);
        final String burst = refused("burstgpt-malformed.csv", TraceFormat.BURSTGPT);
        assertTrue(burst.contains("burstgpt-malformed.csv line 3 (burstgpt): 6 columns expected, got 5"), burst);
        final String azure = refused("azure-malformed.csv", TraceFormat.AZURE);
        assertTrue(azure.contains("azure-malformed.csv line 3 (azure): TIMESTAMP must be a datetime"), azure);
    }

    @Test
    void theWrongHeaderOrFormatIsRefused() throws IOException
    {
        final String header = refused("azure.csv", TraceFormat.BURSTGPT);
        assertTrue(header.contains("azure.csv line 1 (burstgpt): the header must be 'Timestamp,Model,Request " +
            "tokens,Response tokens,Total tokens,Log Type'"), header);
        assertTrue(assertThrows(BadInputException.class, () -> TraceFormat.parse("sharegpt")).getMessage()
            .contains("--trace-format must be mooncake, burstgpt or azure"));
        final Path unsorted = Files.writeString(dir.resolve("late.jsonl"),
            "{\"timestamp\": 500, \"input_length\": 3, \"output_length\": 2}\n" +
            "{\"timestamp\": 200, \"input_length\": 0, \"output_length\": 5}\n");
        assertEquals(List.of(new TraceEntry(0, 0, 5), new TraceEntry(300_000_000L, 3, 2)),
            TraceFile.read(unsorted, TraceFormat.MOONCAKE).entries());
    }

    private static String refused(final String file, final TraceFormat format)
    {
        return assertThrows(BadInputException.class, () -> TraceFile.read(traces().resolve(file), format))
            .getMessage();
    }
}
