package dev.switchyard.node.http.openai;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A language model served by the OpenAI-compatible routes: its text in and out and a generation engine. The
 * node does not know how it runs (in process, or its MoE layers through the cluster); {@code cli} adapts the
 * transformer module's engine to this.
 */
public interface LanguageModel
{
    /** The name {@code GET /v1/models} lists and requests may give as "model". */
    String name();

    /** V: ids are in [0, V). */
    int vocab();

    /**
     * The ids of a text.
     *
     * @param addSpecialTokens whether the tokenizer's post-processor adds its special tokens (a prompt: yes;
     *                         a rendered chat, which spells them itself: no)
     */
    int[] encode(String text, boolean addSpecialTokens);

    /**
     * The chat rendered by the model's chat template, ending with the start of the assistant's turn.
     *
     * @param messages each with "role" and "content"
     * @throws dev.switchyard.wire.BadInputException when the model has no template or the template refuses
     */
    String renderChat(List<Map<String, Object>> messages);

    /**
     * Starts a generation; its events arrive on the engine's thread, in order, ending with one
     * {@link GenerationEvent.Finished}. The consumer must return quickly.
     *
     * @throws dev.switchyard.wire.BadInputException when the request cannot run at all (too long)
     */
    Submission submit(GenerationRequest request, Consumer<GenerationEvent> events);
}
