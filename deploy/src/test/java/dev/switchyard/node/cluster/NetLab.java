package dev.switchyard.node.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The network lab of {@code deploy/scripts/netlab.sh} for a test: hosts (network namespaces) on a
 * bridge, each with its own address and MTU 1500; the test JVM is on the bridge too, as a client
 * host. Closing (or the JVM's end, if the test never gets to close it) kills every process on the
 * lab's hosts and removes namespaces, links and the media drivers' directories.
 */
final class NetLab implements AutoCloseable
{
    /** Names and net of the test's lab, apart from a lab run by hand (sylab, 10.77.0). */
    static final String PREFIX = "sylabit";
    static final String NET = "10.79.0";

    private final Path script;
    private final Thread onExit = new Thread(this::down, "netlab teardown");

    private NetLab(final Path script)
    {
        this.script = script;
    }

    /**
     * Why the lab cannot run here, or null when it can: namespaces need root (CAP_NET_ADMIN) and
     * iproute2.
     */
    static String unavailableBecause()
    {
        try
        {
            final String status = Files.readString(Path.of("/proc/self/status"));
            if (!status.lines().anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0")))
            {
                return "not root: network namespaces need CAP_NET_ADMIN";
            }
            final Result probe = run(List.of("ip", "netns", "list"));
            return probe.status == 0 ? null : "'ip netns list' failed: " + probe.output;
        }
        catch (final IOException ex)
        {
            return "no /proc or no 'ip' command: " + ex.getMessage();
        }
    }

    /** Creates {@code hosts} hosts (a lab left over by an earlier run is removed first). */
    static NetLab up(final int hosts) throws IOException
    {
        final NetLab lab = new NetLab(script());
        Runtime.getRuntime().addShutdownHook(lab.onExit);
        final Result r = lab.script("up", Integer.toString(hosts));
        if (r.status != 0)
        {
            lab.close();
            throw new AssertionError("netlab.sh up " + hosts + " failed: " + r.output);
        }
        return lab;
    }

    private static Path script()
    {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
        {
            final Path s = dir.resolve("deploy/scripts/netlab.sh");
            if (Files.isRegularFile(s))
            {
                return s;
            }
        }
        throw new AssertionError("deploy/scripts/netlab.sh not found above " + Path.of("").toAbsolutePath());
    }

    String address(final int host)
    {
        return NET + "." + (10 + host);
    }

    /** What runs a command on {@code host}: {@code ip netns exec} execs it, so its pid is the command's. */
    List<String> on(final int host)
    {
        return List.of("ip", "netns", "exec", PREFIX + "-" + host);
    }

    /** The host's link goes down: it is cut off from every other host and from clients. */
    void cut(final int host) throws IOException
    {
        check(script("cut", Integer.toString(host)), "cut");
    }

    void heal(final int host) throws IOException
    {
        check(script("heal", Integer.toString(host)), "heal");
    }

    /** Split brain: {@code hosts} reach each other and no one else until {@link #join()}. */
    void split(final int... hosts) throws IOException
    {
        final List<String> args = new ArrayList<>(List.of("split"));
        for (final int h : hosts)
        {
            args.add(Integer.toString(h));
        }
        check(script(args.toArray(new String[0])), "split");
    }

    void join() throws IOException
    {
        check(script("join"), "join");
    }

    /** Runs {@code command} on {@code host} to its end. */
    void onHost(final int host, final String... command) throws IOException
    {
        final List<String> full = new ArrayList<>(on(host));
        full.addAll(List.of(command));
        check(run(full), String.join(" ", command));
    }

    /** A media driver directory that teardown removes. */
    static String aeronDir(final String name)
    {
        return "/dev/shm/" + PREFIX + "-" + name;
    }

    /** Removes the media drivers' directories of nodes run without a lab (on loopback, as a baseline). */
    static void removeAeronDirs() throws IOException
    {
        try (var dirs = Files.newDirectoryStream(Path.of("/dev/shm"), PREFIX + "-*"))
        {
            for (final Path dir : dirs)
            {
                try (var tree = Files.walk(dir))
                {
                    for (final Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList())
                    {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private void down()
    {
        try
        {
            script("down");
        }
        catch (final IOException ex)
        {
            System.err.println("netlab teardown failed: " + ex);
        }
    }

    @Override
    public void close()
    {
        down();
        try
        {
            Runtime.getRuntime().removeShutdownHook(onExit);
        }
        catch (final IllegalStateException ex)
        {
            // Already shutting down: the hook runs (or ran) the same teardown.
        }
    }

    private Result script(final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("env", "NETLAB_PREFIX=" + PREFIX, "NETLAB_NET=" + NET,
            script.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    private static void check(final Result r, final String what)
    {
        if (r.status != 0)
        {
            throw new AssertionError("netlab.sh " + what + " failed: " + r.output);
        }
    }

    private record Result(int status, String output)
    {
    }

    private static Result run(final List<String> command) throws IOException
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            if (!p.waitFor(60, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", command) + " did not end within 60 s");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return new Result(-1, "interrupted");
        }
    }
}
