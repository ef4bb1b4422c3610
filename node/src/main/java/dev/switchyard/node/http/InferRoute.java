package dev.switchyard.node.http;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.routing.tokens.TokenChecks;
import dev.switchyard.wire.BadInputException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * {@code POST /v1/layers/{layer}:infer}: the body's tokens through one layer of this node's
 * gateway, by the Java client over IPC, in exact mode (groups of its own, as {@code infer --local}
 * forms them). Admission is decided before anything is sent: readiness, the token limit and the
 * number of requests in progress, in all and from the caller's address.
 */
final class InferRoute
{
    static final String DEGRADED_HEADER = "Switchyard-Degraded";

    private final SwitchyardClient client;
    private final HttpSettings settings;
    private final BooleanSupplier located;
    private final CallerSlots slots;

    /** @param located whether every expert has been located once (the node has finished starting) */
    InferRoute(final SwitchyardClient client, final HttpSettings settings, final BooleanSupplier located)
    {
        this.client = client;
        this.settings = settings;
        this.located = located;
        this.slots = new CallerSlots(settings.maxConcurrent(), settings.maxPerCaller());
    }

    /**
     * @param json   the body is JSON (else npy)
     * @param answerJson the answer is JSON (else npy)
     * @param deadline   the request's deadline at the gateway
     * @param caller     the remote address: its requests in progress are bounded, and count against a
     *                   share of the gateway of its own
     */
    CompletionStage<HttpResponse> infer(
        final int layer, final byte[] body, final boolean json, final boolean answerJson, final boolean routingQuery,
        final Duration deadline, final InetAddress caller)
    {
        if (layer < 0 || layer >= client.layers())
        {
            throw ApiError.notFound("layer " + layer + " is not served (layers 0 to " + (client.layers() - 1) + ")");
        }
        // Only a node still starting refuses: an expert that moves or is lost later is the
        // gateway's to wait for or to answer without, as for any client.
        if (!located.getAsBoolean())
        {
            throw ApiError.notReady("the gateway has not located every expert yet");
        }
        final int d = client.dModel();
        final TokensBody tokens = json ? TokensBody.json(body, d, settings.maxTokens(), routingQuery) :
            TokensBody.npy(body, d, routingQuery);
        if (tokens.rows() > settings.maxTokens())
        {
            throw ApiError.tooLarge(tokens.rows() + " tokens, more than the " + settings.maxTokens() +
                " one request may hold");
        }
        try
        {
            TokenChecks.requireFinite(tokens.x(), 0, tokens.rows(), d, "tokens");
            if (tokens.importance() != null)
            {
                TokenChecks.requireFiniteImportance(tokens.importance(), 0, tokens.rows(), "importance");
            }
        }
        catch (final BadInputException ex)
        {
            throw ApiError.badRequest(ex.getMessage());
        }
        slots.acquire(caller);
        final CompletableFuture<InferAnswer> answer;
        try
        {
            answer = client.infer(tokens.x(), tokens.rows(), tokens.importance(), tokens.routing(),
                RequestOptions.exact().withLayer(layer).withDeadline(deadline).withCaller(caller.hashCode()));
        }
        catch (final RuntimeException ex)
        {
            slots.release(caller);
            throw ex;
        }
        return answer.handle((a, failure) ->
        {
            slots.release(caller);
            if (failure != null)
            {
                return Responses.error(ApiError.of(500, "internal", String.valueOf(failure.getMessage())));
            }
            if (!a.ok() && !a.degraded())
            {
                return Responses.error(statusError(a));
            }
            final HttpResponse response = answerJson || tokens.routing() ? Responses.json(200, AnswerBody.json(a)) :
                Responses.npy(AnswerBody.npy(a));
            // A degraded answer is an answer: its header names the experts it was computed without.
            return a.degraded() ? response.addHeader(RawHeader.create(DEGRADED_HEADER, a.detail())) : response;
        });
    }

    private static ApiError statusError(final InferAnswer a)
    {
        return switch (a.status())
        {
            case BAD_INPUT -> ApiError.of(400, "bad_request", a.detail());
            case OVERLOADED -> ApiError.of(429, "overloaded", a.detail());
            case TIMEOUT -> ApiError.of(504, "deadline", a.detail());
            case EXPERT_UNAVAILABLE -> ApiError.of(503, "expert_unavailable", a.detail());
            case UNAVAILABLE, GATEWAY_UNAVAILABLE -> ApiError.of(503, "unavailable", a.detail());
            default -> ApiError.of(500, "internal", a.detail());
        };
    }
}
