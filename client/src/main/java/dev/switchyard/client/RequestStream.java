package dev.switchyard.client;

import java.util.function.Consumer;

/**
 * Requests sent one after another whose answers arrive at one callback, in request order (the
 * gateway answers in arrival order; a request split into several messages answers once, whole).
 */
public final class RequestStream
{
    private final SwitchyardClient client;
    private final RequestOptions options;
    private final Consumer<InferAnswer> onAnswer;

    RequestStream(final SwitchyardClient client, final RequestOptions options, final Consumer<InferAnswer> onAnswer)
    {
        this.client = client;
        this.options = options;
        this.onAnswer = onAnswer;
    }

    /**
     * Sends {@code rows} tokens; the answer goes to the callback.
     *
     * @param tokens [rows, d_model]
     */
    public void send(final float[] tokens, final int rows, final float[] importanceOrNull, final boolean wantRouting)
    {
        client.infer(tokens, rows, importanceOrNull, wantRouting, options).thenAccept(onAnswer);
    }
}
