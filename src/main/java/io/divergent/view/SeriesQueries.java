package io.divergent.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.config.DivergentConfig;
import io.divergent.config.MonitorConfig;
import io.divergent.config.Threshold;
import io.divergent.serde.AvroJson;
import io.divergent.serde.AvroSerdes;
import io.divergent.topology.DivergentTopology;
import io.divergent.topology.OpenWindows;
import io.divergent.topology.RecentEvents;
import io.divergent.topology.SeriesPartitioner;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read side of the recent-events store ({@link DivergentTopology#RECENT_EVENTS_STORE}) through
 * Kafka Streams interactive queries. Any instance answers for every series: a series' events
 * are read where its partition is active (found by {@link KafkaStreams#queryMetadataForKey} with the
 * topology's {@link SeriesPartitioner}, so also where the input is partitioned by series) and the instances' {@code application.server}), the list of series by asking every
 * instance for its own. Answers are JSON trees; failures are {@link ApiException}s with the
 * status to answer (404 unknown series, 503 while the store is not queryable, 502 when the
 * owning instance does not answer).
 */
final class SeriesQueries {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaStreams streams;
    private final HostInfo self;
    private final Map<String, MonitorConfig> monitors = new LinkedHashMap<>();
    private final int capacity;
    private final long maxCategories;
    private final Deserializer<DivergenceEvent> events;
    private final Deserializer<DriftAlert> alerts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(PEER_TIMEOUT).build();
    /** Which partition holds a series: as the topology places it (by series id, or by segment values). */
    private final StreamPartitioner<String, Object> placement;

    SeriesQueries(final KafkaStreams streams, final HostInfo self, final DivergentConfig config) {
        this.streams = streams;
        this.self = self;
        config.monitors().forEach(m -> monitors.put(m.name(), m));
        this.capacity = config.historyEvents();
        this.maxCategories = config.maxCategories();
        this.events = AvroSerdes.specific(DivergenceEvent.class, config.serdeProperties(), false).deserializer();
        this.alerts = AvroSerdes.specific(DriftAlert.class, config.serdeProperties(), false).deserializer();
        this.placement = SeriesPartitioner.of(config).streamPartitioner();
    }

    /** The latest event and alert state of one local series. */
    record Latest(String series, DivergenceEvent event, DriftAlert alert) {
        String state() {
            return AlertStates.of(event, alert);
        }
    }

    /** The latest event of every series whose partition is active on this instance. */
    List<Latest> localLatest() {
        final ReadOnlyKeyValueStore<String, byte[]> store = store();
        final List<Latest> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(RecentEvents.latestPrefix(), new StringSerializer())) {
            while (it.hasNext()) {
                final KeyValue<String, byte[]> kv = it.next();
                final String series = RecentEvents.seriesOfLatestKey(kv.key);
                out.add(new Latest(series, events.deserialize(null, kv.value), alert(store, series)));
            }
        }
        return out;
    }

    /** {@link #localLatest()} as the JSON rows of the overview. */
    ArrayNode localSeries() {
        final ArrayNode rows = NODES.arrayNode();
        for (final Latest latest : localLatest()) {
            final ObjectNode row = rows.addObject();
            row.put("series_id", latest.series());
            row.put("monitor", latest.event().getMonitor());
            row.set("segments", JSON.valueToTree(latest.event().getSegments()));
            row.put("state", latest.state());
            row.set("latest", AvroJson.toJson(latest.event()));
            row.set("alert", latest.alert() == null ? NODES.nullNode() : AvroJson.toJson(latest.alert()));
        }
        return rows;
    }

    /**
     * Every monitor with its thresholds and its series (each with its latest event and alert
     * state), gathered from every instance.
     *
     * @throws ApiException 503 while the store is not queryable, 502 when an instance does not answer
     */
    ObjectNode monitors() {
        final List<JsonNode> rows = new ArrayList<>();
        for (final StreamsMetadata instance : instances()) {
            if (instance.hostInfo().equals(self)) {
                localSeries().forEach(rows::add);
            } else {
                peer(instance.hostInfo(), "/api/local/series").forEach(rows::add);
            }
        }
        rows.sort(Comparator.comparing(r -> r.get("series_id").asText()));
        final ObjectNode answer = NODES.objectNode();
        final ArrayNode list = answer.putArray("monitors");
        for (final MonitorConfig monitor : monitors.values()) {
            final ObjectNode m = list.addObject();
            describe(monitor, m);
            final ArrayNode series = m.putArray("series");
            rows.stream().filter(r -> r.get("monitor").asText().equals(monitor.name())).forEach(series::add);
        }
        return answer;
    }

    /**
     * The recent events of a series, oldest first, at most {@code limit}, with its monitor's
     * thresholds, its state and its latest alert; read where the series is owned.
     *
     * @param series the series id
     * @param limit  at most this many of the newest events, >= 1
     * @param local  answer from this instance's store only (a forwarded request)
     * @throws ApiException 404 for an unknown series, 503 while the store is not queryable,
     *                      502 when the owning instance does not answer
     */
    ObjectNode series(final String series, final int limit, final boolean local) {
        queryable();
        if (!local) {
            final KeyQueryMetadata owner = streams.queryMetadataForKey(DivergentTopology.RECENT_EVENTS_STORE, series,
                    placement);
            if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner) || owner.activeHost() == null) {
                throw new ApiException(503, "the store is not queryable yet (the application is starting or rebalancing)");
            }
            if (!owner.activeHost().equals(self)) {
                return (ObjectNode) peer(owner.activeHost(), "/api/series?local=true&limit=" + limit + "&series="
                        + URLEncoder.encode(series, StandardCharsets.UTF_8));
            }
        }
        final ReadOnlyKeyValueStore<String, byte[]> store = store();
        final byte[] latestBytes = store.get(RecentEvents.latestKey(series));
        if (latestBytes == null) {
            throw new ApiException(404, "unknown series: " + series);
        }
        final DivergenceEvent latest = events.deserialize(null, latestBytes);
        final long latestStart = latest.getWindowStart().toEpochMilli();
        final MonitorConfig monitor = monitors.get(latest.getMonitor());
        final List<DivergenceEvent> history = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(RecentEvents.eventPrefix(series), new StringSerializer())) {
            while (it.hasNext()) {
                final DivergenceEvent event = events.deserialize(null, it.next().value);
                if (RecentEvents.inRange(event.getWindowStart().toEpochMilli(), latestStart,
                        monitor.windowAdvance().toMillis(), capacity)) {
                    history.add(event);
                }
            }
        }
        history.sort(Comparator.comparing(DivergenceEvent::getWindowStart));
        final DriftAlert alert = alert(store, series);
        final ObjectNode answer = NODES.objectNode();
        answer.put("series_id", series);
        describe(monitor, answer);
        answer.put("state", AlertStates.of(latest, alert));
        answer.set("alert", alert == null ? NODES.nullNode() : AvroJson.toJson(alert));
        // Its latest alert events: the page marks the alert episodes from them, as the report does.
        final ArrayNode alertEvents = answer.putArray("alert_events");
        for (final byte[] bytes : RecentEvents.alerts(store.get(RecentEvents.alertHistoryKey(series)))) {
            alertEvents.add(AvroJson.toJson(alerts.deserialize(null, bytes)));
        }
        final ArrayNode list = answer.putArray("events");
        history.subList(Math.max(0, history.size() - limit), history.size()).forEach(e -> list.add(AvroJson.toJson(e)));
        return answer;
    }

    /**
     * The window a series is counting now against its reference ({@link OpenWindows}), read from
     * the task that owns the series.
     *
     * @param series the series id
     * @param local  answer from this instance's stores only (a forwarded request)
     * @return {@code {series_id, monitor, window_start, window_end, stream_time, observed_total,
     *         has_reference, categories: [{category, count, p, q, direction}]}}, categories sorted by
     *         name, {@code q} null without a reference, {@code direction} NEW (only in the window),
     *         VANISHED (only in the reference) or null
     * @throws ApiException 404 for an unknown series or one with nothing counted in its open window,
     *                      503 while the stores are not queryable, 502 when the owning instance does not answer
     */
    ObjectNode open(final String series, final boolean local) {
        queryable();
        final MonitorConfig monitor = monitors.get(series.split("\\|", 2)[0]);
        if (monitor == null) {
            throw new ApiException(404, "unknown series: " + series);
        }
        final String panesStore = DivergentTopology.panesStore(monitor.name());
        final KeyQueryMetadata owner = streams.queryMetadataForKey(panesStore, series, placement);
        if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner) || owner.activeHost() == null) {
            throw new ApiException(503, "the store is not queryable yet (the application is starting or rebalancing)");
        }
        if (!local && !owner.activeHost().equals(self)) {
            return (ObjectNode) peer(owner.activeHost(), "/api/series/open?local=true&series="
                    + URLEncoder.encode(series, StandardCharsets.UTF_8));
        }
        // One partition's stores: the stream time and closed windows are per task.
        final int partition = owner.partition();
        final OpenWindows.OpenWindow window = OpenWindows.read(
                store(DivergentTopology.META_STORE, partition), store(panesStore, partition),
                store(DivergentTopology.REFERENCE_STORE, partition), monitor, maxCategories, series)
                .orElseThrow(() -> new ApiException(404, "unknown series, or nothing counted in its open window yet: " + series));
        final ObjectNode answer = NODES.objectNode();
        answer.put("series_id", series);
        answer.put("monitor", monitor.name());
        answer.put("window_start", window.start());
        answer.put("window_end", window.end());
        answer.put("stream_time", window.streamTime());
        answer.put("observed_total", window.total());
        answer.put("has_reference", window.reference() != null);
        final java.util.TreeSet<String> categories = new java.util.TreeSet<>(window.observed().toMap().keySet());
        if (window.reference() != null) {
            categories.addAll(window.reference().toMap().keySet());
        }
        final ArrayNode list = answer.putArray("categories");
        final double observedTotal = window.observed().total();
        for (final String category : categories) {
            final double count = window.observed().weightOf(category);
            final double p = observedTotal > 0 ? count / observedTotal : 0;
            final ObjectNode c = list.addObject().put("category", category).put("count", (long) count).put("p", p);
            if (window.reference() == null) {
                c.putNull("q");
                c.putNull("direction");
            } else {
                final double q = window.reference().total() > 0 ? window.reference().weightOf(category) / window.reference().total() : 0;
                c.put("q", q);
                c.put("direction", q == 0 && p > 0 ? "NEW" : p == 0 && q > 0 ? "VANISHED" : null);
            }
        }
        return answer;
    }

    /** One partition's local store (read-only), as its own type. */
    private <K, V> ReadOnlyKeyValueStore<K, V> store(final String name, final int partition) {
        try {
            return streams.store(StoreQueryParameters.<ReadOnlyKeyValueStore<K, V>>fromNameAndType(name,
                    QueryableStoreTypes.keyValueStore()).withPartition(partition));
        } catch (final InvalidStateStoreException e) {
            throw new ApiException(503, "the store is not queryable now: " + e.getMessage());
        }
    }

    /** One of the series' firing alerts (the most severe, then the first rule), or null when none fires. */
    private DriftAlert alert(final ReadOnlyKeyValueStore<String, byte[]> store, final String series) {
        DriftAlert firing = null;
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(RecentEvents.alertPrefix(series), new StringSerializer())) {
            while (it.hasNext()) {
                final DriftAlert alert = alerts.deserialize(null, it.next().value);
                if (firing == null || alert.getSeverity().compareTo(firing.getSeverity()) > 0) {
                    firing = alert;
                }
            }
        }
        return firing;
    }

    /** A monitor's name, windowing and thresholds, as the API and the report give them. */
    static void describe(final MonitorConfig monitor, final ObjectNode into) {
        into.put("monitor", monitor.name());
        into.put("window_size_ms", monitor.windowSize().toMillis());
        into.put("window_advance_ms", monitor.windowAdvance().toMillis());
        into.put("unit", monitor.unit().name());
        final ArrayNode thresholds = into.putArray("thresholds");
        for (final Threshold t : monitor.thresholds()) {
            thresholds.addObject().put("measure", t.measure()).put("direction", t.direction().name())
                    .put("value", t.value()).put("severity", t.severity().name());
        }
    }

    /** Interactive queries need a running (or rebalancing) application; else a 503 naming its state. */
    private void queryable() {
        final KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            throw new ApiException(503, "Kafka Streams is " + state + ": nothing to query");
        }
    }

    private List<StreamsMetadata> instances() {
        queryable();
        final List<StreamsMetadata> all = List.copyOf(streams.streamsMetadataForStore(DivergentTopology.RECENT_EVENTS_STORE));
        if (all.isEmpty()) {
            throw new ApiException(503, "no instance hosts the store yet (the application is starting or rebalancing)");
        }
        return all;
    }

    private ReadOnlyKeyValueStore<String, byte[]> store() {
        queryable();
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(DivergentTopology.RECENT_EVENTS_STORE,
                    QueryableStoreTypes.keyValueStore()));
        } catch (final InvalidStateStoreException e) {
            throw new ApiException(503, "the store is not queryable now: " + e.getMessage());
        }
    }

    /** GETs a path of another instance; its 4xx answers pass through, anything else is a 502. */
    private JsonNode peer(final HostInfo host, final String pathAndQuery) {
        final URI uri = URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery);
        try {
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(PEER_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            final JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() == 200) {
                return body;
            }
            final String error = Optional.ofNullable(body.get("error")).map(JsonNode::asText).orElse(response.body());
            throw new ApiException(response.statusCode() < 500 || response.statusCode() == 503 ? response.statusCode() : 502,
                    "instance " + host.host() + ":" + host.port() + " answered " + response.statusCode() + ": " + error);
        } catch (final IOException e) {
            throw new ApiException(502, "instance " + host.host() + ":" + host.port() + " did not answer: " + e.getMessage());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted");
        }
    }
}
