package dev.switchyard.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import static dev.switchyard.cli.CliTest.assertUserError;
import static dev.switchyard.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code serve} on a port another process holds: one line naming the port and its setting, at once. */
class ServePortsTest
{
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void createModel()
    {
        model = dir.resolve("model");
        assertEquals(0, cli("model", "init", "--out", model.toString(), "--d-model", "8", "--d-ff", "16",
            "--experts", "4", "--group-size", "4").status());
    }

    private static CliTest.Run serve(final String... flags)
    {
        final String[] args = new String[3 + flags.length];
        args[0] = "serve";
        args[1] = "--model";
        args[2] = model.toString();
        System.arraycopy(flags, 0, args, 3, flags.length);
        // A serve that got past the check would run until stopped: the deadline ends the test instead.
        final long start = System.nanoTime();
        final CliTest.Run run = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> cli(args));
        final long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 5000, "refused after " + millis + " ms");
        return run;
    }

    private static ServerSocket tcp() throws Exception
    {
        final ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return s;
    }

    @Test
    void aClusterPortInUseIsOneLine() throws Exception
    {
        try (ServerSocket held = tcp())
        {
            assertUserError(serve("--cluster", "127.0.0.1:" + held.getLocalPort()),
                "cluster port 127.0.0.1:" + held.getLocalPort() + " (TCP) is in use by another process; set another " +
                    "with switchyard.cluster.port, --cluster");
        }
    }

    @Test
    void anHttpPortInUseIsOneLine() throws Exception
    {
        try (ServerSocket held = tcp())
        {
            assertUserError(serve("--cluster", "127.0.0.1:0", "--bind", "127.0.0.1:0", "--http-port",
                String.valueOf(held.getLocalPort())), "HTTP port 127.0.0.1:" + held.getLocalPort() +
                " (TCP) is in use by another process; set another with switchyard.http.port, --http-port");
        }
    }

    @Test
    void aClientPortInUseIsOneLine() throws Exception
    {
        try (DatagramSocket held = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            assertUserError(serve("--cluster", "127.0.0.1:0", "--bind", "127.0.0.1:" + held.getLocalPort()),
                "client port 127.0.0.1:" + held.getLocalPort() + " (UDP) is in use by another process; set another " +
                    "with switchyard.gateway.bind, --bind");
        }
    }

    @Test
    void aLoopbackDataHostBehindANonLoopbackClusterAddressIsOneLine()
    {
        // The setting: --cluster on a real address and the data plane left at loopback, which
        // made every block to an expert on another host vanish without a word.
        assertUserError(serve("--cluster", "10.255.255.1:2551", "--data-host", "127.0.0.1"), "--data-host");
    }
}
