package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.avro.ReferenceDistribution;
import io.divergent.config.DivergentConfig;
import io.divergent.config.FieldPath;
import io.divergent.config.MonitorConfig;
import io.divergent.config.ReferenceMode;
import io.divergent.serde.AvroSerdes;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds Divergent's Kafka Streams topology. Contract: {@code docs/streaming.md}.
 *
 * <pre>
 * input topic --(observe: decode once, one observation per monitor)--(batch per window partition and commit)
            --> observation batches repartition (by the partition of the series id) --(unbatch)--> window task
 *             (with input.partitioned.by.series: no repartition, each record checked to be on its series' partition)
 * reference topic --(validate)--> global reference store (every instance, all series; no changelog)
 * observations --> window task: counts per (series, pane) on the heap, written per commit; reads the reference store;
 *                  closes on stream time (or on the wall clock when idle) --> alerting
 *                             (p-values corrected per window, alert lifecycle per (series, rule))
 *                             --> events topic, alerts topic
 * every stream stage --> dead-letter topic (malformed, missing category, late, future; an invalid reference is logged
 *                        and counted, since a global store's processor forwards nothing)
 * </pre>
 *
 * <p>Every processor, store and internal topic is named here; changelog and repartition topic
 * names derive from these names, so renaming one is a migration:
 * {@code <application.id>-divergent-observation-batches-repartition},
 * {@code <application.id>-divergent-<monitor>-panes-changelog}, and so on.
 */
public final class DivergentTopology {

    /**
     * Repartition topic (name stem) of the observations, in batches ({@link ObservationBatch}) keyed
     * by the partition of their series ids. Before issue 16's batching, one record per observation
     * went to {@code divergent-observations}; the new name keeps a new version from reading that
     * topic's records as batches.
     */
    public static final String OBSERVATION_BATCHES = "divergent-observation-batches";
    /**
     * The {@link CommitHook} that has an input topic's {@link ObservationBatcher} (held by the topic's
     * observe processor) send its batches before each commit of its task; no changelog.
     */
    public static String batcherHook(final String inputTopic) {
        return "divergent-batcher-commit-hook-" + inputTopic;
    }
    /**
     * Global store of reference versions: (series, timestamp) -> weights, or empty for a
     * tombstone; filled from the reference topic by {@link ReferenceProcessor}.
     */
    public static final String REFERENCE_STORE = "divergent-reference-versions";
    /** Store of the task's stream time and each monitor's closed-until time. */
    public static final String META_STORE = "divergent-stream-time";
    /** The key of the task's stream time in {@link #META_STORE} (a Long, -1 or absent before the first record). */
    public static final String STREAM_TIME_KEY = "stream-time";
    /** The window processor. */
    public static final String WINDOWS = "divergent-windows";
    /** The alert processor, after the window processor in the same task. */
    public static final String ALERTING = "divergent-alerting";
    /**
     * Store of each series' recent events and latest alert, for interactive queries (layout:
     * {@link RecentEvents}); in the topology only when {@code http.port} is set.
     */
    public static final String RECENT_EVENTS_STORE = "divergent-recent-events";
    /** The processor that keeps {@link #RECENT_EVENTS_STORE}. */
    public static final String RECENT_EVENTS = "divergent-recent-events-writer";

    private DivergentTopology() {
    }

    /**
     * Store of a monitor's open panes: (pane start, commit sequence) -> the changes of the pane's
     * series in that commit ({@code PaneJournal}), as of the task's last commit (logged, not
     * cached: one value per changed pane per commit, from the heap). Named {@code -panes}, not the {@code -counts} of versions before
     * issue 16, whose one-key-per-category layout it does not read.
     */
    public static String panesStore(final String monitor) {
        return "divergent-" + monitor + "-panes";
    }

    /** The store that calls the window processor before each commit of its task ({@code CommitHook}; holds nothing). */
    public static final String COMMIT_HOOK = "divergent-commit-hook";

    /** Store of a monitor's alert statuses: (series, rule) -> {@link io.divergent.alert.AlertStatus}. */
    public static String alertStore(final String monitor) {
        return "divergent-" + monitor + "-alert-state";
    }

    /** Store of a monitor's past window histograms (previous / last-n baselines): (series, window start) -> histogram. */
    public static String historyStore(final String monitor) {
        return "divergent-" + monitor + "-history";
    }

    /** Store of a monitor's expected series and their recent volume ({@link VolumeHistory}), as a {@link VolumeJournal}. */
    public static String volumeStore(final String monitor) {
        return "divergent-" + monitor + "-volume";
    }

    /**
     * Builds the topology for a configuration. Mutates nothing it is given.
     *
     * @param config      the validated configuration; {@code partitions() == 0} builds with 1
     *                    partition for the internal topics ({@code run} resolves 0 to the input
     *                    topics' partition count before building)
     * @param serdeConfig configuration of the Avro serdes ({@code schema.registry.url}, which may
     *                    be {@code mock://scope}, and the other registry client settings)
     * @return the topology, ready for {@code KafkaStreams} or {@code TopologyTestDriver}
     */
    public static Topology build(final DivergentConfig config, final Map<String, ?> serdeConfig) {
        return build(config, serdeConfig, true);
    }

    /**
     * The topology a replay runs ({@code replay}, tests): as {@link #build}, except that with
     * {@code input.partitioned.by.series} the records' partitions are not checked, since a
     * replayed input is one recorded stream on one partition. Families and reference placement
     * stay those of the deployment, so a replay emits what it does.
     */
    public static Topology forReplay(final DivergentConfig config, final Map<String, ?> serdeConfig) {
        return build(config, serdeConfig, false);
    }

    private static Topology build(final DivergentConfig config, final Map<String, ?> serdeConfig,
                                  final boolean checkPartitions) {
        final StreamsBuilder builder = new StreamsBuilder();
        // Checked whether or not there is a dead-letter topic: a bad max.request.size is a bad config either way.
        final int budget = DeadLetter.budget(config.kafkaProperties());
        final int deadLetterBudget = config.deadLetterTopic().isPresent() ? budget : DeadLetters.UNROUTED;
        final int partitions = Math.max(1, config.partitions());
        final SeriesPartitioner placement = SeriesPartitioner.of(config);
        final int checkedPartitions = placement.isBySegments() && checkPartitions ? partitions : 0;
        final Serde<DivergenceEvent> eventSerde = AvroSerdes.specific(DivergenceEvent.class, serdeConfig, false);
        final Serde<DriftAlert> alertSerde = AvroSerdes.specific(DriftAlert.class, serdeConfig, false);

        final boolean batching = !placement.isBySegments();
        final List<KStream<Object, Object>> observed = new ArrayList<>();
        for (final String topic : config.inputTopics()) {
            final List<MonitorConfig> monitors = config.monitorsOf(topic);
            // An Avro input is decoded for the fields its monitors read alone (the others are skipped).
            final List<List<String>> read = monitors.stream().flatMap(m -> m.fieldsRead().stream())
                    .map(FieldPath::parts).distinct().toList();
            final String hook = batcherHook(topic);
            if (batching) {
                builder.addStateStore(CommitHook.builder(hook));
            }
            // One decoder per processor instance: Avro decoders are reused per record and are not thread-safe.
            // Repartitioned: each topic's observe processor batches its task's observations itself
            // (ObservationBatcher) and forwards batches; otherwise it forwards each observation.
            final KStream<Object, Object> routed = builder
                    .stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("divergent-source-" + topic))
                    .process(() -> new ObserveProcessor(monitors, new ValueDecoder(monitors.get(0).valueFormat(),
                                    AvroSerdes.projected(serdeConfig, read)), deadLetterBudget, checkedPartitions,
                                    batching ? new ObservationBatcher(partitions, hook) : null),
                            Named.as("divergent-observe-" + topic), batching ? new String[] {hook} : new String[0]);
            final Map<String, KStream<Object, Object>> branches = routed.split(Named.as("divergent-route-" + topic + "-"))
                    .branch((k, v) -> !(v instanceof DeadLetter), Branched.as("observations"))
                    .defaultBranch(Branched.as("dead-letters"));
            deadLetters(config, branches.get("divergent-route-" + topic + "-dead-letters"), "divergent-observe-" + topic);
            observed.add(branches.get("divergent-route-" + topic + "-observations"));
        }
        KStream<Object, Object> observations = observed.get(0);
        for (int i = 1; i < observed.size(); i++) {
            observations = observations.merge(observed.get(i), Named.as("divergent-merge-" + config.inputTopics().get(i)));
        }

        // A global store: every instance holds every reference, filled before any task processes a
        // record and restored by reprocessing the reference topic itself (no changelog, no repartition).
        final ReferenceLookup.Generation referenceGeneration = new ReferenceLookup.Generation();
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REFERENCE_STORE),
                        Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled(),
                config.referenceTopic(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("divergent-reference-source"),
                () -> new ReferenceProcessor(config.referenceFormat(),
                        AvroSerdes.specific(ReferenceDistribution.class, serdeConfig, false).deserializer(), REFERENCE_STORE,
                        referenceGeneration));

        final WindowSupplier windows = new WindowSupplier(config, deadLetterBudget, referenceGeneration);
        // Input partitioned by series: the window task is the source task, no repartition.
        final KStream<String, Routed> windowed = batching
                ? repartitionInBatches(DivergentTopology.<Integer, byte[]>narrow(observations), partitions)
                        .process(windows.unbatching(), Named.as(WINDOWS))
                : DivergentTopology.<String, Observation>narrow(observations).process(windows, Named.as(WINDOWS));
        final KStream<String, Routed> alerted = windowed
                .process(new AlertSupplier(config.monitors(), placement, partitions), Named.as(ALERTING));
        if (config.httpPort().isPresent()) {
            // Only the HTTP server reads it: without one it would be a changelogged copy of every event for nobody.
            alerted.process(new RecentEventsSupplier(config, eventSerde, alertSerde), Named.as(RECENT_EVENTS));
        }
        final BranchedKStream<String, Routed> outputs = alerted.split(Named.as("divergent-output-"));
        final Map<String, KStream<String, Routed>> out = outputs
                .branch((k, v) -> v instanceof Emitted.Event, Branched.as("events"))
                .branch((k, v) -> v instanceof Emitted.Alert, Branched.as("alerts"))
                .defaultBranch(Branched.as("dead-letters"));
        out.get("divergent-output-events")
                .mapValues(v -> ((Emitted.Event) v).event(), Named.as("divergent-events"))
                .to(config.outputTopic(), Produced.with(Serdes.String(), eventSerde).withName("divergent-events-sink"));
        out.get("divergent-output-alerts")
                .mapValues(v -> ((Emitted.Alert) v).alert(), Named.as("divergent-alerts"))
                .to(config.alertsTopic(), Produced.with(Serdes.String(), alertSerde).withName("divergent-alerts-sink"));
        deadLetters(config, out.get("divergent-output-dead-letters"), WINDOWS);
        return builder.build();
    }

    /**
     * Sends the observation batches ({@link ObservationBatch}, one per (source task, input topic,
     * window partition, flush), from the {@link ObservationBatcher} each observe processor holds) to
     * the window tasks' partitions, keyed by partition; the window task reads each batch's
     * observations back ({@link ObservationUnbatcher}).
     */
    private static KStream<Integer, byte[]> repartitionInBatches(final KStream<Integer, byte[]> batches,
                                                                 final int partitions) {
        return batches.repartition(Repartitioned.with(Serdes.Integer(), Serdes.ByteArray())
                .withName(OBSERVATION_BATCHES).withNumberOfPartitions(partitions)
                .withStreamPartitioner((topic, partition, batch, count) -> Optional.of(Set.of(partition))));
    }

    /**
     * The observe processors' output, past the dead-letter branch, as what it holds: observations
     * keyed by series id, or batches keyed by window partition. A cast of the stream, not a node
     * per record (Kafka Streams' types are erased at run time).
     */
    @SuppressWarnings("unchecked")
    private static <K, V> KStream<K, V> narrow(final KStream<Object, Object> stream) {
        return (KStream<K, V>) (KStream<?, ?>) stream;
    }

    /** Routes dead letters, with their original key, value and reason headers, to the dead-letter topic if one is configured. */
    private static void deadLetters(final DivergentConfig config, final KStream<?, ?> stream, final String from) {
        config.deadLetterTopic().ifPresent(topic -> stream
                .map((k, v) -> KeyValue.pair(((DeadLetter) v).key(), ((DeadLetter) v).value()),
                        Named.as(from + "-dead-letter"))
                .to(topic, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(from + "-dead-letter-sink")));
    }

    /** Supplies alert processors and owns each monitor's alert status store. */
    private static final class AlertSupplier implements ProcessorSupplier<String, Routed, String, Routed> {
        private final List<MonitorConfig> monitors;
        private final Map<String, String> names = new java.util.HashMap<>();
        private final Set<StoreBuilder<?>> stores = new java.util.LinkedHashSet<>();
        private final SeriesPartitioner placement;
        private final int partitions;

        AlertSupplier(final List<MonitorConfig> monitors, final SeriesPartitioner placement, final int partitions) {
            this.monitors = monitors;
            this.placement = placement;
            this.partitions = partitions;
            for (final MonitorConfig monitor : monitors) {
                names.put(monitor.name(), alertStore(monitor.name()));
                stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(alertStore(monitor.name())),
                        Serdes.String(), Serdes.ByteArray()).withCachingEnabled());
            }
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return stores;
        }

        @Override
        public AlertProcessor get() {
            return new AlertProcessor(monitors, names, placement, partitions);
        }
    }

    /** Supplies {@link RecentEventsProcessor}s and owns their store (changelogged, like every store here). */
    private static final class RecentEventsSupplier implements ProcessorSupplier<String, Routed, Void, Void> {
        private final Map<String, MonitorConfig> monitors = new java.util.HashMap<>();
        private final int capacity;
        private final Serde<DivergenceEvent> events;
        private final Serde<DriftAlert> alerts;
        private final String eventsTopic;
        private final String alertsTopic;

        RecentEventsSupplier(final DivergentConfig config, final Serde<DivergenceEvent> events, final Serde<DriftAlert> alerts) {
            config.monitors().forEach(m -> monitors.put(m.name(), m));
            this.capacity = config.historyEvents();
            this.events = events;
            this.alerts = alerts;
            this.eventsTopic = config.outputTopic();
            this.alertsTopic = config.alertsTopic();
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RECENT_EVENTS_STORE),
                    Serdes.String(), Serdes.ByteArray()).withCachingEnabled());
        }

        @Override
        public RecentEventsProcessor get() {
            return new RecentEventsProcessor(monitors, capacity, events.serializer(), alerts.serializer(), eventsTopic, alertsTopic);
        }
    }

    /**
     * Supplies window processors and owns the per-monitor stores and the stream-time store; it
     * hands each processor the names of the stores it connects (with the reference store, which
     * the topology connects by name), so a store is named in one place.
     */
    private static final class WindowSupplier implements ProcessorSupplier<String, Observation, String, Routed> {
        private final List<MonitorConfig> monitors;
        private final long maxFutureMs;
        private final long maxCategories;
        private final int deadLetterBudget;
        private final WindowProcessor.Liveness liveness;
        private final Set<StoreBuilder<?>> stores = new java.util.LinkedHashSet<>();
        private final WindowProcessor.StoreNames names;
        private final ReferenceLookup.Generation referenceGeneration;
        /** Behind the repartition: by monitor, the input partitions its watermark awaits from the start. */
        private final Map<String, Integer> awaitedPartitions = new java.util.HashMap<>();

        WindowSupplier(final DivergentConfig config, final int deadLetterBudget,
                       final ReferenceLookup.Generation referenceGeneration) {
            this.deadLetterBudget = deadLetterBudget;
            this.referenceGeneration = referenceGeneration;
            this.monitors = config.monitors();
            for (final MonitorConfig monitor : monitors) {
                final Integer count = config.inputPartitions().get(monitor.inputTopic());
                if (count != null) {
                    awaitedPartitions.put(monitor.name(), count);
                }
            }
            this.maxFutureMs = config.maxFuture().toMillis();
            this.maxCategories = config.maxCategories();
            this.liveness = new WindowProcessor.Liveness(config.idleTimeout().toMillis(), config.seriesHorizonWindows(),
                    config.volumeWindows());
            // The meta, panes and volume stores are written once per commit, from the commit hook,
            // and are not cached: a cache would hold those writes past the commit they belong to.
            stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(META_STORE), Serdes.String(), Serdes.Long())
                    .withCachingDisabled());
            stores.add(CommitHook.builder(COMMIT_HOOK));
            final Map<String, String> panes = new java.util.HashMap<>();
            final Map<String, String> history = new java.util.HashMap<>();
            final Map<String, String> volume = new java.util.HashMap<>();
            for (final MonitorConfig monitor : monitors) {
                panes.put(monitor.name(), panesStore(monitor.name()));
                stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(panes.get(monitor.name())),
                        Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled());
                volume.put(monitor.name(), volumeStore(monitor.name()));
                stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(volume.get(monitor.name())),
                        Serdes.String(), Serdes.ByteArray()).withCachingDisabled());
                if (monitor.referenceMode() != ReferenceMode.TOPIC) {
                    history.put(monitor.name(), historyStore(monitor.name()));
                    stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(history.get(monitor.name())),
                            Serdes.Bytes(), Serdes.ByteArray()).withCachingEnabled());
                }
            }
            this.names = new WindowProcessor.StoreNames(META_STORE, COMMIT_HOOK, REFERENCE_STORE, panes, history, volume);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return stores;
        }

        /** A window processor reading the input itself (partitioned by series): it hears its own partition alone. */
        @Override
        public WindowProcessor get() {
            return new WindowProcessor(monitors, names, maxFutureMs, maxCategories, deadLetterBudget, liveness,
                    referenceGeneration);
        }

        /** The same window processors, each reading observation batches ({@link ObservationUnbatcher}), with the same stores. */
        ProcessorSupplier<Integer, byte[], String, Routed> unbatching() {
            return new ProcessorSupplier<>() {
                @Override
                public Set<StoreBuilder<?>> stores() {
                    return stores;
                }

                @Override
                public ObservationUnbatcher get() {
                    return new ObservationUnbatcher(new WindowProcessor(monitors, names, maxFutureMs, maxCategories,
                            deadLetterBudget, liveness, referenceGeneration, awaitedPartitions));
                }
            };
        }
    }
}
