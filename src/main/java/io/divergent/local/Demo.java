package io.divergent.local;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.avro.PlayEvent;
import io.divergent.avro.ReferenceDistribution;
import io.divergent.config.DivergentConfig;
import io.divergent.runtime.DivergentApp;
import io.divergent.runtime.NewTopicSpec;
import io.divergent.runtime.TopicManager;
import io.divergent.serde.AvroSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code divergent demo}: a real single-node Kafka broker in this JVM, a registry (an in-memory
 * scope, or a real one), a reference, synthetic play events whose genre distribution drifts in
 * one country part-way through, the same topology as {@code run}, and a live table of what it
 * emits: one short row per window and series, naming the categories that drift. Ends by itself
 * after a few windows, or, {@link Options#untilStopped() until stopped}, on Ctrl-C.
 */
public final class Demo {

    static final String INPUT = "plays";
    private static final int INPUT_PARTITIONS = 2;
    static final List<String> COUNTRIES = List.of("DE", "US");
    private static final String[] GENRES = {"action", "comedy", "drama", "horror", "romance", "documentary"};
    private static final double[] BASELINE = {0.30, 0.25, 0.20, 0.15, 0.10, 0.0};
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /**
     * @param registryUrl    a real registry URL, or null for an in-memory {@code mock://} scope
     * @param windows        how many windows to show per series before finishing (unless {@code untilStopped})
     * @param windowSize     event-time length of a window
     * @param eventsPerWindow events per series per window
     * @param out            where the live table goes
     * @param color          highlight alerts with ANSI colours
     * @param httpPort       port of the live view (0 = any free port), or null for none
     * @param untilStopped   keep producing traffic, showing windows and serving the live view until
     *                       {@link #stop()} (Ctrl-C), however many windows that is
     */
    public record Options(String registryUrl, int windows, Duration windowSize, int eventsPerWindow,
                          PrintStream out, boolean color, Integer httpPort, boolean untilStopped) {
    }

    private final Options options;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Path stateDir;
    private final CountDownLatch viewReady = new CountDownLatch(1);
    private volatile URI viewUrl;
    private long lastProgress;
    private boolean progressShown;

    public Demo(final Options options) {
        this.options = options;
    }

    /** Asks a running demo to finish (Ctrl-C). */
    public void stop() {
        stop.set(true);
    }

    /**
     * Waits until {@link #run()} has returned or thrown, with its broker and state directories
     * deleted, or the bound has passed; returns at once if it never started.
     *
     * @return whether the demo finished within the bound
     */
    public boolean awaitFinished(final Duration bound) throws InterruptedException {
        return !started.get() || finished.await(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The live view's address, once the application has started.
     *
     * @param bound how long to wait for it
     * @return the URL, or null if the demo serves no view or did not start within the bound
     */
    public URI awaitViewUrl(final Duration bound) throws InterruptedException {
        return viewReady.await(bound.toMillis(), TimeUnit.MILLISECONDS) ? viewUrl : null;
    }

    /** The Kafka Streams state directory of the last {@link #run()}, or null before one. */
    Path stateDirectory() {
        return stateDir;
    }

    /** The demo's monitor: genre per country, windows of the chosen size, alerts on JS distance and the G-test. */
    static Map<String, String> demoConfig(final String bootstrap, final String registryUrl, final Duration size) {
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("application.id", "divergent-demo-" + UUID.randomUUID().toString().substring(0, 8));
        keys.put("bootstrap.servers", bootstrap);
        keys.put("schema.registry.url", registryUrl);
        keys.put("partitions", "2");
        keys.put("max.future", "0");
        keys.put("kafka.commit.interval.ms", "200");
        keys.put("monitor.genres.input.topic", INPUT);
        keys.put("monitor.genres.value.format", "avro");
        keys.put("monitor.genres.category.field", "genre");
        keys.put("monitor.genres.segment.fields", "country");
        keys.put("monitor.genres.window.size", size.toMillis() + "ms");
        // No grace: the two input partitions reach the window tasks interleaved, and each window
        // task closes by the least event time of the partitions (InputWatermark), so a record of
        // the slower partition is not late.
        keys.put("monitor.genres.window.grace", "0ms");
        keys.put("monitor.genres.alert.js_distance.warning", "0.1");
        keys.put("monitor.genres.alert.js_distance.critical", "0.25");
        keys.put("monitor.genres.alert.g_p_value.warning", "0.001");
        keys.put("monitor.genres.alert.min.events", "100");
        return keys;
    }

    /** The genre distribution of a country in a window: DE drifts from window 2 on, US stays put. */
    static double[] distribution(final String country, final int window) {
        final double[] p = BASELINE.clone();
        if (country.equals("DE") && window >= 2) {
            final double step = Math.min(1.0, (window - 1) / 3.0);
            p[5] = 0.25 * step;          // documentary appears
            p[3] = 0.15 * (1 - step);    // horror fades
            double sum = 0;
            for (final double v : p) {
                sum += v;
            }
            for (int i = 0; i < p.length; i++) {
                p[i] /= sum;
            }
        }
        return p;
    }

    /**
     * Runs the demo to its end, once. Everything it creates on disk (the broker's data, the
     * Kafka Streams state) is deleted when it returns or throws.
     *
     * @return the process exit code
     * @throws IllegalStateException if this demo already ran
     */
    public int run() throws Exception {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a demo runs once");
        }
        try {
            stateDir = StateDirs.create(Path.of(System.getProperty("java.io.tmpdir")), "demo");
            try {
                return runWith(stateDir);
            } finally {
                StateDirs.delete(stateDir);   // runWith closed the application
            }
        } finally {
            finished.countDown();
        }
    }

    private int runWith(final Path stateDir) throws Exception {
        try {
            return serve(stateDir);
        } finally {
            viewReady.countDown();
        }
    }

    private int serve(final Path stateDir) throws Exception {
        final PrintStream out = options.out();
        out.println("Starting a single-node Kafka broker (KRaft) in this JVM...");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            final String registry = options.registryUrl() != null ? options.registryUrl()
                    : "mock://demo-" + UUID.randomUUID();
            out.println("Broker at " + broker.bootstrapServers() + ", schema registry " + registry);
            final Map<String, String> keys = demoConfig(broker.bootstrapServers(), registry, options.windowSize());
            keys.put("kafka." + StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            if (options.httpPort() != null) {
                keys.put("http.port", Integer.toString(options.httpPort()));
                keys.put("http.advertised.host", "localhost");
            }
            final DivergentConfig config = DivergentConfig.fromMap(keys);
            createTopics(broker, config);
            final long size = options.windowSize().toMillis();
            final long base = (Instant.now().toEpochMilli() / size) * size;
            try (KafkaProducer<String, Object> producer = producer(broker, config)) {
                publishReferences(producer, config, base);
                out.println("Reference published for " + COUNTRIES.size() + " series; starting Divergent...");
                try (DivergentApp app = DivergentApp.start(config)) {
                    app.viewUrl().ifPresent(url -> {
                        viewUrl = url;
                        out.println("Live view: " + url);
                    });
                    viewReady.countDown();
                    // Traffic starts once tasks run: a backlog would let one input partition race ahead
                    // of the other in event time and make the slower one's records late.
                    final long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (app.streams().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING
                            && System.nanoTime() < until && !stop.get()) {
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                    }
                    if (app.streams().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
                        out.println("Divergent did not reach RUNNING within 60 s (state " + app.streams().state() + "); see the log above.");
                        return 1;
                    }
                    final AtomicLong produced = new AtomicLong();
                    final Thread traffic = new Thread(() -> produceTraffic(producer, base, produced), "demo-traffic");
                    traffic.setDaemon(true);
                    traffic.start();
                    if (options.untilStopped()) {
                        out.println("Producing and serving until Ctrl-C.");
                    }
                    final int shown = watch(config, base, produced);
                    stop.set(true);
                    traffic.join(10_000);
                    out.println();
                    out.println(!options.untilStopped() && shown >= options.windows() * COUNTRIES.size()
                            ? "Done: " + options.windows() + " windows per series."
                            : "Stopped after " + shown + " windows shown.");
                }
            }
        }
        printNextSteps(out);
        return 0;
    }

    /** The input, and the reference topic the demo publishes to before Divergent starts. */
    private static void createTopics(final EmbeddedKafkaBroker broker, final DivergentConfig config) {
        try (TopicManager topics = TopicManager.connect(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            topics.ensureTopic(NewTopicSpec.of(INPUT, INPUT_PARTITIONS));
            topics.ensureTopic(NewTopicSpec.compacted(config.referenceTopic(), 2));
        }
    }

    private KafkaProducer<String, Object> producer(final EmbeddedKafkaBroker broker, final DivergentConfig config) {
        final Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        final Serde<Object> values = genericSerde(config);
        return new KafkaProducer<>(props, new StringSerializer(), values.serializer());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Serde<Object> genericSerde(final DivergentConfig config) {
        return (Serde) AvroSerdes.generic(config.serdeProperties(), false);
    }

    private void publishReferences(final KafkaProducer<String, Object> producer, final DivergentConfig config,
                                   final long base) throws Exception {
        final Map<String, Double> weights = new LinkedHashMap<>();
        for (int i = 0; i < GENRES.length; i++) {
            if (BASELINE[i] > 0) {
                weights.put(GENRES[i], BASELINE[i] * 1000);
            }
        }
        for (final String country : COUNTRIES) {
            producer.send(new ProducerRecord<>(config.referenceTopic(), null, base - 1,
                    "genres|country=" + country, new ReferenceDistribution(weights, "demo baseline", io.divergent.avro.WeightsKind.FIXED))).get();
        }
    }

    private void produceTraffic(final KafkaProducer<String, Object> producer, final long base, final AtomicLong produced) {
        final Random random = new Random(42);
        final long size = options.windowSize().toMillis();
        final int n = options.eventsPerWindow();
        for (int w = 0; (options.untilStopped() || w <= options.windows()) && !stop.get(); w++) {
            for (int i = 0; i < n && !stop.get(); i++) {
                final long time = base + w * size + (i * size) / n;
                for (final String country : COUNTRIES) {
                    final String genre = sample(distribution(country, w), random);
                    final PlayEvent event = PlayEvent.newBuilder().setUserId("user-" + random.nextInt(1000))
                            .setGenre(genre).setCountry(country).setDevice(random.nextBoolean() ? "tv" : "phone")
                            .setModelVersion("v1").build();
                    producer.send(new ProducerRecord<>(INPUT, null, time, event.getUserId(), event));
                    produced.incrementAndGet();
                }
            }
            producer.flush();
            pause(Duration.ofMillis(700));
        }
        // One more event per country and input partition, at the end of the last window shown,
        // closes it (every partition must pass it).
        for (final String country : COUNTRIES) {
            for (int p = 0; p < INPUT_PARTITIONS; p++) {
                producer.send(new ProducerRecord<>(INPUT, p, base + options.windows() * size, "closer",
                        PlayEvent.newBuilder().setUserId("closer").setGenre("action").setCountry(country).build()));
            }
        }
        producer.flush();
    }

    private void pause(final Duration duration) {
        final long until = System.nanoTime() + duration.toNanos();
        while (!stop.get() && System.nanoTime() < until) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }

    private static String sample(final double[] p, final Random random) {
        double u = random.nextDouble();
        for (int i = 0; i < p.length; i++) {
            u -= p[i];
            if (u < 0) {
                return GENRES[i];
            }
        }
        return GENRES[0];
    }

    /** Prints the live table until every series showed the wanted number of windows; returns events shown. */
    private int watch(final DivergentConfig config, final long base, final AtomicLong produced) {
        final PrintStream out = options.out();
        final Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "divergent-demo-viewer-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final Map<String, List<DriftAlert>> alerts = new HashMap<>();
        // Per series, the rules (kind/measure) firing: an episode's later windows raise no new alert event.
        final Map<String, java.util.Set<String>> firing = new HashMap<>();
        int shown = 0;
        final long deadline = System.nanoTime() + Duration.ofSeconds(60L + 3L * options.windows()).toNanos();
        final var eventReader = AvroSerdes.specific(DivergenceEvent.class, config.serdeProperties(), false).deserializer();
        final var alertReader = AvroSerdes.specific(DriftAlert.class, config.serdeProperties(), false).deserializer();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(config.outputTopic(), config.alertsTopic()));
            out.println();
            out.printf(Locale.ROOT, ROW + "%n", "window (UTC)", "series", "N", "JS dist", "p-value", "alert", "drifting");
            while ((options.untilStopped() || shown < options.windows() * COUNTRIES.size() && System.nanoTime() < deadline)
                    && !stop.get()) {
                final var records = consumer.poll(Duration.ofMillis(500));
                final List<DivergenceEvent> events = new ArrayList<>();
                for (final ConsumerRecord<String, byte[]> record : records) {
                    if (record.topic().equals(config.alertsTopic())) {
                        final DriftAlert alert = alertReader.deserialize(record.topic(), record.value());
                        alerts.computeIfAbsent(alert.getSeriesId() + "@" + alert.getWindowStart(), k -> new ArrayList<>()).add(alert);
                        final java.util.Set<String> rules = firing.computeIfAbsent(alert.getSeriesId(), k -> new java.util.HashSet<>());
                        final String rule = alert.getKind() + "/" + alert.getMeasure();
                        if (alert.getState() == io.divergent.avro.AlertState.RESOLVED) {
                            rules.remove(rule);
                        } else {
                            rules.add(rule);
                        }
                    } else {
                        events.add(eventReader.deserialize(record.topic(), record.value()));
                    }
                }
                for (final DivergenceEvent event : events) {
                    clearProgress(out);
                    out.println(row(event, alerts.getOrDefault(event.getSeriesId() + "@" + event.getWindowStart(), List.of()),
                            !firing.getOrDefault(event.getSeriesId(), java.util.Set.of()).isEmpty()));
                    shown++;
                }
                if (events.isEmpty() && System.nanoTime() - lastProgress > 2_000_000_000L) {
                    lastProgress = System.nanoTime();
                    final String progress = String.format(Locale.ROOT, "... %,d events produced; waiting for the next window to close",
                            produced.get());
                    if (options.color()) {
                        out.print("\r" + progress);
                        progressShown = true;
                    } else {
                        out.println(progress);
                    }
                }
            }
        }
        return shown;
    }

    /** On a terminal the progress line is rewritten in place; erase it before a row. */
    private void clearProgress(final PrintStream out) {
        if (progressShown) {
            out.print("\r\u001b[K");
            progressShown = false;
        }
    }

    /** One row: window, series, N, JS distance, p-value, alert, drifting categories. */
    private static final String ROW = "%-17s %-18s %5s %7s %8s  %-22s %s";

    private String row(final DivergenceEvent event, final List<DriftAlert> alerts, final boolean inAlert) {
        final String window = TIME.format(event.getWindowStart()) + "-" + TIME.format(event.getWindowEnd());
        final String alertText = alertText(alerts, inAlert);
        final String line = String.format(Locale.ROOT, ROW, window, event.getSeriesId(),
                event.getObservedTotal(), fmt(event.getJsDistance()), pValue(event.getGPValue()), alertText,
                alertText.isEmpty() ? "" : drifting(event)).stripTrailing();
        if (!options.color() || alertText.isEmpty()) {
            return line;
        }
        final boolean critical = alerts.stream().anyMatch(a -> a.getSeverity().name().equals("CRITICAL"));
        return (critical ? "\u001b[1;31m" : "\u001b[33m") + line + "\u001b[0m";
    }

    /** The window's new alerts (highest severity, its measure, +N others), "firing" while an episode goes on, else empty. */
    static String alertText(final List<DriftAlert> alerts, final boolean inAlert) {
        final List<DriftAlert> firing = alerts.stream().filter(a -> a.getState() != io.divergent.avro.AlertState.RESOLVED).toList();
        if (firing.isEmpty()) {
            return inAlert ? "firing" : "";
        }
        final boolean critical = firing.stream().anyMatch(a -> a.getSeverity().name().equals("CRITICAL"));
        // The most severe rule's measure, then how many more fired: the row stays one short line.
        final DriftAlert first = firing.stream().filter(a -> !critical || a.getSeverity().name().equals("CRITICAL"))
                .findFirst().orElseThrow();
        return (critical ? "CRITICAL " : "WARNING ") + first.getMeasure() + (firing.size() > 1 ? " +" + (firing.size() - 1) : "");
    }

    /** The two largest contributors that moved, with how: "documentary new, horror shrank". */
    static String drifting(final DivergenceEvent event) {
        if (event.getTopContributors() == null) {
            return "";
        }
        return String.join(", ", event.getTopContributors().stream()
                .filter(c -> c.getDirection() != io.divergent.avro.ContributionDirection.UNCHANGED)
                .limit(2)
                .map(c -> c.getCategory() + " " + c.getDirection().name().toLowerCase(Locale.ROOT))
                .toList());
    }

    private static String pValue(final Double p) {
        if (p == null) {
            return "-";
        }
        return p < 1e-3 ? String.format(Locale.ROOT, "%.0e", p) : String.format(Locale.ROOT, "%.3f", p);
    }

    private static String fmt(final Double value) {
        if (value == null) {
            return "-";
        }
        return Double.isInfinite(value) ? "Infinity" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static void printNextSteps(final PrintStream out) {
        out.println();
        out.println("To watch your own topics: write a config file (README, 'Configuration'), then");
        out.println("  java -jar target/divergent.jar run --config divergent.properties");
        out.println("or set bootstrap.servers / schema.registry.url with --set, KAFKA_BOOTSTRAP_SERVERS and");
        out.println("DIVERGENT_SCHEMA_REGISTRY_URL. docker compose up runs Kafka, a Schema Registry and Divergent together.");
    }
}
