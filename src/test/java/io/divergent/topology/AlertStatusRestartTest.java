package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16: the alert processor keeps the statuses on the heap, loaded from its store at init.
 * A processor started anew on the same store before every window (as Kafka Streams does after a
 * restore or a revival) raises exactly the alerts, and leaves exactly the store, of one that ran
 * through. With rules that need two windows to fire and two to resolve, a status lost at a
 * restart would never fire.
 */
class AlertStatusRestartTest {

    private static final long S = 1_000;
    private static final long M = 60 * S;
    private static final String MONITOR = "genres";
    private static final String[] KEYS = {"monitor.genres.alert.for", "2", "monitor.genres.alert.resolve.after", "2"};

    /** The events of one series, one per minute window: quiet, drifted, slightly drifted (the change detector's), quiet. */
    private static List<DivergenceEvent> events() {
        final int[] aPerWindow = {50, 90, 90, 90, 50, 50, 50, 90, 90, 50, 50, 50,
                60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 50, 50, 50, 50, 50};
        try (TopologyHarness t = new TopologyHarness(TopologyHarness.jsonMonitor(MONITOR, "genre", KEYS))) {
            t.reference(MONITOR, 0, Map.of("a", 1.0, "b", 1.0));
            for (int minute = 0; minute <= aPerWindow.length; minute++) {
                final int a = minute < aPerWindow.length ? aPerWindow[minute] : 50;
                t.genre(minute * M + S, "a", a);           // closes the window of the minute before
                t.genre(minute * M + 2 * S, "b", 100 - a);
            }
            final List<DivergenceEvent> events = t.events();
            assertThat(events).hasSize(aPerWindow.length);
            return events;
        }
    }

    private static final class Run {
        final MockProcessorContext<String, Routed> context = new MockProcessorContext<>();
        final KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(DivergentTopology.alertStore(MONITOR)), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        final TopologyHarness config = new TopologyHarness(TopologyHarness.jsonMonitor(MONITOR, "genre", KEYS));
        final List<String> alerts = new ArrayList<>();
        AlertProcessor processor;

        Run() {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
            start();
        }

        void start() {
            processor = new AlertProcessor(config.config.monitors(), Map.of(MONITOR, DivergentTopology.alertStore(MONITOR)),
                    SeriesPartitioner.bySeriesId(), 1);
            processor.init(context);
        }

        void window(final DivergenceEvent event) {
            final long end = event.getWindowEnd().toEpochMilli();
            processor.process(new Record<>(MONITOR, new Emitted.Window(MONITOR, end, List.of(event)), end - 1));
            for (final var forwarded : context.forwarded()) {
                if (forwarded.record().value() instanceof Emitted.Alert alert) {
                    alerts.add(describe(alert.alert()));
                }
            }
            context.resetForwards();
        }

        Map<String, String> stored() {
            final Map<String, String> stored = new TreeMap<>();
            try (KeyValueIterator<String, byte[]> all = store.all()) {
                while (all.hasNext()) {
                    final KeyValue<String, byte[]> entry = all.next();
                    stored.put(entry.key, java.util.HexFormat.of().formatHex(entry.value));
                }
            }
            return stored;
        }
    }

    private static String describe(final DriftAlert alert) {
        return alert.getWindowStart().toEpochMilli() / M + " " + alert.getKind() + " " + alert.getState()
                + " started " + alert.getStartedAt().toEpochMilli() / M + " windows " + alert.getWindows();
    }

    @Test
    void aProcessorRestartedBeforeEveryWindowRaisesWhatOneRunThroughRaises() {
        final List<DivergenceEvent> events = events();
        final Run through = new Run();
        final Run restarted = new Run();
        final List<Integer> storeSizes = new ArrayList<>();
        for (final DivergenceEvent event : events) {
            through.window(event);
            restarted.start();
            restarted.window(event);
            assertThat(restarted.stored()).isEqualTo(through.stored());
            storeSizes.add(through.stored().size());
        }
        assertThat(through.alerts).as("threshold and change alerts fire and resolve").contains(
                "2 THRESHOLD FIRING started 1 windows 2", "5 THRESHOLD RESOLVED started 1 windows 2");
        assertThat(through.alerts).anyMatch(a -> a.contains("CHANGE FIRING"));
        assertThat(restarted.alerts).isEqualTo(through.alerts);
        assertThat(storeSizes).as("statuses come and go").contains(0).anyMatch(n -> n > 0);
        assertThat(storeSizes.get(storeSizes.size() - 1)).as("all quiet at the end").isZero();
    }
}
