package dev.switchyard.node.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchyard.node.system.SwitchyardNode;
import dev.switchyard.testkit.Threads;

/**
 * One {@code switchyard serve} node in a JVM of its own, started with the test's classpath. Its
 * output (log included) is kept, line by line with the time each line was read, so that a test can
 * wait for what the node says and time it. Closing kills it if it still runs.
 */
final class ServeProcess implements AutoCloseable
{
    private static final Pattern SERVING = Pattern.compile("cluster (\\S+?):(\\d+)(, clients (\\S+?):(\\d+))?,");

    /** A line of output and when it was read ({@link System#nanoTime()}). */
    record Line(String text, long atNs)
    {
    }

    final String name;
    private final List<String> command;
    private final Process process;
    private final List<Line> lines = new ArrayList<>();
    private final Thread reader;

    private ServeProcess(final String name, final List<String> command, final Process process)
    {
        this.name = name;
        this.command = command;
        this.process = process;
        this.reader = new Thread(this::read, "output of " + name);
        reader.setDaemon(true);
        reader.start();
    }

    static ServeProcess start(final String name, final String... serveArgs) throws IOException
    {
        return start(name, List.of(), List.of(), serveArgs);
    }

    /**
     * As {@link #start(String, String...)}, run through {@code prefix} (e.g. {@code ip netns exec NS},
     * which execs the JVM: the pid stays the node's) with {@code jvmOptions} added.
     */
    static ServeProcess start(final String name, final List<String> prefix, final List<String> jvmOptions,
        final String... serveArgs) throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("--add-modules", "jdk.incubator.vector",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            "-Xss4m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            // The node's own logging (the membership log at INFO), not the tests' quieter one.
            "-Dlogback.configurationFile=" + mainLogback(),
            "-cp", System.getProperty("java.class.path"),
            "dev.switchyard.cli.Main", "serve"));
        command.addAll(List.of(serveArgs));
        return new ServeProcess(name, List.copyOf(command), new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** The same node started again (same command, same config) once this one has exited, named {@code newName}. */
    ServeProcess restart(final String newName) throws IOException
    {
        if (process.isAlive())
        {
            throw new IllegalStateException(name + " still runs");
        }
        return new ServeProcess(newName, command, new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    private static String mainLogback()
    {
        // The gateway's logback.xml (in its jar or classes folder), not the test classes' logback-test.xml.
        return Objects.requireNonNull(SwitchyardNode.class.getResource("/logback.xml"), "logback.xml").toString();
    }

    private void read()
    {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                synchronized (lines)
                {
                    lines.add(new Line(line, System.nanoTime()));
                    lines.notifyAll();
                }
            }
        }
        catch (final IOException ex)
        {
            // The process is gone: its output ends here.
        }
    }

    /** The first line matching {@code match}, waiting for it up to {@code timeoutS} seconds. */
    Line await(final Predicate<String> match, final long timeoutS, final String what) throws InterruptedException
    {
        return awaitAfter(Long.MIN_VALUE, match, timeoutS, what);
    }

    /** As {@link #await}, among the lines read after {@code sinceNs}. */
    Line awaitAfter(final long sinceNs, final Predicate<String> match, final long timeoutS, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        synchronized (lines)
        {
            int seen = 0;
            while (true)
            {
                for (; seen < lines.size(); seen++)
                {
                    if ((sinceNs == Long.MIN_VALUE || lines.get(seen).atNs() - sinceNs > 0) &&
                        match.test(lines.get(seen).text()))
                    {
                        return lines.get(seen);
                    }
                }
                final long left = deadline - System.nanoTime();
                if (left <= 0)
                {
                    throw new AssertionError(name + " did not say " + what + " within " + timeoutS + " s; its output:\n" +
                        output());
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Its cluster address and (on a gateway) client address, from the line it prints once serving. */
    String[] addresses(final long timeoutS) throws InterruptedException
    {
        final Matcher m = SERVING.matcher(await(l -> l.startsWith("switchyard serving"), timeoutS, "that it serves").text());
        if (!m.find())
        {
            throw new AssertionError(name + ": unexpected first line");
        }
        return new String[] {m.group(1) + ":" + m.group(2), m.group(3) == null ? null : m.group(4) + ":" + m.group(5)};
    }

    String output()
    {
        final StringBuilder out = new StringBuilder();
        synchronized (lines)
        {
            lines.forEach(l -> out.append(name).append("| ").append(l.text()).append('\n'));
        }
        return out.toString();
    }

    long pid()
    {
        return process.pid();
    }

    /** SIGKILL: the node vanishes without a word to anyone. */
    void kill()
    {
        process.destroyForcibly();
    }

    /** SIGTERM: the node leaves gracefully (its shutdown hook drains and hands its experts off). */
    void terminate()
    {
        process.destroy();
    }

    /** SIGSTOP: the whole process stands still, as in a long stop-the-world pause or a frozen VM. */
    void pause() throws IOException, InterruptedException
    {
        signal("STOP");
    }

    /** SIGCONT: a paused process runs on. */
    void resume() throws IOException, InterruptedException
    {
        signal("CONT");
    }

    private void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    boolean alive()
    {
        return process.isAlive();
    }

    boolean awaitExit(final long timeoutS) throws InterruptedException
    {
        return process.waitFor(timeoutS, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
        process.waitFor(30, TimeUnit.SECONDS);
        Threads.joinOrFail(reader, Duration.ofSeconds(5));
    }
}
