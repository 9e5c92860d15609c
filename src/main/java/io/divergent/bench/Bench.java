package io.divergent.bench;

import io.divergent.config.ConfigKeys;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * {@code divergent bench}. By default each contender runs over each workload in a JVM of its own
 * ({@link Fork}; {@code forks} of them, one after the other): its own embedded broker, the
 * workload's input filled, {@code warmups} unmeasured runs, then {@code reps} measured runs. Without forking, as before issue #16's seventh pass: one
 * embedded broker, each workload's input filled once, every contender run over it {@code reps}
 * times, interleaved (B0, B1, B2, B3, P, B0, ...) so that a change in the machine's load hits them
 * alike, {@code warmups} unmeasured rounds first; faster, but the contenders share the JIT's profiles.
 */
public final class Bench {

    /**
     * @param records       input records per workload
     * @param workloads     the workloads, in order
     * @param contenders    the contenders, in order
     * @param reps          measured runs per workload and contender
     * @param warmups       unmeasured rounds first (on the first workload), 0 for none
     * @param restoreCounts counts for the restore measurement, 0 to skip it
     * @param forks         JVMs of its own each contender runs over each workload in, one after the
     *                      other, their reps pooled (then {@code warmups} are runs in each JVM, on
     *                      its workload); 0: every contender in this JVM, interleaved
     * @param out           progress lines and the final table
     */
    public record Options(long records, List<Workload> workloads, List<Contender> contenders, int reps,
                          int warmups, long restoreCounts, int forks, Map<String, String> settings, PrintStream out) {

        /** @throws io.divergent.config.ConfigException when a setting is not a valid key and value of the contenders' configuration */
        public Options {
            settings = Map.copyOf(settings);
            BenchRunner.checkSettings(settings);
        }
    }

    /**
     * The hidden {@code bench} option that makes a JVM a forked child: the file its measurements
     * go to (JSON), read back by the parent.
     */
    public static final String FORK_CHILD_OPTION = "--fork-child";

    private Bench() {
    }

