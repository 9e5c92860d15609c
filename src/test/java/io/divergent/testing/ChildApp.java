package io.divergent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code divergent run} in a JVM of its own, as an operator starts it, so that a test can kill it
 * the hard way (SIGKILL: no shutdown hook, no commit, no flush) and start it again.
 *
 * <p>The shaded jar comes from the system property {@value #JAR_PROPERTY} (set by failsafe);
 * output goes to a log file whose end {@link #toString()} shows, for assertion messages.
 */
public final class ChildApp implements AutoCloseable {

    /** System property naming {@code target/divergent.jar}. */
    public static final String JAR_PROPERTY = "divergent.jar";

    private final Process process;
    private final Path log;

    private ChildApp(final Process process, final Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Writes {@code keys} to {@code <dir>/<name>.properties} and starts {@code divergent run} on it.
     *
     * @param dir  a directory of the test's own, for the config file and the log
     * @param name names the files, e.g. {@code instance-1-run-2}
     * @param keys the whole configuration
     * @return the running process; the caller closes (kills) it
     */
    public static ChildApp start(final Path dir, final String name, final Map<String, String> keys) {
        final String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("system property " + JAR_PROPERTY + " must name the shaded jar (run through failsafe), was " + jar);
        }
        try {
            final StringBuilder text = new StringBuilder();
            keys.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
            final Path config = Files.writeString(dir.resolve(name + ".properties"), text);
            final Path log = dir.resolve(name + ".log");
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            final Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-jar", jar, "run", "--config", config.toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            process.getOutputStream().close();
            return new ChildApp(process, log);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot start divergent run", e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, then waits (bounded) until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("process " + process.pid() + " survived SIGKILL for 30 s");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + process.pid(), e);
        }
    }

    /** Kills the process if it still runs. Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    /** The last lines of its output. */
    public String tail() {
        try {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (final IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "divergent run pid " + process.pid() + (process.isAlive() ? " (alive)" : " (exited)") + ", log " + log
                + ":\n" + tail();
    }
}
