package io.divergent.bench;

import io.divergent.avro.ReferenceDistribution;
import io.divergent.math.Histogram;
import io.divergent.serde.AvroSerdes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The synthetic input of one workload: Avro events of about 100 bytes on the wire, keyed by
 * series, spread over enough event time that about ten windows per series close during a run.
 * Deterministic for a workload and a record count (fixed seed; event time starts at a recent
 * whole hour, because the broker rejects timestamps more than an hour ahead and deletes
 * segments older than its retention), so every contender reads the same records and the
 * expected number of closed windows is known in advance.
 *
 * <p>Record {@code i} has event time {@code base + i * span / n} (minus up to {@code grace - 1}
 * ms for the workload's out-of-order fraction), so the event time, and with it the closing of
 * windows, advances steadily through the run.
 */
public final class SyntheticEvents {

    /** The input's value schema: a click-stream-like event; {@code series} and {@code category} are what is counted. */
    public static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "BenchEvent", "namespace": "io.divergent.bench",
             "fields": [
               {"name": "series", "type": "string"},
               {"name": "category", "type": "string"},
               {"name": "user_id", "type": "string"},
               {"name": "session_id", "type": "long"},
               {"name": "device", "type": "string"},
               {"name": "app_version", "type": "string"},
               {"name": "country", "type": "string"},
               {"name": "page", "type": "string"},
               {"name": "amount", "type": "double"}
             ]}""");

    private static final long HOUR = 3_600_000L;
    private static final long MAX_WINDOWS = 60;
    private static final long SEED = 20_261_123L;
    private static final String[] DEVICES = {"android-phone", "ios-phone", "web-desktop", "android-tv", "ios-tablet"};
    private static final String[] COUNTRIES = {"DE", "US", "FR", "BR", "IN", "JP", "GB", "ES"};
    private static final String[] PAGES = {"/home/featured", "/search/results", "/title/details", "/player/watch"};

    private final Workload workload;
    /** Start of event time: a whole hour (a multiple of every window size), two to three hours ago. */
    private final long base = (System.currentTimeMillis() - 2 * HOUR) / HOUR * HOUR;
    private final long records;
    private final int series;
    private final long spanMs;
    private final String[] seriesNames;
    private final String[] categoryNames;
    private final double[] seriesCdf;
    private final double[] categoryCdf;
    private final double[] categoryWeights;
    private long maxTime;

    /**
     * @param workload the workload
     * @param records  how many records the topic gets; the series count shrinks to
     *                 {@code records / 30} below 300,000 records so that small runs still close
     *                 windows with several events per series
     */
    public SyntheticEvents(final Workload workload, final long records) {
        this.workload = workload;
        this.records = records;
        this.series = (int) Math.max(Math.min(8, workload.series()), Math.min(workload.series(), records / 30));
        // At most an hour of event time: the input starts two to three hours ago and the broker
        // rejects timestamps from the future (only a workload with very few series gets near it).
        final long windows = Math.max(4, Math.min(MAX_WINDOWS, records / (series * 10L)));
        this.spanMs = windows * workload.sizeMs();
        this.seriesNames = names("series-%05d", series);
        this.categoryNames = names("category-%04d", workload.categories());
        this.categoryWeights = zipfWeights(workload.categories(), workload.zipf() > 0 ? workload.zipf() : 0.5);
        this.categoryCdf = cdf(categoryWeights);
        this.seriesCdf = workload.zipf() > 0 ? cdf(zipfWeights(series, workload.zipf())) : null;
    }

    /** Series in this input. */
    public int series() {
        return series;
    }

    /** Records in this input. */
    public long records() {
        return records;
    }

    /** The workload. */
    public Workload workload() {
        return workload;
    }

    /** The series names, the values of the {@code series} field and the record keys. */
    List<String> seriesNames() {
        return List.of(seriesNames);
    }

    /** The largest event time produced (the final stream time); 0 before {@link #produce}. */
    public long maxTime() {
        return maxTime;
    }

    /**
     * A valid event of the first series and category, at event time {@link #maxTime()}: it falls
     * in the last, still open, window and so changes no emitted result.
     */
    public GenericRecord closer() {
        return event(new Random(SEED), 0, 0);
    }

    /** The key of {@link #closer()}. */
    public String closerKey() {
        return seriesNames[0];
    }

    /** The reference every series is compared with: the category distribution the events are drawn from. */
    public Histogram reference() {
        final Histogram.Builder builder = Histogram.builder();
        for (int k = 0; k < categoryNames.length; k++) {
            builder.add(categoryNames[k], categoryWeights[k] * 1_000_000);
        }
        return builder.build();
    }

    /**
     * Produces every record to a topic: to its single partition, keyed by series (one task, one
     * stream time for every contender), or, for a workload of several partitions, keyed by user id
     * and spread round-robin over {@link Workload#partitions()}.
     *
     * @param bootstrap   bootstrap servers
     * @param topic       an existing topic with the workload's partitions
     * @param serdeConfig Avro serde configuration (the registry)
     * @return the windows, over all series, that close by the last record's event time, and the
     *         records they hold
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Closing produce(final String bootstrap, final String topic, final Map<String, ?> serdeConfig) {
        final Map<String, Object> props = producerProps(bootstrap);
        final Serializer<GenericRecord> values = (Serializer) AvroSerdes.generic(serdeConfig, false).serializer();
        final Random random = new Random(SEED);
        final FirstFailure failure = new FirstFailure();
        // Records per (series, window), the window by its end in advances from the base.
        final Map<Long, Long> windows = new HashMap<>();
        maxTime = 0;
        try (KafkaProducer<String, GenericRecord> producer = new KafkaProducer<>(props, new StringSerializer(), values)) {
            for (long i = 0; i < records; i++) {
                final int s = seriesCdf == null ? random.nextInt(series) : pick(seriesCdf, random.nextDouble());
                final int c = pick(categoryCdf, random.nextDouble());
                long time = base + i * spanMs / records;
                if (workload.outOfOrderFraction() > 0 && random.nextDouble() < workload.outOfOrderFraction()) {
                    time -= 1 + random.nextInt((int) workload.graceMs() - 1);
                }
                maxTime = Math.max(maxTime, time);
                final long lastStart = Math.floorDiv(time, workload.advanceMs()) * workload.advanceMs();
                for (long start = lastStart; start > time - workload.sizeMs(); start -= workload.advanceMs()) {
                    windows.merge((long) s << 32 | (start - base + workload.sizeMs()) / workload.advanceMs(), 1L, Long::sum);
                }
                final GenericRecord event = event(random, s, c);
                if (workload.keyedBySeries()) {
                    producer.send(new ProducerRecord<>(topic, 0, time, seriesNames[s], event), failure);
                } else {
                    // Keyed by user and spread round-robin: the series must be re-keyed downstream.
                    producer.send(new ProducerRecord<>(topic, (int) (i % workload.partitions()), time,
                            event.get("user_id").toString(), event), failure);
                }
            }
            producer.flush();
        }
        failure.check();
        final long lastClosedStart = maxTime - workload.graceMs() - workload.sizeMs();
        long closing = 0;
        long held = 0;
        for (final Map.Entry<Long, Long> window : windows.entrySet()) {
            if ((window.getKey() & 0xFFFF_FFFFL) * workload.advanceMs() - workload.sizeMs() + base <= lastClosedStart) {
                closing++;
                held += window.getValue();
            }
        }
        return new Closing(closing, held);
    }

    /**
     * What a contender that counts every record emits from the input by its last record's event time.
     *
     * @param windows the closed windows, over all series
     * @param records the records they hold, each once per window it falls in (on hopping windows,
     *                size / advance times)
     */
    public record Closing(long windows, long records) {
    }

    /**
     * Produces each (series, category) pair exactly once, all at event time a recent whole hour: one
     * open window holding {@code series() * categories} distinct counts (the restore benchmark).
     *
     * @return the number of records produced
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public long produceEachPairOnce(final String bootstrap, final String topic, final Map<String, ?> serdeConfig) {
        final Serializer<GenericRecord> values = (Serializer) AvroSerdes.generic(serdeConfig, false).serializer();
        final Random random = new Random(SEED);
        final FirstFailure failure = new FirstFailure();
        long produced = 0;
        try (KafkaProducer<String, GenericRecord> producer = new KafkaProducer<>(producerProps(bootstrap),
                new StringSerializer(), values)) {
            for (int s = 0; s < series; s++) {
                for (int c = 0; c < categoryNames.length; c++) {
                    producer.send(new ProducerRecord<>(topic, 0, base, seriesNames[s], event(random, s, c)), failure);
                    produced++;
                }
            }
            producer.flush();
        }
        failure.check();
        return produced;
    }

    /**
     * Publishes the reference of every series to a reference topic, keyed by {@code prefix + series},
     * with timestamp 0 so it applies to every window.
     */
    public void publishReferences(final String bootstrap, final String topic, final String prefix,
                                  final Map<String, ?> serdeConfig) {
        publishReferences(bootstrap, topic, seriesNames().stream().map(name -> prefix + name).toList(), serdeConfig);
    }

    /** Publishes the reference under each of the given series ids (timestamp 0: it applies to every window). */
    public void publishReferences(final String bootstrap, final String topic, final List<String> seriesIds,
                                  final Map<String, ?> serdeConfig) {
        final Map<String, Double> weights = new LinkedHashMap<>(reference().toMap());
        try (KafkaProducer<String, ReferenceDistribution> producer = new KafkaProducer<>(producerProps(bootstrap),
                new StringSerializer(), AvroSerdes.specific(ReferenceDistribution.class, serdeConfig, false).serializer())) {
            for (final String id : seriesIds) {
                producer.send(new ProducerRecord<>(topic, null, 0L, id,
                        new ReferenceDistribution(weights, "bench", io.divergent.avro.WeightsKind.FIXED)));
            }
            producer.flush();
        }
    }

    /** Keeps the first failed send: a bench over a partly filled topic would wait for records that never come. */
    private static final class FirstFailure implements Callback {
        private final AtomicReference<Exception> first = new AtomicReference<>();

        @Override
        public void onCompletion(final RecordMetadata metadata, final Exception exception) {
            if (exception != null) {
                first.compareAndSet(null, exception);
            }
        }

        void check() {
            if (first.get() != null) {
                throw new IllegalStateException("filling the input failed: " + first.get(), first.get());
            }
        }
    }

    private GenericRecord event(final Random random, final int s, final int c) {
        final GenericRecord event = new GenericData.Record(SCHEMA);
        event.put("series", seriesNames[s]);
        event.put("category", categoryNames[c]);
        event.put("user_id", "user-" + (1_000_000 + random.nextInt(9_000_000)));
        event.put("session_id", random.nextLong() >>> 20);
        event.put("device", DEVICES[random.nextInt(DEVICES.length)]);
        event.put("app_version", "5." + random.nextInt(20) + "." + random.nextInt(10));
        event.put("country", COUNTRIES[random.nextInt(COUNTRIES.length)]);
        event.put("page", PAGES[random.nextInt(PAGES.length)]);
        event.put("amount", Math.round(random.nextDouble() * 10_000) / 100.0);
        return event;
    }

    private static Map<String, Object> producerProps(final String bootstrap) {
        final Map<String, Object> props = new LinkedHashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return props;
    }

    private static String[] names(final String format, final int n) {
        final String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = String.format(Locale.ROOT, format, i);
        }
        return names;
    }

    private static double[] zipfWeights(final int n, final double exponent) {
        final double[] weights = new double[n];
        for (int k = 0; k < n; k++) {
            weights[k] = 1.0 / Math.pow(k + 1, exponent);
        }
        return weights;
    }

    private static double[] cdf(final double[] weights) {
        final double[] cdf = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            cdf[i] = sum;
        }
        for (int i = 0; i < cdf.length; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    private static int pick(final double[] cdf, final double u) {
        final int i = Arrays.binarySearch(cdf, u);
        return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
    }
}
