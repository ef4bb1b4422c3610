package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.MoeFamily;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.transformer.attention.Memory;
import dev.switchyard.transformer.decoder.CheckpointDecoder;
import dev.switchyard.transformer.forward.Transformer;
import dev.switchyard.transformer.io.TensorFiles;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code switchyard score}: teacher-forced logits of a transformer model or a decoder-only checkpoint folder. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = "Teacher-forced forward of a transformer model: write the logits [B, L, V] of the targets.")
final class ScoreCommand implements Callable<Integer>
{
    @Option(names = "--model", required = true, paramLabel = "DIR",
        description = "Model directory (with a transformer), or a decoder-only Hugging Face checkpoint folder.")
    Path model;

    @Option(names = "--targets", paramLabel = "T.npy", description = "Target ids, int32 [B, L].")
    Path targets;

    @Option(names = "--prompt", paramLabel = "TEXT",
        description = "A checkpoint folder: score this text (encoded with its tokenizer.json) instead of --targets; " +
            "prints its log-likelihood.")
    String prompt;

    @Option(names = "--inputs", paramLabel = "I.npy", description = "Source ids, int32 [B, L_in] (encdec).")
    Path inputs;

    @Option(names = "--targets-segments", paramLabel = "S.npy",
        description = "Segment ids of packed targets, int32 [B, L].")
    Path targetSegments;

    @Option(names = "--inputs-segments", paramLabel = "S.npy",
        description = "Segment ids of packed sources, int32 [B, L_in].")
    Path inputSegments;

    @Option(names = "--logits", required = true, paramLabel = "OUT.npy", description = "Logits, float32 [B, L, V].")
    Path logits;

    @ArgGroup(exclusive = true)
    InferCommand.Where where = new InferCommand.Where();

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call()
    {
        where.check(false);
        final boolean checkpoint = MoeFamily.isCheckpoint(CliArgs.existingDirectory("--model", model));
        if (prompt != null ? targets != null || !checkpoint : targets == null)
        {
            throw new BadInputException(prompt == null ? "--targets T.npy is required (or --prompt TEXT with a " +
                "checkpoint folder)" : targets != null ? "give either --prompt or --targets, not both" :
                "--prompt applies to checkpoint folders with a tokenizer.json; model " + model + " takes --targets");
        }
        if (checkpoint)
        {
            return scoreCheckpoint();
        }
        try (TransformerSession session = new TransformerSession(model, where.local, where.connect, false, compute))
        {
            final TransformerConfig t = session.model().transformer();
            final TensorFiles.Ids tgt = TensorFiles.readIds("--targets", CliArgs.existingFile("--targets", targets));
            checkIds("--targets", tgt, t.vocabSize(), t.maxLength());
            final TensorFiles.Ids tSeg = segments("--targets-segments", targetSegments, tgt);
            TensorFiles.Ids src = null;
            TensorFiles.Ids sSeg = null;
            if (t.encdec())
            {
                if (inputs == null)
                {
                    throw new BadInputException("--inputs is required: model " + model + " is an encoder-decoder");
                }
                src = TensorFiles.readIds("--inputs", CliArgs.existingFile("--inputs", inputs));
                checkIds("--inputs", src, t.inputsVocabSize(), t.maxLength());
                if (src.rows() != tgt.rows())
                {
                    throw new BadInputException("--inputs has " + src.rows() + " rows, --targets " + tgt.rows());
                }
                sSeg = segments("--inputs-segments", inputSegments, src);
                if ((tSeg == null) != (sSeg == null))
                {
                    throw new BadInputException("give both --targets-segments and --inputs-segments, or neither");
                }
            }
            else if (inputs != null || inputSegments != null)
            {
                throw new BadInputException("--inputs and --inputs-segments need an encoder-decoder model; model " +
                    model +
                    " is decoder-only");
            }
            TransformerMemory.checkScore(session.model().config(), "score --targets " + targets, tgt.rows(), tgt.cols(),
                src == null ? 0 : src.cols());
            final long start = System.nanoTime();
            final Transformer tr = session.transformer();
            final Memory[] cross = src == null ? null :
                tr.encode(src.data(), src.rows(), src.cols(), sSeg == null ? null : sSeg.data());
            final float[] out = tr.score(tgt.data(), tgt.rows(), tgt.cols(), tSeg == null ? null : tSeg.data(), cross);
            TensorFiles.writeFloats(logits, out, tgt.rows(), tgt.cols(), t.vocabSize());
            System.out.printf("score: %s of %s, %s, %.1f ms%n", Counts.of(tgt.rows(), "row"),
                Counts.of(tgt.cols(), "position"), session.where(),
                (System.nanoTime() - start) / 1e6);
            return 0;
        }
    }

