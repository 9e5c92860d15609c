package io.divergent.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one contender over one workload in a JVM of its own, as JMH forks one per benchmark: in a
 * JVM that has run other contenders first, the JIT has compiled Kafka Streams' shared paths
 * (stores, caches, serdes, the record collector) for their types too, and a contender built on
 * those paths (B3) then runs 2-2.8x slower than alone (issue #16, seventh pass). The child is
 * this JVM's {@code java}, JVM options and class path running
 * {@code bench --workloads W --contenders C ... --fork-child FILE} ({@link Bench#child}): its own embedded broker, the
 * workload's input filled, the warm-up runs, the reps; it writes its measurements to the file.
 * Its output is copied to the parent's, each line prefixed with the contender's name.
 */
final class Fork {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** JVM options not passed on: agents, debuggers and recordings bind a port or a file of their own. */
    private static final List<String> NOT_INHERITED = List.of("-agentlib:", "-agentpath:", "-javaagent:", "-Xrunjdwp",
            "-XX:StartFlightRecording", "-XX:FlightRecorderOptions");

    private Fork() {
    }

    /**
     * Measures a contender on a workload in a child JVM.
     *
     * @return the child's measured runs (the warm-up runs not among them)
     * @throws IllegalStateException when the child cannot start, fails (exit code and its output
     *                               above in {@code out}) or outlives a generous bound
     */
    static List<Measurement> run(final Workload workload, final Contender contender, final long records, final int reps,
                                 final int warmups, final Map<String, String> settings, final PrintStream out) {
        final Path file;
        try {
            file = Files.createTempFile("divergent-bench-" + workload.name() + "-" + contender.name() + "-", ".json");
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        final List<String> command = command(workload, contender, records, reps, warmups, settings, file);
        final Process child;
        try {
            child = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (final IOException e) {
            throw new IllegalStateException("cannot start a JVM for " + contender + " on " + workload.name() + ": " + e, e);
        }
        out.printf("%s on %s: a JVM of its own (pid %d)%n", contender, workload.name(), child.pid());
        final Thread copy = new Thread(() -> copy(child, contender, out), "bench-fork-output-" + child.pid());
        copy.setDaemon(true);
        copy.start();
        final Duration bound = BenchRunner.timeout(records).multipliedBy((long) reps + warmups).plusMinutes(2);
        try {
            if (!child.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                child.destroyForcibly();
                throw new IllegalStateException(contender + " on " + workload.name() + " ran longer than " + bound
                        + " in its JVM (pid " + child.pid() + "); killed");
            }
            copy.join(TimeUnit.SECONDS.toMillis(10));
            if (child.exitValue() != 0) {
                throw new IllegalStateException(contender + " on " + workload.name() + " failed in its JVM (pid "
                        + child.pid() + ", exit code " + child.exitValue() + "); its output is above");
            }
            return JSON.readValue(file.toFile(), new TypeReference<List<Measurement>>() { });
        } catch (final InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (final IOException e) {
            throw new IllegalStateException("cannot read the measurements of " + contender + " on " + workload.name()
                    + " from " + file + ": " + e, e);
        } finally {
            file.toFile().delete();
        }
    }

    /** Writes a child's measurements where its parent reads them. */
    static void writeMeasurements(final Path file, final List<Measurement> measurements) throws IOException {
        JSON.writeValue(file.toFile(), measurements);
    }

    /** This JVM's java, its options (but {@link #NOT_INHERITED}) and class path, running the child's bench. */
    static List<String> command(final Workload workload, final Contender contender, final long records, final int reps,
                                final int warmups, final Map<String, String> settings, final Path file) {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (NOT_INHERITED.stream().noneMatch(option::startsWith)) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), io.divergent.cli.Main.class.getName(),
                "bench", "--workloads", workload.name(), "--contenders", contender.name(),
                "--records", Long.toString(records), "--reps", Integer.toString(reps), "--warmups", Integer.toString(warmups),
                Bench.FORK_CHILD_OPTION, file.toString()));
        settings.forEach((key, value) -> command.addAll(List.of("--set", key + "=" + value)));
        return command;
    }

    private static void copy(final Process child, final Contender contender, final PrintStream out) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                out.println("[" + contender + "] " + line);
            }
        } catch (final IOException e) {
            out.println("[" + contender + "] (its output could not be read further: " + e + ")");
        }
    }
}
