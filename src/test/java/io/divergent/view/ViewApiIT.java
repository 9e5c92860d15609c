package io.divergent.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.divergent.config.DivergentConfig;
import io.divergent.runtime.DivergentApp;
import io.divergent.testing.PrometheusText;
import io.divergent.testing.RunKeys;
import io.divergent.testing.SharedBroker;
import io.divergent.testing.Waits;
import io.divergent.topology.DeadLetter;
import io.divergent.topology.DivergentTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live view's API and {@code /metrics} on the real broker: two instances of one application
 * id, each answering for the series the other owns (interactive queries routed by
 * {@code application.server}), input validation, and a scrape parsed by Prometheus' own parser.
 *
 * <p>Traffic: 12 series (country C00..C11), 3 windows of 10 s, 40 events each in a fixed
 * cycle over 4 genres; series C03 turns to all "horror" in the third window [20 s, 30 s).
 * Baseline: the previous window, so window 0 has no reference, window 1 equals its baseline
 * (js_distance 0) and only C03's window 2 crosses the js_distance threshold 0.3.
 */
class ViewApiIT {

    private static final long S = 1_000;
    private static final int SERIES = 12;
    private static final String DRIFTING = "genres|country=C03";
    private static final long CLOSER = 30 * S + 3_600 * S;
    private static final int PARTITIONS = 4;
    private static final String[] GENRES = {"action", "comedy", "drama", "horror"};
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static DivergentApp a;
    private static DivergentApp b;