    /** Runs everything the options ask for; returns the medians and ratios. */
    public static BenchReport run(final Options options) {
        final BenchReport report = new BenchReport();
        setup(report, options);
        if (options.forks() > 0) {
            forked(options, report);
        } else {
            inOneJvm(options, report);
        }
        report.setup("load_average_end", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return report;
    }

    /**
     * A forked child's part: the contenders over the workloads in this JVM, no restore; writes the
     * measurements to a file for the parent ({@link #FORK_CHILD_OPTION}).
     */
    public static void child(final Options options, final Path measurements) throws IOException {
        final BenchReport report = new BenchReport();
        inOneJvm(new Options(options.records(), options.workloads(), options.contenders(), options.reps(),
                options.warmups(), 0, 0, options.settings(), options.out()), report);
        Fork.writeMeasurements(measurements, report.measurements());
    }

    private static void forked(final Options options, final BenchReport report) {
        for (final Workload workload : options.workloads()) {
            for (final Contender contender : runnable(options, workload, report)) {
                for (int fork = 1; fork <= options.forks(); fork++) {
                    Fork.run(workload, contender, options.records(), options.reps(), options.warmups(),
                            options.settings(), options.out())
                            .forEach(report::add);
                }
            }
        }
        if (options.restoreCounts() > 0) {
            try (BenchRunner runner = BenchRunner.start(options.out(), options.settings())) {
                report.restore(RestoreBench.run(runner, options.restoreCounts(), options.out()));
            }
        }
    }

    /** The contenders that can run a workload; each of the others is logged and reported as skipped. */
    private static List<Contender> runnable(final Options options, final Workload workload, final BenchReport report) {
        options.contenders().stream().filter(c -> !c.runsOn(workload)).forEach(c -> {
            options.out().println("  skipped  " + c.whyNot(workload));
            report.skip(workload.name(), c.whyNot(workload));
        });
        return options.contenders().stream().filter(c -> c.runsOn(workload)).toList();
    }

    private static void inOneJvm(final Options options, final BenchReport report) {
        final PrintStream out = options.out();
        try (BenchRunner runner = BenchRunner.start(out, options.settings())) {
            boolean warm = options.warmups() == 0;
            for (final Workload workload : options.workloads()) {
                final BenchRunner.Input input = runner.fill(workload, options.records());
                final List<Contender> contenders = runnable(options, workload, report);
                if (!warm) {
                    for (int round = 1; round <= options.warmups(); round++) {
                        for (final Contender contender : contenders) {
                            print(out, "warm-up", runner.run(contender, input));
                        }
                    }
                    warm = true;
                }
                for (int rep = 1; rep <= options.reps(); rep++) {
                    for (final Contender contender : contenders) {
                        final Measurement m = runner.run(contender, input);
                        report.add(m);
                        print(out, "rep " + rep, m);
                    }
                }
                runner.drop(input);
            }
            if (options.restoreCounts() > 0) {
                report.restore(RestoreBench.run(runner, options.restoreCounts(), out));
            }
        }
    }

    /**
     * Measures the latency of live traffic ({@link LatencyBench}): 10 s of 200 records a second
     * on an embedded broker, then the stop; prints p50, p99 and max per phase.
     */
    public static void latency(final PrintStream out) {
        try (BenchRunner runner = BenchRunner.start(out)) {
            final LatencyBench.Result result = LatencyBench.run(runner.bootstrapServers(), 10, 200, out);
            out.println("window end + grace -> readable (read_committed), ms: windows, p50, p99, max");
            for (final Map.Entry<String, LatencyBench.Figures> phase : Map.of("flowing", result.flowing(),
                    "after stop", result.stopped()).entrySet()) {
                final LatencyBench.Figures f = phase.getValue();
                out.printf(java.util.Locale.ROOT, "  %-10s %4d %6d %6d %6d%n", phase.getKey(), f.windows(), f.p50(), f.p99(), f.max());
            }
        }
    }

    private static void print(final PrintStream out, final String label, final Measurement m) {
        out.printf(Locale.ROOT, "  %-8s %-16s %-3s %,10.0f rec/s  %6.2f CPU s/M  %,7.0f B alloc/rec  %7.2f B changelog/rec  "
                        + "%5.0f MiB heap%s%n", label, m.workload(), m.contender(), m.recordsPerSecond(),
                m.cpuSecondsPerMillion(), m.allocatedBytesPerRecord(), m.changelogBytesPerRecord(), m.peakHeapMiB(),
                m.expectedWindows() < 0 ? "" : String.format(Locale.ROOT, "  windows %,d/%,d", m.emittedWindows(),
                        m.expectedWindows()) + (m.uncounted() > 0
                        ? String.format(Locale.ROOT, "  LEFT OUT %,d records", m.uncounted()) : ""));
    }

    private static void setup(final BenchReport report, final Options options) {
        report.setup("records_per_workload", options.records());
        report.setup("reps", options.reps());
        report.setup("statistic", "median of reps");
        report.setup("jvms", options.forks() > 0 ? options.forks() + " per contender and workload, one after the other "
                + "(each its own broker; the warm-up runs, then the reps; the reps of all pooled)"
                : "one for every contender, runs interleaved (warm-up rounds on the first workload)");
        report.setup("warmups", options.warmups());
        report.setup("processing_guarantee", "exactly_once_v2 (B1, B2, B3, P)");
        if (!options.settings().isEmpty()) {
            report.setup("divergent_settings", new java.util.TreeMap<>(options.settings()));
        }
        report.setup("stream_threads", ConfigKeys.defaultStreamThreads()
                + " per instance (B1, B2, B3, P: Divergent's default); Flink parallelism 2");
        report.setup("allocation_measure", "com.sun.management.ThreadMXBean allocated bytes of the contender's threads");
        report.setup("peak_heap_measure", "sum of the heap pools' peak usage, reset after a System.gc() before each run; "
                + "the broker and the harness share the heap");
        report.setup("available_processors", Runtime.getRuntime().availableProcessors());
        report.setup("cpu_model", cpuModel());
        report.setup("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        report.setup("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        report.setup("load_average_start", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (final IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }
}
