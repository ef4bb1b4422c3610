package dev.switchyard.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import dev.switchyard.transformer.serving.End;
import dev.switchyard.transformer.serving.EngineObserver;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The serving engine's Prometheus metrics, for {@code /metrics}: time to first token, inter-token time (one
 * decode step), queue wait, generated tokens (their rate is tokens/s), running sequences, requests by how they
 * ended. Updated on the engine's thread; read at scrape time.
 */
final class EngineMetrics implements EngineObserver
{
    private static final double[] SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
        30};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Histogram firstToken = seconds("switchyard_lm_time_to_first_token_seconds",
        "From a request's arrival to its first new token (queue wait and prefill included).");
    private final Histogram interToken = seconds("switchyard_lm_inter_token_seconds",
        "One decode step of the running batch: the time between two tokens of a sequence.");
    private final Histogram queueWait = seconds("switchyard_lm_queue_wait_seconds",
        "From a request's arrival to its admission into the running batch.");
    private final Counter tokens = Counter.builder().name("switchyard_lm_generated_tokens_total")
        .help("New tokens generated (rate(): tokens per second).").register(registry);
    private final Gauge running = Gauge.builder().name("switchyard_lm_running_sequences")
        .help("Sequences in the running batch after the last step.").register(registry);
    private final Counter ended = Counter.builder().name("switchyard_lm_requests_total")
        .help("Requests ended, by reason (eos, length, cancelled, error).").labelNames("reason").register(registry);

    private Histogram seconds(final String name, final String help)
    {
        return Histogram.builder().name(name).help(help).classicOnly().classicUpperBounds(SECONDS).register(registry);
    }

    @Override
    public void admitted(final long nanos)
    {
        queueWait.observe(nanos / 1e9);
    }

    @Override
    public void firstToken(final long nanos)
    {
        firstToken.observe(nanos / 1e9);
        tokens.inc();
    }

    @Override
    public void step(final int rows, final long nanos)
    {
        interToken.observe(nanos / 1e9);
        tokens.inc(rows);
    }

    @Override
    public void ended(final End.Reason reason)
    {
        ended.labelValues(reason.name().toLowerCase(Locale.ROOT)).inc();
    }

    @Override
    public void running(final int sequences)
    {
        running.set(sequences);
    }

    /** Every metric in the Prometheus text format (version 0.0.4). */
    String scrape()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try
        {
            writer.write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
