package io.divergent.view;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.NoDriftCalibration;
import io.divergent.topology.DeadLetter;
import io.divergent.topology.DivergentMetrics;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /metrics} of one instance, in the Prometheus text format (the official client's model
 * and writer), built at each scrape:
 *
 * <ul>
 *   <li>every numeric metric of {@link KafkaStreams#metrics()} (Kafka Streams, its clients, and
 *       Divergent's own group {@value DivergentMetrics#GROUP}) as
 *       {@code kafka_streams_<group>_<name>}, its tags as labels; a {@code *-total} metric is a
 *       counter, any other a gauge;</li>
 *   <li>{@code divergent_dead_letters_total{kind}}: records not counted, per kind, summed over
 *       the monitors and tasks of this instance; every kind is present (0 until one happens);</li>
 *   <li>per series owned by this instance, its latest window's divergence:
 *       {@code divergent_series_js_distance}, {@code divergent_series_js_distance_no_drift_expected},
 *       {@code divergent_series_js_distance_no_drift_p_value}, {@code divergent_series_psi},
 *       {@code divergent_series_g_p_value}, {@code divergent_series_observed_events},
 *       {@code divergent_series_alert} (1 in alert, else 0), labelled {@code monitor} and
 *       {@code series}.</li>
 * </ul>
 *
 * <p>Cardinality rule: at most {@code metrics.max.series} series per instance get the series
 * gauges: those with the largest latest {@code js_distance} (a series without one ranks last),
 * ties by series id; {@code divergent_series_unexported} counts the others. Each instance
 * exports only the series it owns, so scraping every instance exports each series once.
 */
final class PrometheusMetrics {

    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private final KafkaStreams streams;
    private final SeriesQueries queries;
    private final int maxSeries;

    PrometheusMetrics(final KafkaStreams streams, final SeriesQueries queries, final int maxSeries) {
        this.streams = streams;
        this.queries = queries;
        this.maxSeries = maxSeries;
    }

    /** The content type of {@link #scrape()}. */
    static String contentType() {
        return WRITER.getContentType();
    }

    /** The text of one scrape. */
    byte[] scrape() {
        final MetricSnapshots.Builder all = MetricSnapshots.builder();
        kafkaMetrics(all);
        seriesMetrics(all);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            WRITER.write(out, all.build(), io.prometheus.metrics.config.EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void kafkaMetrics(final MetricSnapshots.Builder all) {
        final Map<String, List<Map.Entry<Labels, Double>>> families = new TreeMap<>();
        final Map<String, String> help = new TreeMap<>();
        final Map<DeadLetter.Kind, Double> deadLetters = new EnumMap<>(DeadLetter.Kind.class);
        for (final DeadLetter.Kind kind : DeadLetter.Kind.values()) {
            deadLetters.put(kind, 0.0);
        }
        for (final Map.Entry<MetricName, ? extends Metric> entry : streams.metrics().entrySet()) {
            final MetricName name = entry.getKey();
            if (!(entry.getValue().metricValue() instanceof Number number)) {
                continue;
            }
            final double value = number.doubleValue();
            final String family = legacy("kafka_streams_" + name.group() + "_" + name.name());
            final Labels.Builder labels = Labels.builder();
            new TreeMap<>(name.tags()).forEach((k, v) -> labels.label(legacy(k), v));
            families.computeIfAbsent(family, f -> new ArrayList<>()).add(Map.entry(labels.build(), value));
            help.putIfAbsent(family, name.description());
            if (DivergentMetrics.GROUP.equals(name.group())) {
                for (final DeadLetter.Kind kind : DeadLetter.Kind.values()) {
                    if (DivergentMetrics.skippedMetric(kind).equals(name.name()) && !Double.isNaN(value)) {
                        deadLetters.merge(kind, value, Double::sum);
                    }
                }
            }
        }
        // Names that sanitize alike (a counter's base and a gauge): the first family keeps the name.
        final java.util.Set<String> used = new java.util.HashSet<>(List.of("divergent_dead_letters"));
        families.forEach((family, points) -> {
            final MetricSnapshot snapshot = snapshot(family, help.get(family), points);
            if (used.add(snapshot.getMetadata().getPrometheusName())) {
                all.metricSnapshot(snapshot);
            }
        });
        final CounterSnapshot.Builder dead = CounterSnapshot.builder().name("divergent_dead_letters")
                .help("Records not counted (sent to the dead-letter topic if one is configured), by kind");
        deadLetters.forEach((kind, count) -> dead.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .labels(Labels.of("kind", kind.label())).value(count).build()));
        all.metricSnapshot(dead.build());
    }

    /** A name in the classic character set ([a-zA-Z0-9_:]), which every scraper reads unescaped. */
    private static String legacy(final String name) {
        return name.replaceAll("[^a-zA-Z0-9_:]", "_");
    }

    /** A {@code *_total} family becomes a counter (the writer adds the suffix back), any other a gauge. */
    private static MetricSnapshot snapshot(final String family, final String help,
                                           final List<Map.Entry<Labels, Double>> points) {
        final String helpText = help == null || help.isBlank() ? family : help;
        // Two Kafka metrics can sanitize to one name and label set: keep the first.
        final Map<Labels, Double> unique = new java.util.LinkedHashMap<>();
        points.forEach(p -> unique.putIfAbsent(p.getKey(), p.getValue()));
        if (family.endsWith("_total")) {
            final CounterSnapshot.Builder counter = CounterSnapshot.builder()
                    .name(PrometheusNaming.sanitizeMetricName(family.substring(0, family.length() - "_total".length())))
                    .help(helpText);
            unique.forEach((labels, value) -> counter.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(labels).value(Double.isNaN(value) ? 0 : value).build()));
            return counter.build();
        }
        final GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(PrometheusNaming.sanitizeMetricName(family))
                .help(helpText);
        unique.forEach((labels, value) -> gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .labels(labels).value(value).build()));
        return gauge.build();
    }

    private void seriesMetrics(final MetricSnapshots.Builder all) {
        List<SeriesQueries.Latest> latest;
        try {
            latest = new ArrayList<>(queries.localLatest());
        } catch (final ApiException notQueryable) {
            // While the store restores or rebalances this instance exports no series.
            latest = new ArrayList<>();
        }
        latest.sort(Comparator.comparingDouble((SeriesQueries.Latest l) -> {
            final Double js = l.event().getJsDistance();
            return js == null ? Double.NEGATIVE_INFINITY : js;
        }).reversed().thenComparing(SeriesQueries.Latest::series));
        final List<SeriesQueries.Latest> exported = latest.subList(0, Math.min(maxSeries, latest.size()));
        all.metricSnapshot(GaugeSnapshot.builder().name("divergent_series_unexported")
                .help("Series of this instance left out of the divergent_series_* gauges by metrics.max.series")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(latest.size() - exported.size()).build())
                .build());
        gauge(all, exported, "divergent_series_js_distance", "Jensen-Shannon distance of the latest closed window",
                e -> e.getJsDistance());
        gauge(all, exported, "divergent_series_js_distance_no_drift_expected",
                "Jensen-Shannon distance expected from sampling noise alone (latest window)",
                e -> noDrift(e) == null ? null : noDrift(e).getJsDistance().getExpected());
        gauge(all, exported, "divergent_series_js_distance_no_drift_p_value",
                "Probability under no drift of a Jensen-Shannon distance at least as large (latest window)",
                e -> noDrift(e) == null ? null : noDrift(e).getJsDistance().getPValue());
        gauge(all, exported, "divergent_series_psi", "Population stability index of the latest window (nats)",
                DivergenceEvent::getPsi);
        gauge(all, exported, "divergent_series_g_p_value", "G-test p-value of the latest window",
                DivergenceEvent::getGPValue);
        gauge(all, exported, "divergent_series_observed_events", "Events counted in the latest window",
                e -> (double) e.getObservedTotal());
        final GaugeSnapshot.Builder alert = GaugeSnapshot.builder().name("divergent_series_alert")
                .help("1 when the latest window raised an alert, else 0");
        exported.forEach(l -> alert.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .labels(labels(l)).value(AlertStates.ALERT.equals(l.state()) ? 1 : 0).build()));
        all.metricSnapshot(alert.build());
    }

    private static NoDriftCalibration noDrift(final DivergenceEvent event) {
        return event.getNoDrift();
    }

    /** Functional view of a nullable measure. */
    private interface Measure {
        Double of(DivergenceEvent event);
    }

    private static void gauge(final MetricSnapshots.Builder all, final List<SeriesQueries.Latest> series,
                              final String name, final String help, final Measure measure) {
        final GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
        for (final SeriesQueries.Latest l : series) {
            final Double value = measure.of(l.event());
            if (value != null) {
                gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels(l)).value(value).build());
            }
        }
        all.metricSnapshot(gauge.build());
    }

    private static Labels labels(final SeriesQueries.Latest l) {
        return Labels.of("monitor", l.event().getMonitor(), "series", l.series());
    }
}
