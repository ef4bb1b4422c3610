package dev.switchyard.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.tools.lmload.LengthSpec;
import dev.switchyard.tools.lmload.LmResult;
import dev.switchyard.tools.lmload.LmRun;
import dev.switchyard.tools.lmload.LmSummary;
import dev.switchyard.tools.lmload.Slo;
import dev.switchyard.tools.lmload.TraceFile;
import dev.switchyard.tools.lmload.TraceFormat;
import dev.switchyard.tools.lmload.Workload;
import dev.switchyard.tools.loadgen.Arrivals;
import dev.switchyard.tools.report.LmReportFiles;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchyard loadgen lm}: streamed completions against an OpenAI-compatible server, open loop, with
 * drawn lengths or a public trace's; TTFT, ITL, E2E, throughput and goodput.
 */
@Command(
    name = "lm",
    mixinStandardHelpOptions = true,
    description = "Generate language-model traffic against an OpenAI-compatible server (/v1/completions, " +
        "streamed): open loop, drawn or traced lengths; reports TTFT, ITL, E2E and goodput.")
final class LoadgenLmCommand implements Callable<Integer>
{
    @Option(names = {"--url", "--openai"}, paramLabel = "URL", required = true,
        description = "The server, e.g. http://127.0.0.1:8000 (its /v1/completions is used).")
    private String url;

    @Option(names = "--rate", paramLabel = "R", description = "Requests per second (mean), for drawn traffic.")
    private Double rate;

    @Option(names = "--duration", paramLabel = "S",
        description = "Seconds of traffic (drawn: required; a trace: stop sending after S seconds).")
    private Double duration;

    @Option(names = "--arrivals", paramLabel = "KIND", defaultValue = "poisson",
        description = "constant, poisson (default) or gamma.")
    private String arrivals;

    @Option(names = "--burstiness", paramLabel = "B", defaultValue = "1",
        description = "Gamma arrivals: coefficient of variation of the gaps (1 = Poisson).")
    private double burstiness;

    @Option(names = "--prompt-tokens", paramLabel = "SPEC", defaultValue = "128",
        description = "Prompt lengths: N, uniform:MIN:MAX or lognormal:MEAN:SIGMA (default 128).")
    private String promptTokens;

    @Option(names = "--output-tokens", paramLabel = "SPEC", defaultValue = "64",
        description = "Output lengths (max_tokens), as --prompt-tokens (default 64).")
    private String outputTokens;

    @Option(names = "--trace", paramLabel = "FILE", description = "Replay a trace's times and lengths.")
    private Path trace;

