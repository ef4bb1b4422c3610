package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.MoeFamily;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.tools.loadgen.Arrivals;
import dev.switchyard.tools.loadgen.LoadGenerator;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchyard loadgen}: synthetic traffic at a rate, open loop, reproducible from its seed. Its flags are
 * checked here rather than marked required, because picocli would ask for them before {@code loadgen lm} too.
 */
@Command(
    name = "loadgen",
    mixinStandardHelpOptions = true,
    description = "Generate traffic against a gateway: open loop, seeded, optionally skewed towards hot experts.",
    subcommands = LoadgenLmCommand.class)
public final class LoadgenCommand implements Callable<Integer>
{
    @Option(names = "--connect", paramLabel = "HOST:PORT",
        description = "The gateway (required); several of one cluster comma-separated.")
    private String connect;

    @Option(names = "--rate", paramLabel = "R", description = "Requests per second (mean; required).")
    private Double rate;

    @Option(names = "--duration", paramLabel = "S", description = "Seconds of traffic (required).")
    private Double duration;

    @Option(names = "--arrivals", paramLabel = "KIND", defaultValue = "poisson",
        description = "constant, poisson (default) or gamma.")
    private String arrivals;

    @Option(names = "--burstiness", paramLabel = "B", defaultValue = "1",
        description = "Gamma arrivals: coefficient of variation of the gaps (1 = Poisson, more is burstier).")
    private double burstiness;

    @Option(names = "--tokens-per-request", paramLabel = "N|MIN:MAX", defaultValue = "16",
        description = "Tokens per request, fixed or uniform in MIN..MAX (default 16).")
    private String tokensPerRequest;

    @Option(names = "--skew", paramLabel = "Z",
        description = "Tokens prefer experts with Zipf weights 1/rank^Z through the model's router (needs --model).")
    private Double skew;

    @Option(names = "--model", paramLabel = "DIR", description = "The served model, for --skew.")
    private Path model;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "shared",
        description = "shared (default: requests share groups) or exact (groups of their own).")
    private String mode;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the traffic (default 1).")
    private long seed;

    @Option(names = "--record", paramLabel = "DIR",
        description = "Record the traffic sent and its answers into DIR, as 'serve --record' does.")
    private Path record;

    @Option(names = "--report", paramLabel = "OUT", description = "Write OUT.hgrm, OUT.json and OUT.html.")
    private Path report;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
        description = "The gateway's metrics HTTP address, for per-expert load in the report.")
    private String metrics;

    @Override
    public Integer call() throws InterruptedException
    {
        if (connect == null || rate == null || duration == null)
        {
            throw new BadInputException("loadgen needs --connect HOST:PORT, --rate R and --duration S " +
                "('loadgen lm' drives a language model's OpenAI-compatible server)");
        }
        final Arrivals arrival = new Arrivals(arrivals, rate, burstiness);
        if (!(duration > 0) || Double.isInfinite(duration))
        {
            throw new BadInputException("--duration must be a positive number of seconds (got " + duration + ")");
        }
        if (!mode.equals("shared") && !mode.equals("exact"))
        {
            throw new BadInputException("--mode must be shared or exact (got '" + mode + "')");
        }
        final int[] sizes = sizes(tokensPerRequest);
        if (skew != null && model == null)
        {
            throw new BadInputException("--skew needs --model DIR: tokens are aimed at experts through its router");
        }
        final float[] router = skew == null ? null : router(CliArgs.existingDirectory("--model", model));
        try (LoadgenClient session = LoadgenClient.open(connect, record))
        {
            final SwitchyardClient client = session.client();
            // A checkpoint's shared expert is one more expert the gateway addresses: the router aims at routed ones.
            final int routed = router == null ? client.numExperts() : router.length / client.dModel();
            if (router != null && (router.length % client.dModel() != 0 ||
                (routed != client.numExperts() && routed + 1 != client.numExperts())))
            {
                throw new BadInputException("--model " + model + " is not the model the gateway serves (its router " +
                    "has " + router.length + " weights, the gateway serves " + client.numExperts() + " experts of " +
                    "d_model " + client.dModel() + ")");
            }
            final LoadGenerator generator = new LoadGenerator(arrival, (long)(duration * 1e9), sizes[0], sizes[1],
                client.dModel(), mode.equals("exact"), seed, router, routed, skew == null ? 0 : skew);
            final String title = String.format(Locale.ROOT,
                "loadgen: %.1f requests/s for %.1f s, %s, %s tokens per request, %s mode%s, seed %d, against %s",
                rate, duration, arrival.describe(), tokensPerRequest, mode,
                skew == null ? "" : String.format(Locale.ROOT, ", skew %.2f", skew), seed, connect);
            final List<String> notes = new ArrayList<>();
            if (session.recorder() != null)
            {
                notes.add("recorded as recording " + session.recorder().recordingId() + " in " + record);
            }
            return OpenLoopRun.run(client, generator, title, metrics, null, notes, report, session.observer(),
                (long)(duration * 1e9));
        }
    }

    /** Layer 0's router [E, d_model] of a model directory or a checkpoint folder, float32. */
    private static float[] router(final Path dir)
    {
        if (MoeFamily.isCheckpoint(dir))
        {
            try (Checkpoint checkpoint = Checkpoint.open(dir))
            {
                return checkpoint.tensor(checkpoint.layer(0).routerWeight()).toF32().toArray();
            }
        }
        try (ModelDirectory m = ModelDirectory.open(dir))
        {
            return m.router(0).toArray();
        }
    }

    static int[] sizes(final String text)
    {
        try
        {
            final int colon = text.indexOf(':');
            if (colon < 0)
            {
                final int n = Integer.parseInt(text.trim());
                return new int[] {n, n};
            }
            return new int[] {Integer.parseInt(text.substring(0, colon).trim()),
                Integer.parseInt(text.substring(colon + 1).trim())};
        }
        catch (final NumberFormatException ex)
        {
            throw new BadInputException("--tokens-per-request must be N or MIN:MAX (got '" + text + "')");
        }
    }
}