    @BeforeAll
    static void startTwoInstancesAndProduce() throws Exception {
        final String input = SharedBroker.uniqueName("view-plays");
        final Map<String, String> keys = RunKeys.base("view", SharedBroker.bootstrapServers(),
                "mock://" + SharedBroker.uniqueName("view"), Files.createTempDirectory("divergent-view-a"));
        keys.put("partitions", "4");
        keys.put("max.future", "0");
        keys.put("http.port", "0");
        keys.put("http.advertised.host", "localhost");
        keys.put("metrics.max.series", "2");
        RunKeys.monitor(keys, "genres", input, "json", "genre", "10s");
        keys.put("monitor.genres.segment.fields", "country");
        keys.put("monitor.genres.reference.mode", "previous");
        // Windows close on the closers below, sent once every event was counted.
        keys.put("monitor.genres.window.grace", "1h");
        keys.put("monitor.genres.alert.js_distance.warning", "0.3");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(input, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        final DivergentConfig configA = DivergentConfig.fromMap(keys);
        keys.put("kafka.state.dir", Files.createTempDirectory("divergent-view-b").toString());
        final DivergentConfig configB = DivergentConfig.fromMap(keys);
        a = DivergentApp.start(configA);
        b = DivergentApp.start(configB);
        Waits.waitUntil(Duration.ofSeconds(90), () -> running(a) && running(b)
                        && a.streams().streamsMetadataForStore(DivergentTopology.RECENT_EVENTS_STORE).size() == 2,
                () -> "both instances running and hosting the store: " + a.streams().state() + ", " + b.streams().state());

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int w = 0; w < 3; w++) {
                for (int i = 0; i < 40; i++) {
                    for (int c = 0; c < SERIES; c++) {
                        final String country = country(c);
                        final String genre = w == 2 && ("genres|country=" + country).equals(DRIFTING) ? "horror" : GENRES[i % 4];
                        producer.send(new ProducerRecord<>(input, null, w * 10 * S + i * 100L, "u" + i,
                                "{\"genre\":\"" + genre + "\",\"country\":\"" + country + "\"}"));
                    }
                }
            }
            producer.flush();
            // Every event counted before the closers: the four input partitions are read by
            // separate tasks, and a closer read before another partition's events would close
            // their windows without them (late). A series' third window holding its 40 events
            // means every partition's last events were counted, so its earlier ones too.
            Waits.waitUntil(Duration.ofSeconds(60), () -> everySeriesOpenWindowHolds(20 * S, 40),
                    () -> "every series' open window [20 s, 30 s) holding its 40 events, asked of instance A");
            // At the third window's end + grace: closes the three windows of every series, and no
            // later one (a later window would close as a silent no-data window, which alerts).
            // On every partition: a window task closes by the least event time of the input partitions.
            for (int c = 0; c < SERIES; c++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>(input, p, CLOSER, "closer",
                            "{\"genre\":\"action\",\"country\":\"" + country(c) + "\"}"));
                }
            }
            // One record without the category: a dead letter of kind missing-category.
            producer.send(new ProducerRecord<>(input, null, 30 * S, "bad", "{\"country\":\"C00\"}"));
            producer.flush();
        }
        Waits.waitUntil(Duration.ofSeconds(120), ViewApiIT::allSeriesClosedThreeWindows,
                () -> "every series' third window in /api/monitors of instance A: " + safeGet(a, "/api/monitors"));
        // A series' windows close on any closer of its window partition, so the wait above can end
        // before a series' own closer is counted (it may still be in an observation batch not yet
        // handed over): wait for every series' open window too.
        Waits.waitUntil(Duration.ofSeconds(60), () -> everySeriesOpenWindowHolds(CLOSER, PARTITIONS),
                () -> "every series' open window holding its closer, asked of instance A");
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    void eachInstanceAnswersForTheSeriesTheOtherOwns() throws Exception {
        final Map<String, Integer> ownerPort = new TreeMap<>();
        for (int c = 0; c < SERIES; c++) {
            final String series = "genres|country=" + country(c);
            final KeyQueryMetadata owner = a.streams().queryMetadataForKey(DivergentTopology.RECENT_EVENTS_STORE, series,
                    new StringSerializer());
            ownerPort.put(series, owner.activeHost().port());
        }
        assertThat(new HashSet<>(ownerPort.values())).as("both instances own series: %s", ownerPort)
                .containsExactlyInAnyOrder(port(a), port(b));

        for (final Map.Entry<String, Integer> e : ownerPort.entrySet()) {
            final DivergentApp other = e.getValue() == port(a) ? b : a;
            final HttpResponse<String> response = get(other, "/api/series?series="
                    + URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8));
            assertThat(response.statusCode()).as("%s asked of the instance that does not own it", e.getKey()).isEqualTo(200);
            final JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("series_id").asText()).isEqualTo(e.getKey());
            final List<Long> starts = new ArrayList<>();
            body.get("events").forEach(ev -> starts.add(ev.get("window_start").asLong()));
            assertThat(starts).as("its three windows, oldest first").containsExactly(0L, 10 * S, 20 * S);
            assertThat(body.get("state").asText()).as("alert state of %s", e.getKey())
                    .isEqualTo(e.getKey().equals(DRIFTING) ? AlertStates.ALERT : AlertStates.OK);
            assertThat(body.get("thresholds").get(0).get("measure").asText()).isEqualTo("js_distance");
        }

        final HttpResponse<String> limited = get(a, "/api/series?limit=1&series=" + URLEncoder.encode(DRIFTING, StandardCharsets.UTF_8));
        final JsonNode newest = JSON.readTree(limited.body()).get("events");
        assertThat(newest).hasSize(1);
        assertThat(newest.get(0).get("window_start").asLong()).as("limit keeps the newest").isEqualTo(20 * S);
        assertThat(newest.get(0).get("js_distance").asDouble()).isGreaterThan(0.3);
        // The alert events the page marks episodes from: the drifting window's FIRING.
        assertThat(JSON.readTree(limited.body()).get("alert_events")).isNotEmpty()
                .anySatisfy(alert -> assertThat(alert.get("state").asText() + " " + alert.get("window_start").asLong())
                        .isEqualTo("FIRING " + 20 * S));
    }

    /**
     * The open window of every series is [3630 s, 3640 s): its closers, an "action" event on each
     * input partition, are the task's latest records; reference.mode previous has no topic reference to show.
     */
    @Test
    void eachInstanceAnswersTheOpenWindowOfTheSeriesTheOtherOwns() throws Exception {
        final Set<Integer> askedOfTheOther = new HashSet<>();
        for (int c = 0; c < SERIES; c++) {
            final String series = "genres|country=" + country(c);
            final int owner = a.streams().queryMetadataForKey(DivergentTopology.panesStore("genres"), series,
                    new StringSerializer()).activeHost().port();
            final DivergentApp other = owner == port(a) ? b : a;
            askedOfTheOther.add(port(other));
            final HttpResponse<String> response = get(other, "/api/series/open?series="
                    + URLEncoder.encode(series, StandardCharsets.UTF_8));
            assertThat(response.statusCode()).as("%s: %s", series, response.body()).isEqualTo(200);
            final JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("series_id").asText()).isEqualTo(series);
            assertThat(body.get("window_start").asLong()).isEqualTo(CLOSER);
            assertThat(body.get("window_end").asLong()).isEqualTo(CLOSER + 10 * S);
            assertThat(body.get("observed_total").asLong()).isEqualTo(PARTITIONS);
            assertThat(body.get("has_reference").asBoolean()).isFalse();
            assertThat(body.get("categories")).hasSize(1);
            assertThat(body.get("categories").get(0).get("category").asText()).isEqualTo("action");
            assertThat(body.get("categories").get(0).get("p").asDouble()).isEqualTo(1.0);
        }
        assertThat(askedOfTheOther).as("both instances forwarded").hasSize(2);
        assertError(get(a, "/api/series/open?series=" + URLEncoder.encode("genres|country=XX", StandardCharsets.UTF_8)), 404, "unknown series");
        assertError(get(b, "/api/series/open?series=nomonitor"), 404, "unknown series");
        assertError(get(a, "/api/series/open"), 400, "series");
        assertError(get(a, "/api/series/open?series=x&local=maybe"), 400, "local");
    }

    @Test
    void theOverviewListsEverySeriesWithItsStateFromEitherInstance() throws Exception {
        for (final DivergentApp instance : List.of(a, b)) {
            final JsonNode monitors = JSON.readTree(get(instance, "/api/monitors").body()).get("monitors");
            assertThat(monitors).hasSize(1);
            final Map<String, String> states = new TreeMap<>();
            monitors.get(0).get("series").forEach(s -> states.put(s.get("series_id").asText(), s.get("state").asText()));
            assertThat(states).hasSize(SERIES);
            states.forEach((series, state) -> assertThat(state).as(series)
                    .isEqualTo(series.equals(DRIFTING) ? AlertStates.ALERT : AlertStates.OK));
        }
    }

    @Test
    void badRequestsGetAOneLineErrorNeverAStackTrace() throws Exception {
        assertError(get(a, "/api/series?series=" + URLEncoder.encode("genres|country=XX", StandardCharsets.UTF_8)), 404, "unknown series");
        assertError(get(a, "/api/series"), 400, "series");
        assertError(get(a, "/api/series?series=x&limit=abc"), 400, "limit");
        assertError(get(a, "/api/series?series=x&limit=0"), 400, "limit");
        assertError(get(a, "/api/series?series=x&local=maybe"), 400, "local");
        assertError(get(a, "/no/such/page"), 404, "no such page");
        final HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(uri(a, "/api/monitors"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).as("read-only: %s", post.body()).isIn(404, 405);
        assertThat(post.body()).doesNotContain("at io.").doesNotContain("Exception");
    }

    @Test
    void metricsParseAsPrometheusTextWithStreamsDeadLettersAndBoundedSeriesGauges() throws Exception {
        final Set<String> exported = new HashSet<>();
        int unexported = 0;
        for (final DivergentApp instance : List.of(a, b)) {
            final HttpResponse<String> response = get(instance, "/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            final Map<String, JsonNode> families = new HashMap<>();
            PrometheusText.parse(response.body()).forEach(f -> families.put(f.get("name").asText(), f));

            assertThat(families.get("kafka_streams_stream_thread_metrics_process").get("type").asText()).isEqualTo("counter");
            assertThat(families.get("kafka_streams_stream_thread_metrics_process_rate").get("type").asText()).isEqualTo("gauge");
            assertThat(families).containsKey("kafka_streams_divergent_metrics_windows_emitted");
            // Every window task heard the closers on all four input partitions: its watermark is
            // theirs, and nothing holds it back.
            final JsonNode watermark = families.get("kafka_streams_divergent_metrics_watermark_ms");
            assertThat(watermark.get("type").asText()).isEqualTo("gauge");
            assertThat(watermark.get("samples")).isNotEmpty().allSatisfy(sample -> {
                assertThat(sample.get("labels").get("monitor").asText()).isEqualTo("genres");
                assertThat(sample.get("labels").has("task")).isTrue();
                assertThat(Double.parseDouble(sample.get("value").asText())).isEqualTo((double) CLOSER);
            });
            assertThat(families.get("kafka_streams_divergent_metrics_watermark_skew_ms").get("samples"))
                    .isNotEmpty().allSatisfy(sample -> assertThat(Double.parseDouble(sample.get("value").asText())).isZero());

            final JsonNode dead = families.get("divergent_dead_letters");
            assertThat(dead.get("type").asText()).isEqualTo("counter");
            final Map<String, Double> byKind = new TreeMap<>();
            dead.get("samples").forEach(s -> {
                if (s.get("name").asText().equals("divergent_dead_letters_total")) {
                    byKind.put(s.get("labels").get("kind").asText(), Double.parseDouble(s.get("value").asText()));
                }
            });
            assertThat(byKind).hasSize(DeadLetter.Kind.values().length);

            final JsonNode js = families.get("divergent_series_js_distance");
            assertThat(js.get("type").asText()).isEqualTo("gauge");
            assertThat(js.get("samples").size()).as("metrics.max.series bounds the series gauges").isEqualTo(2);
            js.get("samples").forEach(s -> exported.add(s.get("labels").get("series").asText()));
            unexported += (int) Double.parseDouble(families.get("divergent_series_unexported").get("samples").get(0).get("value").asText());
            assertThat(families.get("divergent_series_alert").get("samples")).hasSize(2);
        }
        assertThat(exported).as("each instance exports its own series, the most drifting first").contains(DRIFTING).hasSize(4);
        assertThat(unexported).as("the others are counted").isEqualTo(SERIES - 4);
        // The dead letter (missing category) was counted by whichever instance owns its input partition.
        final double missing = deadLetters(a, "missing-category") + deadLetters(b, "missing-category");
        assertThat(missing).isEqualTo(1.0);
    }

    private static double deadLetters(final DivergentApp instance, final String kind) throws Exception {
        final double[] value = {0};
        PrometheusText.parse(get(instance, "/metrics").body()).forEach(f -> {
            if (f.get("name").asText().equals("divergent_dead_letters")) {
                f.get("samples").forEach(s -> {
                    if (s.get("labels").get("kind").asText().equals(kind)) {
                        value[0] += Double.parseDouble(s.get("value").asText());
                    }
                });
            }
        });
        return value[0];
    }

    private static void assertError(final HttpResponse<String> response, final int status, final String says) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains(says);
        assertThat(response.body()).doesNotContain("at io.").doesNotContain("\tat ");
    }

    /** Whether every series' open window, asked of instance A, starts at {@code start} and holds {@code observed} events. */
    private static boolean everySeriesOpenWindowHolds(final long start, final long observed) {
        for (int c = 0; c < SERIES; c++) {
            final String series = "genres|country=" + country(c);
            try {
                final HttpResponse<String> response = get(a, "/api/series/open?series="
                        + URLEncoder.encode(series, StandardCharsets.UTF_8));
                if (response.statusCode() != 200) {
                    return false;
                }
                final JsonNode body = JSON.readTree(response.body());
                if (body.get("window_start").asLong() != start || body.get("observed_total").asLong() != observed) {
                    return false;
                }
            } catch (final Exception e) {
                return false;
            }
        }
        return true;
    }

    private static boolean allSeriesClosedThreeWindows() {
        try {
            final HttpResponse<String> response = get(a, "/api/monitors");
            if (response.statusCode() != 200) {
                return false;
            }
            final JsonNode series = JSON.readTree(response.body()).get("monitors").get(0).get("series");
            if (series.size() != SERIES) {
                return false;
            }
            for (final JsonNode s : series) {
                if (s.get("latest").get("window_start").asLong() != 20 * S) {
                    return false;
                }
            }
            return true;
        } catch (final IOException | InterruptedException e) {
            return false;
        }
    }

    private static String safeGet(final DivergentApp app, final String path) {
        try {
            return get(app, path).body();
        } catch (final Exception e) {
            return e.toString();
        }
    }

    private static boolean running(final DivergentApp app) {
        return app.streams().state() == KafkaStreams.State.RUNNING;
    }

    private static String country(final int c) {
        return String.format(java.util.Locale.ROOT, "C%02d", c);
    }

    private static int port(final DivergentApp app) {
        return app.viewUrl().orElseThrow().getPort();
    }

    private static URI uri(final DivergentApp app, final String path) {
        return app.viewUrl().orElseThrow().resolve(path);
    }

    private static HttpResponse<String> get(final DivergentApp app, final String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(app, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
