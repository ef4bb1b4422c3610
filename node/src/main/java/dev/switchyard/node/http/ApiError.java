package dev.switchyard.node.http;

/**
 * An HTTP request that gets an error answer: {@code {"error": code, "message": ...}} with
 * {@code status}. The message is one line naming what is wrong.
 */
final class ApiError extends RuntimeException
{
    final int status;
    final String code;

    private ApiError(final int status, final String code, final String message)
    {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static ApiError badRequest(final String message)
    {
        return new ApiError(400, "bad_request", message);
    }

    static ApiError notFound(final String message)
    {
        return new ApiError(404, "not_found", message);
    }

    static ApiError methodNotAllowed(final String message)
    {
        return new ApiError(405, "method_not_allowed", message);
    }

    static ApiError requestTimeout(final String message)
    {
        return new ApiError(408, "request_timeout", message);
    }

    static ApiError tooLarge(final String message)
    {
        return new ApiError(413, "too_large", message);
    }

    static ApiError unsupportedMediaType(final String message)
    {
        return new ApiError(415, "unsupported_media_type", message);
    }

    static ApiError overloaded(final String message)
    {
        return new ApiError(429, "overloaded", message);
    }

    static ApiError notReady(final String message)
    {
        return new ApiError(503, "not_ready", message);
    }

    static ApiError of(final int status, final String code, final String message)
    {
        return new ApiError(status, code, message);
    }
}
