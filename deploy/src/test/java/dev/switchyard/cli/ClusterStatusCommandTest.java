package dev.switchyard.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cluster status} without a cluster to ask: one line on stderr, exit status 2. */
class ClusterStatusCommandTest
{
    @Test
    void noNodeAtTheAddressIsOneClearLine() throws Exception
    {
        final int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = free.getLocalPort();
        }
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        final long start = System.nanoTime();
        final int status = cli.execute("cluster", "status", "--connect", "127.0.0.1:" + port);
        final long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Main.EXIT_USER_ERROR, status, err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("switchyard: no Switchyard node listens at 127.0.0.1:" + port),
            err.toString());
        // The default timeout is 10 s; nothing listening is known at once.
        assertTrue(millis < 3000, "failed after " + millis + " ms");
    }

    @Test
    void aMalformedAddressIsOneClearLine()
    {
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        assertEquals(Main.EXIT_USER_ERROR, cli.execute("cluster", "status", "--connect", "nowhere"));
        assertEquals("switchyard: --connect takes HOST:PORT of a node's cluster (Pekko remoting) address " +
            "(got 'nowhere')", err.toString().strip());
    }
}
