package dev.switchyard.node.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One HTTP/1.1 connection written byte by byte, as a slow or lying client writes it, and its
 * answer read as the bytes come.
 */
final class RawConnection implements AutoCloseable
{
    /** A response as read off the connection; {@code closed}: the server closed the connection after it. */
    record Answer(int status, String headers, String body, boolean closed, long nanos)
    {
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final long opened = System.nanoTime();

    RawConnection(final int port, final Duration readTimeout) throws IOException
    {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout((int)readTimeout.toMillis());
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    long openedNanos()
    {
        return opened;
    }

    void write(final String text) throws IOException
    {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /**
     * Writes one byte of the text every {@code every} on a thread of its own, until the text ends or
     * the server closes (a write then fails, which is what a closed connection means here).
     */
    Thread trickle(final String text, final Duration every)
    {
        final Thread writer = Thread.ofPlatform().daemon().start(() ->
        {
            try
            {
                for (final byte b : text.getBytes(StandardCharsets.US_ASCII))
                {
                    out.write(b);
                    out.flush();
                    Thread.sleep(every);  // the pace is the scenario: a client this slow is what the server times out
                }
            }
            catch (final IOException | InterruptedException ex)
            {
                // The server closed the connection, or the test ended.
            }
        });
        return writer;
    }

    /** Reads one response (head and Content-Length body), then whether the server closed the connection. */
    Answer read() throws IOException
    {
        final String head = readHead();
        final long nanos = System.nanoTime() - opened;
        final int status = Integer.parseInt(head.substring(9, 12));
        int length = 0;
        for (final String line : head.split("\r\n"))
        {
            if (line.toLowerCase().startsWith("content-length:"))
            {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        final byte[] body = in.readNBytes(length);
        boolean closed;
        try
        {
            closed = in.read() < 0;
        }
        catch (final IOException ex)
        {
            closed = !ex.getMessage().contains("timed out");
        }
        return new Answer(status, head, new String(body, StandardCharsets.UTF_8), closed, nanos);
    }

    private String readHead() throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("the connection closed before an answer: " + head);
            }
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