    /** A decoder-only checkpoint folder: the whole language model in this process, {@code model(ids).logits}. */
    private int scoreCheckpoint()
    {
        if (inputs != null || inputSegments != null || targetSegments != null)
        {
            throw new BadInputException("--inputs and the segment flags do not apply to a decoder-only checkpoint " +
                "folder (" + model + "): give --targets alone");
        }
        CliArgs.writableFile("--logits", logits);
        final TensorFiles.Ids ids = prompt != null ? PromptScore.ids(model, prompt)
            : TensorFiles.readIds("--targets", CliArgs.existingFile("--targets", targets));
        if (ids.rows() < 1 || ids.cols() < 1)
        {
            throw new BadInputException("--targets: needs at least one row and one position");
        }
        try (Checkpoint checkpoint = Checkpoint.open(model);
             DecoderSession session = DecoderSession.open(checkpoint, where.local, where.connect, compute))
        {
            final CheckpointDecoder decoder = session.decoder();
            final long start = System.nanoTime();
            final float[] out;
            try
            {
                out = decoder.score(ids.data(), ids.rows(), ids.cols());
            }
            catch (final BadInputException ex)
            {
                throw new BadInputException((prompt != null ? "--prompt" : "--targets " + targets) + ": " +
                    ex.getMessage(), ex);
            }
            TensorFiles.writeFloats(logits, out, ids.rows(), ids.cols(), decoder.vocab());
            System.out.printf("score: %s of %s, %s checkpoint, %s, %.1f ms%s%n", Counts.of(ids.rows(), "row"),
                Counts.of(ids.cols(), "position"), checkpoint.family().modelType(), session.where(),
                (System.nanoTime() - start) / 1e6, prompt == null ? "" : PromptScore.likelihood(ids, out,
                    decoder.vocab()));
            return 0;
        }
    }

    static void checkIds(final String flag, final TensorFiles.Ids ids, final int vocab, final int maxLength)
    {
        if (ids.rows() < 1 || ids.cols() < 1)
        {
            throw new BadInputException(flag + ": needs at least one row and one position");
        }
        if (ids.cols() > maxLength)
        {
            throw new BadInputException(flag + ": " + ids.cols() + " positions, longer than the model's max_length " +
                maxLength);
        }
        for (int i = 0; i < ids.data().length; i++)
        {
            final int id = ids.data()[i];
            if (id < 0 || id >= vocab)
            {
                throw new BadInputException(flag + ": id " + id + " at row " + i / ids.cols() + ", position " +
                    i % ids.cols() + " is outside the vocabulary 0.." + (vocab - 1));
            }
        }
    }

    private static TensorFiles.Ids segments(final String flag, final Path file, final TensorFiles.Ids of)
    {
        if (file == null)
        {
            return null;
        }
        final TensorFiles.Ids seg = TensorFiles.readIds(flag, CliArgs.existingFile(flag, file));
        if (seg.rows() != of.rows() || seg.cols() != of.cols())
        {
            throw new BadInputException(flag + ": shape [" + seg.rows() + ", " + seg.cols() + "], the ids have [" +
                of.rows() + ", " + of.cols() + "]");
        }
        return seg;
    }
}
