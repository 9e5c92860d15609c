package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import io.divergent.bench.SyntheticEvents;
import io.divergent.bench.Workload;
import io.divergent.config.DivergentConfig;
import io.divergent.config.MonitorConfig;
import io.divergent.math.BaselineKind;
import io.divergent.math.Histogram;
import io.divergent.serde.AvroSerdes;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One closed window's event as the window task builds it for the bench's workloads: the
 * measures, the no-drift calibration and the event ({@link EventFactory#create}), then its Avro
 * bytes (the events sink's serializer). Windows of the bench's size (about 7.5 events per
 * series and window, 10,000 series) drawn from the bench's reference over 64 or 1,024
 * categories; 4,096 windows of distinct series visited in turn, as a window close visits its
 * series. {@link #fold} is the step before: the window's histogram from its pane's counts
 * ({@link #foldSixPanes}: merged from six panes, as on hopping windows of 60 s by 10 s).
 *
 * <p>Run: {@code mvn -B -Pbench package -DskipTests && java -jar target/benchmarks.jar
 * EmissionBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EmissionBenchmark {

    private static final int WINDOWS = 4_096;

    @Param({"tumbling-64", "tumbling-1024"})
    public String workload;

    private EventFactory factory;
    private Serializer<DivergenceEvent> serializer;
    private EventFactory.Baseline baseline;
    private String[] series;
    private Histogram[] windows;
    /** The same windows' counts as the window task holds them: one pane each (tumbling). */
    private PaneCounts[] panes;
    /** The same windows' counts over six panes each (hopping 60 s / 10 s), each event in a random one. */
    private PaneCounts[][] sixPanes;
    private long maxCategories;
    private int next;

    @Setup
    public void setUp() {
        final Workload w = Workload.parse(workload).get(0);
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("application.id", "jmh");
        keys.put("bootstrap.servers", "localhost:9092");
        keys.put("schema.registry.url", "mock://jmh-emission");
        keys.put("reference.topic", "reference");
        keys.put("monitor.bench.input.topic", "input");
        keys.put("monitor.bench.value.format", "avro");
        keys.put("monitor.bench.category.field", "category");
        keys.put("monitor.bench.segment.fields", "series");
        final DivergentConfig config = DivergentConfig.fromMap(keys);
        final MonitorConfig monitor = config.monitors().get(0);
        maxCategories = config.maxCategories();
        factory = new EventFactory(monitor);
        serializer = AvroSerdes.specific(DivergenceEvent.class, Map.of("schema.registry.url", "mock://jmh-emission"),
                false).serializer();
        final Histogram reference = new SyntheticEvents(w, 300_000).reference();
        baseline = EventFactory.Baseline.fromTopic(reference, 0L, BaselineKind.FIXED);
        final double[] cumulative = new double[reference.size()];
        double total = 0;
        for (int i = 0; i < cumulative.length; i++) {
            total += reference.weight(i);
            cumulative[i] = total;
        }
        final SplittableRandom random = new SplittableRandom(16);
        series = new String[WINDOWS];
        windows = new Histogram[WINDOWS];
        panes = new PaneCounts[WINDOWS];
        sixPanes = new PaneCounts[WINDOWS][];
        for (int s = 0; s < WINDOWS; s++) {
            series[s] = "bench/series=series-" + String.format("%05d", s);
            final Histogram.Builder window = Histogram.builder();
            panes[s] = new PaneCounts(maxCategories + 1);
            sixPanes[s] = new PaneCounts[6];
            for (int p = 0; p < 6; p++) {
                sixPanes[s][p] = new PaneCounts(maxCategories + 1);
            }
            final int events = 1 + random.nextInt(14);
            for (int e = 0; e < events; e++) {
                final int found = java.util.Arrays.binarySearch(cumulative, random.nextDouble() * total);
                final String category = reference.category(Math.min(cumulative.length - 1, found >= 0 ? found + 1 : -found - 1));
                window.add(category, 1);
                panes[s].add(new String(category));
                sixPanes[s][random.nextInt(6)].add(new String(category));
            }
            windows[s] = window.build();
        }
    }

    @Setup(Level.Iteration)
    public void rewind() {
        next = 0;
    }

    /** The window's histogram from its one pane's counts (the category cap's fold, nothing evicted). */
    @Benchmark
    public Histogram fold() {
        final int s = next++ & (WINDOWS - 1);
        final CategoryFold.Merger merger = new CategoryFold.Merger();
        merger.pane(panes[s]);
        return merger.fold(maxCategories).observed();
    }

    /** The window's histogram merged from six panes' counts (a hopping window of 60 s by 10 s). */
    @Benchmark
    public Histogram foldSixPanes() {
        final int s = next++ & (WINDOWS - 1);
        final CategoryFold.Merger merger = new CategoryFold.Merger();
        for (final PaneCounts pane : sixPanes[s]) {
            merger.pane(pane);
        }
        return merger.fold(maxCategories).observed();
    }

    /** The event alone. */
    @Benchmark
    public DivergenceEvent create() {
        final int s = next++ & (WINDOWS - 1);
        return factory.create(series[s], 0L, 60_000L, windows[s], (long) windows[s].total(), 0L, baseline);
    }

    /** The event and its bytes. */
    @Benchmark
    public byte[] createAndSerialize() {
        final int s = next++ & (WINDOWS - 1);
        return serializer.serialize("events",
                factory.create(series[s], 0L, 60_000L, windows[s], (long) windows[s].total(), 0L, baseline));
    }
}
