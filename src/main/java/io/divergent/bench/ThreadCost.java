package io.divergent.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * CPU time and allocated bytes of the threads whose name matches a predicate, from
 * {@link com.sun.management.ThreadMXBean}. The broker lives in the same JVM, so a contender's
 * cost is the sum over its own threads only (selected by name), as deltas between two
 * snapshots; a thread born between them counts from zero, one that died between them is lost
 * (so snapshots are taken while the contender runs).
 */
final class ThreadCost {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        THREADS.setThreadCpuTimeEnabled(true);
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    /** Per-thread CPU nanoseconds and allocated bytes at one moment, keyed by thread id, and the threads' names. */
    record Snapshot(Map<Long, long[]> byThread, Map<Long, String> names) {

        /** The threads of this snapshot whose name matches. */
        Snapshot only(final Predicate<String> name) {
            final Map<Long, long[]> kept = new HashMap<>();
            byThread.forEach((id, figures) -> {
                if (name.test(names.get(id))) {
                    kept.put(id, figures);
                }
            });
            return new Snapshot(kept, names);
        }

        /**
         * The threads of this snapshot that used the most CPU since {@code before}, busiest first,
         * each as its name and its CPU time as a fraction of {@code wallNanos} (1.0: a whole core).
         */
        List<Map.Entry<String, Double>> busiest(final Snapshot before, final long wallNanos, final int limit) {
            return byThread.entrySet().stream()
                    .map(e -> Map.entry(names.get(e.getKey()), (double) (e.getValue()[0]
                            - before.byThread.getOrDefault(e.getKey(), new long[2])[0]) / wallNanos))
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(limit).toList();
        }

        /** CPU nanoseconds and allocated bytes since {@code before}, summed over the threads of this snapshot. */
        long[] since(final Snapshot before) {
            long cpu = 0;
            long allocated = 0;
            for (final Map.Entry<Long, long[]> entry : byThread.entrySet()) {
                final long[] then = before.byThread.getOrDefault(entry.getKey(), new long[2]);
                cpu += entry.getValue()[0] - then[0];
                allocated += entry.getValue()[1] - then[1];
            }
            return new long[] {cpu, allocated};
        }
    }

    private ThreadCost() {
    }

    /** The live threads whose name matches, with their CPU time and allocated bytes so far. */
    static Snapshot snapshot(final Predicate<String> name) {
        return snapshot((id, threadName) -> name.test(threadName));
    }

    /** CPU nanoseconds of this whole JVM so far (every thread, the JIT's and the GC's included). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The ids of the threads alive now. */
    static Set<Long> threadIds() {
        return Arrays.stream(THREADS.getAllThreadIds()).boxed().collect(Collectors.toSet());
    }

    /**
     * The live threads that match, by id and name, with their CPU time and allocated bytes so far
     * (for an engine whose threads carry no run id in their names: those born after a moment).
     */
    static Snapshot snapshot(final BiPredicate<Long, String> thread) {
        final Map<Long, long[]> byThread = new HashMap<>();
        final Map<Long, String> names = new HashMap<>();
        for (final ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && thread.test(info.getThreadId(), info.getThreadName())) {
                final long id = info.getThreadId();
                final long cpu = THREADS.getThreadCpuTime(id);
                final long allocated = THREADS.getThreadAllocatedBytes(id);
                if (cpu >= 0 && allocated >= 0) {
                    byThread.put(id, new long[] {cpu, allocated});
                    names.put(id, info.getThreadName());
                }
            }
        }
        return new Snapshot(byThread, names);
    }
}
