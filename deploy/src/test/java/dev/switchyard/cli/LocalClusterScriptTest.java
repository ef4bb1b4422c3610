package dev.switchyard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/scripts/local-cluster.sh, run by bash with a stand-in launcher that records how each node
 * would be started: configurable client and HTTP port bases, and ports in use refused before any start.
 */
class LocalClusterScriptTest
{
    private static final Path SCRIPT = Path.of("..", "deploy", "scripts", "local-cluster.sh").toAbsolutePath();

    @TempDir
    Path dir;

    record Result(int status, String err)
    {
    }

    private Path launcher() throws IOException
    {
        final Path fake = dir.resolve("switchyard");
        // Says what a served node says, after recording its arguments, and stays a moment as a node would.
        Files.writeString(fake, "#!/usr/bin/env bash\necho \"$*\" >>\"" + dir.resolve("started") + "\"\n" +
            "echo 'first expert served'\nsleep 1\n");
        assertTrue(fake.toFile().setExecutable(true));
        return fake;
    }

    private Result run(final Map<String, String> env, final String... args) throws Exception
    {
        final Path model = Files.createDirectories(dir.resolve("model"));
        final String[] command = new String[3 + args.length];
        command[0] = "bash";
        command[1] = SCRIPT.toString();
        command[2] = model.toString();
        System.arraycopy(args, 0, command, 3, args.length);
        final ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("SWITCHYARD_RUN_DIR", dir.resolve("run").toString());
        pb.environment().put("SWITCHYARD_LAUNCHER", launcher().toString());
        pb.environment().putAll(env);
        final Process p = pb.start();
        final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "script ended");
        return new Result(p.exitValue(), err);
    }

    /** A base from which {@code n} TCP and UDP ports are free right now. */
    private static int freeBase(final int n) throws IOException
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            final int base;
            try (ServerSocket probe = new ServerSocket(0))
            {
                base = probe.getLocalPort();
            }
            if (base + n > 65535)
            {
                continue;
            }
            boolean free = true;
            for (int i = 0; i < n && free; i++)
            {
                try (ServerSocket t = new ServerSocket(base + i); DatagramSocket u = new DatagramSocket(base + i))
                {
                    free = t.isBound() && u.isBound();
                }
                catch (final IOException ex)
                {
                    free = false;
                }
            }
            if (free)
            {
                return base;
            }
        }
        throw new AssertionError("no run of free ports");
    }

    @Test
    void clientAndHttpPortBasesAreConfigurable() throws Exception
    {
        final int cluster = freeBase(2);
        final int client = freeBase(2);
        final int http = freeBase(2);
        final Result r = run(Map.of("SWITCHYARD_CLIENT_PORT_BASE", String.valueOf(client),
            "SWITCHYARD_HTTP_PORT_BASE", String.valueOf(http)), "2", String.valueOf(cluster));
        assertEquals(0, r.status(), r.err());
        final String started = Files.readString(dir.resolve("started"));
        for (int i = 0; i < 2; i++)
        {
            assertTrue(started.contains("--cluster 127.0.0.1:" + (cluster + i)), started);
            assertTrue(started.contains("--bind 127.0.0.1:" + (client + i) + " --http-port " + (http + i)), started);
        }
    }

    @Test
    void aClusterPortInUseStopsTheScriptBeforeAnyNodeStarts() throws Exception
    {
        try (ServerSocket held = new ServerSocket())
        {
            held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final Result r = run(Map.of(), "2", String.valueOf(held.getLocalPort()));
            assertEquals(2, r.status(), r.err());
            assertEquals("local-cluster.sh: cluster port " + held.getLocalPort() + " of node 0 is in use (BASE_PORT is " +
                held.getLocalPort() + "; pass another as the third argument)", r.err());
        }
        assertFalse(Files.exists(dir.resolve("started")), "no node was started");
    }

    @Test
    void aClientOrHttpPortInUseStopsTheScriptBeforeAnyNodeStarts() throws Exception
    {
        final int cluster = freeBase(2);
        try (DatagramSocket held = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final int base = held.getLocalPort() - 1;
            final Result r = run(Map.of("SWITCHYARD_CLIENT_PORT_BASE", String.valueOf(base)), "2",
                String.valueOf(cluster));
            assertEquals(2, r.status(), r.err());
            assertEquals("local-cluster.sh: client port " + held.getLocalPort() + " of node 1 is in use (set " +
                "SWITCHYARD_CLIENT_PORT_BASE, now " + base + ")", r.err());
        }
        try (ServerSocket held = new ServerSocket())
        {
            held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final Result r = run(Map.of("SWITCHYARD_CLIENT_PORT_BASE", String.valueOf(freeBase(2)),
                "SWITCHYARD_HTTP_PORT_BASE", String.valueOf(held.getLocalPort())), "2", String.valueOf(cluster));
            assertEquals(2, r.status(), r.err());
            assertTrue(r.err().startsWith("local-cluster.sh: HTTP port " + held.getLocalPort() + " of node 0 is in use"),
                r.err());
        }
        assertFalse(Files.exists(dir.resolve("started")), "no node was started");
        final Result bad = run(Map.of("SWITCHYARD_HTTP_PORT_BASE", "65535"), "2", String.valueOf(cluster));
        assertEquals(2, bad.status(), bad.err());
        assertEquals("local-cluster.sh: SWITCHYARD_HTTP_PORT_BASE must be a port from 1 to 65534 (got '65535')",
            bad.err());
    }
}
