package io.divergent.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The medians of the measured runs per workload and contender, the ratios against the targets
 * of issue #6, as a Markdown table and as JSON.
 */
public final class BenchReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Map<Contender, List<Measurement>>> runs = new LinkedHashMap<>();
    private final Map<String, Object> setup = new LinkedHashMap<>();
    private RestoreBench.Result restore;
    /** Contenders not run on a workload, with why, by workload. */
    private final Map<String, List<String>> skipped = new LinkedHashMap<>();

    /** Adds one measured run. */
    public void add(final Measurement measurement) {
        runs.computeIfAbsent(measurement.workload(), w -> new LinkedHashMap<>())
                .computeIfAbsent(measurement.contender(), c -> new ArrayList<>()).add(measurement);
    }

    /** Records that a contender was not run on a workload, and why (shown in the table and the JSON). */
    public void skip(final String workload, final String why) {
        skipped.computeIfAbsent(workload, w -> new ArrayList<>()).add(why);
    }

    /** Records a fact about the setup for the JSON (records, reps, JVM...). */
    public void setup(final String key, final Object value) {
        setup.put(key, value);
    }

    /** The facts about the setup recorded so far, by key (read-only). */
    public Map<String, Object> setup() {
        return java.util.Collections.unmodifiableMap(setup);
    }

    /** Sets the restoration figure. */
    public void restore(final RestoreBench.Result result) {
        this.restore = result;
    }

    /** The median over the runs of a workload and contender, or NaN without runs. */
    public double median(final String workload, final Contender contender, final ToDoubleFunction<Measurement> figure) {
        final List<Measurement> list = runs.getOrDefault(workload, Map.of()).getOrDefault(contender, List.of());
        if (list.isEmpty()) {
            return Double.NaN;
        }
        final double[] values = list.stream().mapToDouble(figure).sorted().toArray();
        final int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /** P's records/s divided by a contender's, medians; NaN if either is missing. */
    public double ratio(final String workload, final Contender against) {
        return median(workload, Contender.P, Measurement::recordsPerSecond)
                / median(workload, against, Measurement::recordsPerSecond);
    }

    /**
     * Whether every windowed contender emitted the expected number of windows in every run of a
     * workload, and none left a record out of its windows ({@link Measurement#uncounted()}): only
     * then did they all do the same work.
     */
    public boolean windowsConsistent(final String workload) {
        final Map<Contender, List<Measurement>> byContender = runs.getOrDefault(workload, Map.of());
        return byContender.values().stream().flatMap(List::stream).filter(m -> m.expectedWindows() >= 0)
                .allMatch(m -> m.emittedWindows() == m.expectedWindows() && m.uncounted() <= 0);
    }

    /** The most records a contender left out of its windows in one run of a workload, or -1 if not measured. */
    private long uncounted(final String workload, final Contender contender) {
        return runs.get(workload).get(contender).stream().mapToLong(Measurement::uncounted).max().orElse(-1);
    }

    /** The Markdown table of medians, then the ratios. */
    public void printTable(final PrintStream out) {
        out.println("| workload | contender | records/s | CPU s / M records | alloc B / record | changelog B / record | peak heap MiB | windows emitted | records left out |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for (final String workload : runs.keySet()) {
            for (final Contender c : runs.get(workload).keySet()) {
                final List<Measurement> list = runs.get(workload).get(c);
                final long uncounted = uncounted(workload, c);
                out.printf(Locale.ROOT, "| %s | %s | %,.0f | %.2f | %,.0f | %.2f | %.0f | %s | %s |%n", workload, c,
                        median(workload, c, Measurement::recordsPerSecond),
                        median(workload, c, Measurement::cpuSecondsPerMillion),
                        median(workload, c, Measurement::allocatedBytesPerRecord),
                        median(workload, c, Measurement::changelogBytesPerRecord),
                        median(workload, c, Measurement::peakHeapMiB),
                        list.get(0).expectedWindows() < 0 ? "-" : String.format(Locale.ROOT, "%,d / %,d expected",
                                list.get(0).emittedWindows(), list.get(0).expectedWindows()),
                        uncounted < 0 ? "-" : String.format(Locale.ROOT, "%,d", uncounted));
            }
        }
        out.println();
        out.println("| workload | P/B0 | P/B1 (target >= 0.5 where P needs no repartition) | P/B2 (target >= 0.5) "
                + "| P/B3 (target >= 3) | P/B4H | P/B4R (target >= 1) | changelog B3/P (target >= 10) | windows equal |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        for (final String workload : runs.keySet()) {
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", workload,
                    cell(ratio(workload, Contender.B0), 2), cell(ratio(workload, Contender.B1), 2),
                    cell(ratio(workload, Contender.B2), 2), cell(ratio(workload, Contender.B3), 2),
                    cell(ratio(workload, Contender.B4H), 2), cell(ratio(workload, Contender.B4R), 2),
                    cell(changelogRatio(workload), 1), windowsConsistent(workload) ? "yes" : "NO");
        }
        for (final String workload : runs.keySet()) {
            final double pk = pkOverP(workload);
            if (Double.isFinite(pk)) {
                out.printf(Locale.ROOT, "%n%s PK/P (no observations repartition), records/s: %.2f", workload, pk);
            }
        }
        skipped.forEach((workload, lines) -> lines.forEach(line -> out.printf(Locale.ROOT, "%nSkipped: %s", line)));
        for (final String workload : runs.keySet()) {
            for (final Contender c : runs.get(workload).keySet()) {
                final List<Measurement> list = runs.get(workload).get(c);
                if (!list.get(0).instanceCpuNanos().isEmpty()) {
                    out.printf(Locale.ROOT, "%n%s %s, each instance's share of the CPU time, per run: %s", workload, c,
                            String.join("; ", list.stream().map(m -> String.join(" / ", m.instanceCpuShares().stream()
                                    .map(share -> String.format(Locale.ROOT, "%.2f", share)).toList())).toList()));
                }
            }
        }
        out.println();
        final double hop = hoppingPerRecordCost();
        if (!Double.isNaN(hop)) {
            out.printf(Locale.ROOT, "%nP hopping 60 s / 10 s vs tumbling-64, wall time per record: %.2fx (target <= 1.5x)%n", hop);
        }
        if (restore != null) {
            out.printf(Locale.ROOT, "Restore: %,d counts (%,d changelog records in all) restored in %.2f s; "
                            + "fresh instance RUNNING after %.2f s%n", restore.countRecords(), restore.restoredRecords(),
                    restore.restoreNanos() / 1e9, restore.runningNanos() / 1e9);
        }
    }

    /** A figure with some decimals, or "-" when it is missing (a contender that did not run). */
    private static String cell(final double value, final int decimals) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : "-";
    }

    /** PK's records/s over P's, medians; NaN if either did not run. */
    public double pkOverP(final String workload) {
        return median(workload, Contender.PK, Measurement::recordsPerSecond)
                / median(workload, Contender.P, Measurement::recordsPerSecond);
    }

    private double changelogRatio(final String workload) {
        return median(workload, Contender.B3, Measurement::changelogBytesPerRecord)
                / median(workload, Contender.P, Measurement::changelogBytesPerRecord);
    }

    /** P's wall time per record on hopping windows over tumbling-64's, or NaN if either did not run. */
    public double hoppingPerRecordCost() {
        return median("tumbling-64", Contender.P, Measurement::recordsPerSecond)
                / median("hopping-60s-10s", Contender.P, Measurement::recordsPerSecond);
    }

    /** The machine-readable summary. */
    public ObjectNode toJson() {
        final ObjectNode root = JSON.createObjectNode();
        root.set("setup", JSON.valueToTree(setup));
        final ArrayNode workloads = root.putArray("workloads");
        for (final String workload : runs.keySet()) {
            final ObjectNode w = workloads.addObject();
            w.put("name", workload);
            final ObjectNode contenders = w.putObject("contenders");
            for (final Contender c : runs.get(workload).keySet()) {
                final List<Measurement> list = runs.get(workload).get(c);
                final ObjectNode node = contenders.putObject(c.name());
                node.put("description", c.description());
                node.put("runs", list.size());
                node.put("records", list.get(0).records());
                node.put("records_per_second", median(workload, c, Measurement::recordsPerSecond));
                node.put("cpu_seconds_per_million_records", median(workload, c, Measurement::cpuSecondsPerMillion));
                node.put("allocated_bytes_per_record", median(workload, c, Measurement::allocatedBytesPerRecord));
                node.put("changelog_bytes_per_record", median(workload, c, Measurement::changelogBytesPerRecord));
                node.put("peak_heap_mib", median(workload, c, Measurement::peakHeapMiB));
                if (list.get(0).expectedWindows() >= 0) {
                    node.put("windows_emitted", list.get(0).emittedWindows());
                    node.put("windows_expected", list.get(0).expectedWindows());
                }
                if (uncounted(workload, c) >= 0) {
                    node.set("records_left_out_each_run", JSON.valueToTree(
                            list.stream().mapToLong(Measurement::uncounted).toArray()));
                }
                node.set("records_per_second_each_run", JSON.valueToTree(
                        list.stream().mapToDouble(Measurement::recordsPerSecond).toArray()));
                if (!list.get(0).instanceCpuNanos().isEmpty()) {
                    node.set("instance_cpu_shares_each_run", JSON.valueToTree(
                            list.stream().map(Measurement::instanceCpuShares).toList()));
                }
            }
            final ObjectNode ratios = w.putObject("ratios");
            for (final Contender against : List.of(Contender.B0, Contender.B1, Contender.B2, Contender.B3,
                    Contender.B4H, Contender.B4R)) {
                putFinite(ratios, "P/" + against.name(), ratio(workload, against));
            }
            putFinite(ratios, "changelog_B3/P", changelogRatio(workload));
            putFinite(ratios, "PK/P", pkOverP(workload));
            w.put("windows_consistent", windowsConsistent(workload));
            if (skipped.containsKey(workload)) {
                w.set("skipped", JSON.valueToTree(skipped.get(workload)));
            }
        }
        putFinite(root, "hopping_vs_tumbling_wall_per_record", hoppingPerRecordCost());
        if (restore != null) {
            final ObjectNode r = root.putObject("restore");
            r.put("count_records", restore.countRecords());
            r.put("restored_records", restore.restoredRecords());
            r.put("restore_seconds", restore.restoreNanos() / 1e9);
            r.put("seconds_to_running", restore.runningNanos() / 1e9);
            r.put("changelog_bytes", restore.changelogBytes());
        }
        return root;
    }

    /** Writes {@link #toJson()} to a file. */
    public void writeJson(final Path file) throws IOException {
        JSON.writeValue(file.toFile(), toJson());
    }

    private static void putFinite(final ObjectNode node, final String key, final double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        } else {
            node.putNull(key);
        }
    }

    /** Every measured run, by workload, then contender, then in the order added. */
    public List<Measurement> measurements() {
        return runs.values().stream().flatMap(byContender -> byContender.values().stream()).flatMap(List::stream).toList();
    }

    /** Used by tests: the contenders measured for a workload. */
    List<Contender> contenders(final String workload) {
        return List.copyOf(runs.getOrDefault(workload, Map.of()).keySet());
    }
}
