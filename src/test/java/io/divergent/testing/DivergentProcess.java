package io.divergent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar divergent.jar run --config FILE} as a separate operating-system process, for
 * tests that crash the application for real.
 *
 * <p>Contract:
 * <ul>
 *   <li>The jar is the shaded one failsafe names in the system property {@value #JAR_PROPERTY}.</li>
 *   <li>The child's stdout and stderr go to one log file (appended to, so restarts sharing a
 *       file keep the history), which {@link #logTail()} shows for failure messages.</li>
 *   <li>{@link #kill()} sends SIGKILL ({@link Process#destroyForcibly()} on Linux): no shutdown
 *       hook runs, nothing is flushed or committed. {@link #close()} kills too, so a
 *       try-with-resources or an {@code @AfterEach} leaves no child behind; a shutdown hook of
 *       this JVM kills whatever is still running if the test JVM itself stops early.</li>
 * </ul>
 */
public final class DivergentProcess implements AutoCloseable {

    /** The system property holding the path of the runnable jar. */
    public static final String JAR_PROPERTY = "divergent.jar";

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final int TAIL_LINES = 60;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "divergent-process-reaper"));
    }

    private final Process process;
    private final Path log;

    private DivergentProcess(final Process process, final Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code divergent run --config config} in a new JVM with a small heap.
     *
     * @param config a {@code .properties} file for {@code run}
     * @param log    the file the child's stdout and stderr are appended to; its directory is created
     * @return the running child (it may still fail at startup: see {@link #isAlive()})
     * @throws IllegalStateException if {@value #JAR_PROPERTY} does not name an existing jar
     * @throws UncheckedIOException  if the process cannot be started
     */
    public static DivergentProcess run(final Path config, final Path log) {
        return start(config, log, List.of(), false);
    }

    /**
     * As {@link #run(Path, Path)}, with system properties for the child and this module's test
     * classes on its class path (after the jar), for test-only plug-ins such as {@link HaltAfterAcks}.
     *
     * @param properties {@code -D} system properties of the child ({@code name=value}), possibly none
     */
    public static DivergentProcess run(final Path config, final Path log, final List<String> properties) {
        return start(config, log, properties, true);
    }

    private static DivergentProcess start(final Path config, final Path log, final List<String> properties,
                                          final boolean withTestClasses) {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // Small and quick to start: the work of a test is seconds, not a JIT's steady state.
        Collections.addAll(command, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "-Dlog4j2.configurationFile=" + childLogConfig());
        properties.forEach(p -> command.add("-D" + p));
        if (!withTestClasses) {
            Collections.addAll(command, "-jar", jar().toString());
        } else {
            Collections.addAll(command, "-cp", jar() + java.io.File.pathSeparator + testClasses(), "io.divergent.cli.Main");
        }
        Collections.addAll(command, "run", "--config", config.toString());
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, "=== " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            final Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            RUNNING.add(process);
            return new DivergentProcess(process, log);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private static String testClasses() {
        try {
            return Paths.get(DivergentProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (final java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate the test classes", e);
        }
    }

    /** Kafka Streams' task lifecycle and the consumer's offset fetches at INFO: a stall can be read from the log. */
    private static String childLogConfig() {
        final URL config = DivergentProcess.class.getResource("/log4j2-child.properties");
        if (config == null) {
            throw new IllegalStateException("log4j2-child.properties is not on the test classpath");
        }
        return config.toString();
    }

    /**
     * The runnable jar from {@value #JAR_PROPERTY}.
     *
     * @throws IllegalStateException if the property is unset or the file is missing
     */
    public static Path jar() {
        final String name = System.getProperty(JAR_PROPERTY);
        if (name == null || !Files.isRegularFile(Paths.get(name))) {
            throw new IllegalStateException("system property " + JAR_PROPERTY + " must name the shaded jar (failsafe sets it; "
                    + "build it with mvn package), got " + name);
        }
        return Paths.get(name);
    }

    /** Whether the child is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child's exit status, or empty while it runs. */
    public java.util.OptionalInt exitStatus() {
        return process.isAlive() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(process.exitValue());
    }

    /** The child's operating-system process id. */
    public long pid() {
        return process.pid();
    }

    /**
     * Kills the child with SIGKILL and waits (at most 30 s) until it is gone. Does nothing if it
     * has already exited.
     *
     * @throws IllegalStateException if the child is still alive after the wait
     */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("process " + process.pid() + " survived SIGKILL for 30 s");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing process " + process.pid(), e);
        } finally {
            RUNNING.remove(process);
        }
    }

    /**
     * The last lines of the child's log (of every run sharing the log file), for failure messages.
     *
     * @return the tail, or a note saying why the log cannot be read
     */
    public String logTail() {
        return tail(log);
    }

    /**
     * The last lines of a log file, for failure messages.
     *
     * @return the tail, or a note saying why the file cannot be read
     */
    public static String tail(final Path log) {
        try {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of " + log + " ---" + System.lineSeparator()
                    + String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (final IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Kills the child if it still runs (SIGKILL). */
    @Override
    public void close() {
        kill();
    }
}
