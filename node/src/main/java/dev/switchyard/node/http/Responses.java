package dev.switchyard.node.http;

import java.nio.charset.StandardCharsets;

import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;

/** The responses of the HTTP API, one content type each. */
final class Responses
{
    static final MediaType.Binary NPY = MediaTypes.applicationBinary("x-npy", false, "npy");
    static final ContentType NPY_TYPE = ContentTypes.create(NPY);
    static final ContentType PROMETHEUS_TEXT = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

    private Responses()
    {
    }

    static HttpResponse json(final int status, final byte[] body)
    {
        return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, body);
    }

    static HttpResponse npy(final byte[] body)
    {
        return HttpResponse.create().withStatus(200).withEntity(NPY_TYPE, body);
    }

    static HttpResponse text(final int status, final ContentType type, final String body)
    {
        return HttpResponse.create().withStatus(status).withEntity(type, body.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse error(final ApiError error)
    {
        return json(error.status, AnswerBody.error(error));
    }
}
