package io.divergent.bench;

import java.util.List;

/**
 * The figures of one run of one contender over one workload's input.
 *
 * @param workload        workload name
 * @param contender       what ran
 * @param records         input records consumed
 * @param wallNanos       wall time of the consume phase: from the contender's first records read
 *                        ({@link FirstRecordClock}; B0: its first poll) until every record was
 *                        consumed (and, for B3, P and B4, every closable window emitted; B4 also
 *                        until its window operator has counted every record)
 * @param cpuNanos        CPU time of the contender's threads over that phase
 * @param allocatedBytes  bytes allocated by the contender's threads over that phase
 * @param changelogBytes  bytes appended to the contender's changelog topics (0 without state)
 * @param peakHeapBytes   peak heap use during the run (sum of the heap pools' peaks; the broker
 *                        and the harness share the heap)
 * @param emittedWindows  window results emitted (B3, P), or -1
 * @param expectedWindows windows that close by the last record's event time, or -1
 * @param uncounted       input records the contender left out of its windows (late ones above
 *                        all): P's dead-letter kinds ({@code <kind>-records-total}), B3's Kafka
 *                        Streams {@code dropped-records-total}, and for B4 the records its windows
 *                        hold short of what the closed windows hold ({@link SyntheticEvents.Closing});
 *                        -1 where not measured (B0-B2, which keep no windows)
 * @param instanceCpuNanos CPU time of each instance's threads, for a contender of several
 *                        instances (P2, P3); empty otherwise
 */
public record Measurement(String workload, Contender contender, long records, long wallNanos, long cpuNanos,
                          long allocatedBytes, long changelogBytes, long peakHeapBytes, long emittedWindows,
                          long expectedWindows, long uncounted, List<Long> instanceCpuNanos) {

    /** Copies the per-instance list. */
    public Measurement {
        instanceCpuNanos = List.copyOf(instanceCpuNanos);
    }

    /**
     * Each instance's share of the contender's CPU time (summing to about 1; the threads shared by
     * no instance are none), in instance order; empty for a single instance.
     */
    public List<Double> instanceCpuShares() {
        final double total = instanceCpuNanos.stream().mapToLong(Long::longValue).sum();
        return instanceCpuNanos.stream().map(cpu -> total > 0 ? cpu / total : 0.0).toList();
    }

    /** Input records per second of wall time. */
    public double recordsPerSecond() {
        return records * 1e9 / wallNanos;
    }

    /** CPU seconds per million input records. */
    public double cpuSecondsPerMillion() {
        return cpuNanos / 1e9 / (records / 1e6);
    }

    /** Bytes allocated per input record. */
    public double allocatedBytesPerRecord() {
        return (double) allocatedBytes / records;
    }

    /** Changelog bytes per input record. */
    public double changelogBytesPerRecord() {
        return (double) changelogBytes / records;
    }

    /** Peak heap, MiB. */
    public double peakHeapMiB() {
        return peakHeapBytes / (1024.0 * 1024.0);
    }
}
