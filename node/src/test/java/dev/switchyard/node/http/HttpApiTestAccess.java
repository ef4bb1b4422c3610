package dev.switchyard.node.http;

import java.io.IOException;

/** For tests in other packages: a port that is free now, for a listener that takes no port 0. */
public final class HttpApiTestAccess
{
    private HttpApiTestAccess()
    {
    }

    public static int freePort() throws IOException
    {
        return HttpApiTest.freePort();
    }
}