    @Option(names = "--trace-format", paramLabel = "F", description = "mooncake, burstgpt or azure.")
    private String traceFormat;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1",
        description = "Trace times divided by X (2: twice as fast).")
    private double speed;

    @Option(names = "--model", paramLabel = "DIR",
        description = "The served checkpoint folder: vocabulary and context from its config.json.")
    private Path model;

    @Option(names = "--vocab", paramLabel = "V", description = "Prompt ids are drawn from 0..V-1.")
    private Integer vocab;

    @Option(names = "--context", paramLabel = "N", description = "Prompt + output tokens at most (clipped).")
    private Integer context;

    @Option(names = "--max-prompt", paramLabel = "N", defaultValue = "0",
        description = "Prompt tokens at most (clipped; default: no limit).")
    private int maxPrompt;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
        description = "0 (default) greedy, else sampled with a seed per request.")
    private double temperature;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the traffic (default 1).")
    private long seed;

    @Option(names = "--served-model", paramLabel = "NAME", description = "The request's \"model\" field.")
    private String servedModel;

    @Option(names = "--ignore-eos",
        description = "Send ignore_eos: true (serve --openai and vLLM honour it): outputs of the drawn length.")
    private boolean ignoreEos;

    @Option(names = "--slo-ttft", paramLabel = "MS", description = "Goodput: TTFT at most MS.")
    private Double sloTtft;

    @Option(names = "--slo-itl", paramLabel = "MS", description = "Goodput: mean gap between tokens at most MS.")
    private Double sloItl;

    @Option(names = "--drain", paramLabel = "S", defaultValue = "60",
        description = "Seconds to wait for answers after the last send (default 60).")
    private double drain;

    @Option(names = "--progress", paramLabel = "S", defaultValue = "5",
        description = "A progress line on stderr every S seconds (default 5; 0: none).")
    private int progress;

    @Option(names = "--report", paramLabel = "OUT",
        description = "Write OUT.json, OUT.html and OUT.{ttft,itl,e2e}.hgrm.")
    private Path report;

    @Override
    public Integer call() throws InterruptedException
    {
        if (!(drain >= 0) || Double.isInfinite(drain) || progress < 0)
        {
            throw new BadInputException("--drain and --progress must be 0 or more seconds");
        }
        final URI completions = LmRun.completionsOf(url);
        final JsonNode config = model == null ? null : config(CliArgs.existingDirectory("--model", model));
        final int v = vocab != null ? vocab : config != null ? field(config, "vocab_size") : 0;
        if (v < 1)
        {
            throw new BadInputException("give --model DIR (the served checkpoint) or --vocab V: prompt ids must be " +
                "in the model's vocabulary");
        }
        final int ctx = context != null ? context : config != null ? field(config, "max_position_embeddings") : 0;
        final Workload workload = workload(new Workload.Limits(maxPrompt, ctx));
        final Slo slo = new Slo(sloTtft == null ? Double.POSITIVE_INFINITY : sloTtft,
            sloItl == null ? Double.POSITIVE_INFINITY : sloItl);
        if (!LmRun.reachable(completions))
        {
            throw new BadInputException("--url " + url + ": no HTTP server answers at " +
                completions.resolve("models"));
        }
        final String title = "loadgen lm: " + workload.description() + ", temperature " + temperature + ", against " +
            url;
        System.out.println(title);
        System.out.flush();
        final LmResult result = new LmRun(completions, v, temperature, seed, servedModel, ignoreEos,
            Duration.ofMillis(Math.round(drain * 1000)), System.err, progress).run(workload, title, slo);
        System.out.print(LmSummary.text(result));
        if (report != null)
        {
            for (final Path file : LmReportFiles.write(report, result))
            {
                System.out.println("wrote " + file);
            }
        }
        System.out.flush();
        return LmSummary.failure(result) == null ? 0 : Main.EXIT_FAILURE;
    }

    private Workload workload(final Workload.Limits limits)
    {
        if (duration != null && (!(duration > 0) || Double.isInfinite(duration)))
        {
            throw new BadInputException("--duration must be a positive number of seconds (got " + duration + ")");
        }
        if (trace == null)
        {
            if (rate == null || duration == null)
            {
                throw new BadInputException("give --rate R and --duration S, or --trace FILE --trace-format F");
            }
            return Workload.drawn(new Arrivals(arrivals, rate, burstiness), Math.round(duration * 1e9),
                LengthSpec.parse("--prompt-tokens", promptTokens), LengthSpec.parse("--output-tokens", outputTokens),
                seed, limits);
        }
        if (traceFormat == null)
        {
            throw new BadInputException("--trace needs --trace-format mooncake, burstgpt or azure");
        }
        if (rate != null)
        {
            throw new BadInputException("--rate does not apply to a trace: its times set the rate (use --speed)");
        }
        return Workload.replayed(TraceFile.read(trace, TraceFormat.parse(traceFormat)), speed,
            duration == null ? Long.MAX_VALUE : Math.round(duration * 1e9), limits);
    }

    private static JsonNode config(final Path dir)
    {
        final Path file = dir.resolve("config.json");
        try
        {
            return new ObjectMapper().readTree(Files.readString(file));
        }
        catch (final IOException ex)
        {
            throw new BadInputException("--model " + dir + ": " + file.getFileName() + " cannot be read (" +
                ex.getMessage() + ")");
        }
    }

    private int field(final JsonNode config, final String name)
    {
        final JsonNode v = config.path(name);
        if (!v.canConvertToInt() || v.asInt() < 1)
        {
            throw new BadInputException("--model " + model + ": config.json has no " + name + " (give --vocab and " +
                "--context)");
        }
        return v.asInt();
    }
}
