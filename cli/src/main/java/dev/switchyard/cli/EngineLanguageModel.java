package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.node.http.openai.GenerationEvent;
import dev.switchyard.node.http.openai.GenerationRequest;
import dev.switchyard.node.http.openai.LanguageModel;
import dev.switchyard.node.http.openai.Submission;
import dev.switchyard.transformer.decoder.CheckpointDecoder;
import dev.switchyard.transformer.decoder.EosTokens;
import dev.switchyard.transformer.decoder.GenerateOptions;
import dev.switchyard.transformer.moe.MoeLayers;
import dev.switchyard.transformer.serving.Admission;
import dev.switchyard.transformer.serving.End;
import dev.switchyard.transformer.serving.EngineLimits;
import dev.switchyard.transformer.serving.EngineObserver;
import dev.switchyard.transformer.serving.SequenceListener;
import dev.switchyard.transformer.serving.SequenceRequest;
import dev.switchyard.transformer.serving.ServingEngine;
import dev.switchyard.transformer.serving.Token;
import dev.switchyard.transformer.text.ChatTemplate;
import dev.switchyard.transformer.text.TextStream;
import dev.switchyard.transformer.text.TextTokenizer;
import dev.switchyard.wire.BadInputException;

/**
 * A decoder-only checkpoint folder as the HTTP routes' {@link LanguageModel}: its tokenizer.json and chat
 * template for text, a {@link ServingEngine} over the in-process decoder for ids. Closing it stops the engine.
 */
final class EngineLanguageModel implements LanguageModel, AutoCloseable
{
    private final String name;
    private final Checkpoint checkpoint;
    private final TextTokenizer tokenizer;
    private final Optional<ChatTemplate> template;
    private final int[] eos;
    private final ServingEngine engine;

    private EngineLanguageModel(final String name, final Checkpoint checkpoint, final TextTokenizer tokenizer,
        final int[] eos, final ServingEngine engine)
    {
        this.name = name;
        this.checkpoint = checkpoint;
        this.tokenizer = tokenizer;
        this.template = ChatTemplate.of(tokenizer);
        this.eos = eos;
        this.engine = engine;
    }

    /** Loads the folder (its experts in {@code format}, null as stored) and starts the engine. */
    static EngineLanguageModel open(final Path dir, final ComputeBackend backend, final WeightFormat format,
        final EngineLimits limits, final EngineObserver observer)
    {
        return open(dir, checkpoint -> CheckpointDecoder.load(checkpoint, backend, format), limits, observer);
    }

    /**
     * As above, the decoder's MoE layers computed by {@code moe} (through the serving system), its dense products by
     * {@code backend}.
     */
    static EngineLanguageModel open(final Path dir, final MoeLayers moe, final ComputeBackend backend,
        final EngineLimits limits, final EngineObserver observer)
    {
        return open(dir, checkpoint -> CheckpointDecoder.load(checkpoint, moe, backend), limits, observer);
    }

    private static EngineLanguageModel open(final Path dir, final Function<Checkpoint, CheckpointDecoder> decoder,
        final EngineLimits limits, final EngineObserver observer)
    {
        final Checkpoint checkpoint = Checkpoint.open(dir);
        TextTokenizer tokenizer = null;
        try
        {
            tokenizer = TextTokenizer.open(dir);
            final int[] eos = EosTokens.read(checkpoint.dir());
            final ServingEngine engine = new ServingEngine(decoder.apply(checkpoint), eos, limits, observer);
            return new EngineLanguageModel(dir.toAbsolutePath().normalize().getFileName().toString(), checkpoint,
                tokenizer, eos, engine);
        }
        catch (final RuntimeException ex)
        {
            if (tokenizer != null)
            {
                tokenizer.close();
            }
            checkpoint.close();
            throw ex;
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public int vocab()
    {
        return engine.vocab();
    }

    @Override
    public int[] encode(final String text, final boolean addSpecialTokens)
    {
        return tokenizer.encode(text, addSpecialTokens);
    }

    @Override
    public String renderChat(final List<Map<String, Object>> messages)
    {
        return template.orElseThrow(() -> new BadInputException("the model " + name + " has no chat_template in " +
            "its tokenizer_config.json: use /v1/completions")).render(messages, true);
    }

    @Override
    public Submission submit(final GenerationRequest r, final Consumer<GenerationEvent> events)
    {
        final SequenceRequest request = new SequenceRequest(r.prompt(),
            new GenerateOptions(r.maxTokens(), r.temperature(), r.seed()), r.topLogprobs(), false, r.ignoreEos());
        return switch (engine.submit(request, new Listener(r.prompt(), r.ignoreEos() ? new int[0] : eos, events)))
        {
            case Admission.Accepted a -> new Submission.Accepted(a.handle()::cancel);
            case Admission.Overloaded o -> new Submission.Overloaded(o.reason());
        };
    }

    /** The engine's ids as text pieces: an ending EOS adds no text. */
    private final class Listener implements SequenceListener
    {
        private final TextStream text;
        private final Consumer<GenerationEvent> events;

        private final int[] eos;

        /** @param eos the ids that end this generation (none where it ignores EOS) */
        Listener(final int[] prompt, final int[] eos, final Consumer<GenerationEvent> events)
        {
            this.eos = eos;
            this.text = new TextStream(tokenizer, prompt);
            this.events = events;
        }

        @Override
        public void token(final Token t)
        {
            final boolean end = contains(eos, t.id());
            final List<GenerationEvent.TopLogprob> top = new ArrayList<>(t.top().size());
            t.top().forEach(a -> top.add(new GenerationEvent.TopLogprob(piece(a.id()), a.logprob())));
            events.accept(new GenerationEvent.Piece(t.id(), piece(t.id()), end ? "" : text.add(t.id()), t.logprob(),
                top));
        }

        @Override
        public void end(final End e)
        {
            final GenerationEvent.Reason reason = switch (e.reason())
            {
                case EOS -> GenerationEvent.Reason.STOP;
                case LENGTH -> GenerationEvent.Reason.LENGTH;
                case CANCELLED -> GenerationEvent.Reason.CANCELLED;
                case ERROR -> GenerationEvent.Reason.ERROR;
            };
            events.accept(new GenerationEvent.Finished(reason, text.flush(), e.promptTokens(), e.completionTokens(),
                e.error()));
        }
    }

    private String piece(final int id)
    {
        return tokenizer.decode(new int[] {id});
    }

    private static boolean contains(final int[] ids, final int id)
    {
        for (final int e : ids)
        {
            if (e == id)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close()
    {
        engine.close();
        tokenizer.close();
        checkpoint.close();
    }
}
