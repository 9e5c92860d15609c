package io.divergent.config;

import io.divergent.math.Unit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DivergentConfigTest {

    private static Map<String, String> minimal(final String... more) {
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("monitor.genres.input.topic", "plays");
        keys.put("monitor.genres.category.field", "genre");
        for (int i = 0; i + 1 < more.length; i += 2) {
            keys.put(more[i], more[i + 1]);
        }
        return keys;
    }

    @Test
    void eachCommaSeparatedSegmentFieldIsItsOwnPath() {
        final MonitorConfig m = DivergentConfig.fromMap(minimal("monitor.genres.segment.fields", "model_version, geo.country"))
                .monitors().get(0);
        assertThat(m.segmentFields()).extracting(FieldPath::toString).containsExactly("model_version", "geo.country");
    }

    @Test
    void defaults() {
        final DivergentConfig config = DivergentConfig.fromMap(minimal());
        assertThat(config.applicationId()).isEqualTo("divergent");
        assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.referenceTopic()).isEqualTo("divergent-reference");
        assertThat(config.deadLetterTopic()).contains("divergent-dead-letters");
        assertThat(config.maxFuture()).isEqualTo(Duration.ofHours(1));
        assertThat(config.maxCategories()).isEqualTo(10_000);
        final MonitorConfig m = config.monitors().get(0);
        assertThat(m.valueFormat()).isEqualTo(ValueFormat.AVRO);
        assertThat(m.windowSize()).isEqualTo(Duration.ofSeconds(60));
        assertThat(m.windowAdvance()).isEqualTo(m.windowSize());
        assertThat(m.hopping()).isFalse();
        assertThat(m.grace()).isEqualTo(Duration.ZERO);
        assertThat(m.referenceMode()).isEqualTo(ReferenceMode.TOPIC);
        assertThat(m.unit()).isEqualTo(Unit.BITS);
        assertThat(m.alpha()).isEqualTo(0.0);
        assertThat(m.topContributors()).isEqualTo(5);
        assertThat(config.kafkaProperties()).containsEntry("processing.guarantee", "exactly_once_v2")
                .containsEntry("compression.type", "zstd")
                .containsEntry("application.id", "divergent").containsEntry("bootstrap.servers", "localhost:9092");
    }

    /** The producer Kafka Streams builds compresses with zstd unless told otherwise, prefixed or not. */
    @Test
    void theProducerCompressesWithZstdUnlessToldOtherwise() {
        final Map<String, String> none = Map.of();
        assertThat(producerCompression(none)).isEqualTo("zstd");
        assertThat(producerCompression(Map.of("kafka.compression.type", "none"))).isEqualTo("none");
        assertThat(producerCompression(Map.of("kafka.producer.compression.type", "lz4"))).isEqualTo("lz4");
    }

    /**
     * Kafka Streams runs one stream thread per processor the JVM sees unless a key says otherwise
     * (issue 16: Kafka Streams' own default of one left a core idle), and the key still wins.
     */
    @Test
    void streamThreadsDefaultToTheProcessorsUnlessSet() {
        final int cores = Runtime.getRuntime().availableProcessors();
        assertThat(ConfigKeys.defaultStreamThreads()).isEqualTo(Math.max(1, cores));
        assertThat(streamThreads(Map.of())).isEqualTo(Math.max(1, cores));
        assertThat(streamThreads(Map.of("kafka.num.stream.threads", "1"))).isEqualTo(1);
        assertThat(streamThreads(Map.of("kafka.num.stream.threads", "3"))).isEqualTo(3);
    }

    /**
     * With one input topic every task reads one partition, so a task never waits for an empty
     * one ({@code max.task.idle.ms=-1}); with two, Kafka Streams' default (0) orders the reading
     * tasks' partitions by time; a key wins either way.
     */
    @Test
    void tasksNeverIdleWhenEveryMonitorReadsOneTopic() {
        assertThat(taskIdle(Map.of())).isEqualTo(-1L);
        final Map<String, String> twoTopics = Map.of("monitor.devices.input.topic", "sessions",
                "monitor.devices.category.field", "device");
        assertThat(taskIdle(twoTopics)).isEqualTo(0L);
        assertThat(taskIdle(Map.of("monitor.devices.input.topic", "plays", "monitor.devices.category.field", "device")))
                .as("two monitors of one topic").isEqualTo(-1L);
        assertThat(taskIdle(Map.of("kafka.max.task.idle.ms", "250"))).isEqualTo(250L);
    }

    /** The producers Kafka Streams makes batch 64 KiB unless a key says otherwise (ConfigKeys.KAFKA_DEFAULTS). */
    @Test
    void producersBatch64KibUnlessAKeySaysOtherwise() {
        assertThat(producerBatchSize(Map.of())).isEqualTo(65_536);
        assertThat(producerBatchSize(Map.of("kafka.batch.size", "32768"))).isEqualTo(32_768);
        assertThat(producerBatchSize(Map.of("kafka.producer.batch.size", "131072"))).isEqualTo(131_072);
    }

    private static Object producerBatchSize(final Map<String, String> extra) {
        final Map<String, String> keys = new java.util.HashMap<>(minimal());
        keys.putAll(extra);
        final Object size = new org.apache.kafka.streams.StreamsConfig(io.divergent.runtime.DivergentApp.streamsProperties(
                DivergentConfig.fromMap(keys))).getProducerConfigs("client").get("batch.size");
        return Integer.valueOf(size.toString());
    }

    private static long taskIdle(final Map<String, String> extra) {
        final Map<String, String> keys = new java.util.HashMap<>(minimal());
        keys.putAll(extra);
        return new org.apache.kafka.streams.StreamsConfig(io.divergent.runtime.DivergentApp.streamsProperties(
                DivergentConfig.fromMap(keys))).getLong(org.apache.kafka.streams.StreamsConfig.MAX_TASK_IDLE_MS_CONFIG);
    }

    private static int streamThreads(final Map<String, String> extra) {
        final Map<String, String> keys = new java.util.HashMap<>(minimal());
        keys.putAll(extra);
        return new org.apache.kafka.streams.StreamsConfig(io.divergent.runtime.DivergentApp.streamsProperties(
                DivergentConfig.fromMap(keys))).getInt(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG);
    }

    /**
     * zstd under at-least-once too (issue 16, fifteenth pass: the at-least-once commit no longer
     * leaves a window marked closed without its events, docs/reliability.md); a key still wins.
     */
    @Test
    void atLeastOnceCompressesLikeExactlyOnceUnlessSet() {
        assertThat(producerCompression(Map.of("kafka.processing.guarantee", "at_least_once"))).isEqualTo("zstd");
        assertThat(producerCompression(Map.of("kafka.processing.guarantee", "at_least_once",
                "kafka.compression.type", "none"))).isEqualTo("none");
    }

    private static Object producerCompression(final Map<String, String> extra) {
        final Map<String, String> keys = new java.util.HashMap<>(minimal());
        keys.putAll(extra);
        final org.apache.kafka.streams.StreamsConfig streams = new org.apache.kafka.streams.StreamsConfig(
                io.divergent.runtime.DivergentApp.streamsProperties(DivergentConfig.fromMap(keys)));
        return streams.getProducerConfigs("client").get("compression.type");
    }

    @Test
    void fileThenEnvironmentThenOverrides(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("d.properties");
        Files.writeString(file, "monitor.genres.input.topic=plays\nmonitor.genres.category.field=genre\n"
                + "monitor.genres.window.size=30s\napplication.id=from-file\nmonitor.genres.alpha=0.5\n");
        final DivergentConfig config = DivergentConfig.load(file,
                Map.of("DIVERGENT_APPLICATION_ID", "from-env", "DIVERGENT_MONITOR_GENRES_ALPHA", "1",
                        "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "KAFKA_SASL_JAAS_CONFIG", "secret-stuff",
                        "DIVERGENT_MONITOR_GENRES_ALERT_JS__DISTANCE_WARNING", "0.2", "PATH", "/bin"),
                Map.of("monitor.genres.alpha", "2"));
        assertThat(config.applicationId()).isEqualTo("from-env");
        assertThat(config.monitors().get(0).windowSize()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.monitors().get(0).alpha()).isEqualTo(2.0);
        assertThat(config.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.kafkaProperties()).containsEntry("bootstrap.servers", "kafka:9092").containsEntry("sasl.jaas.config", "secret-stuff");
        assertThat(config.monitors().get(0).thresholds()).containsExactly(
                new Threshold("js_distance", Direction.AT_LEAST, 0.2, Severity.WARNING));
        assertThat(config.effectiveProperties()).containsEntry("kafka.sasl.jaas.config", "********");
    }

    @Test
    void environmentNamesMapLikeTheKafkaImages() {
        assertThat(DivergentConfig.envKey("MONITOR_GENRES_WINDOW_SIZE")).isEqualTo("monitor.genres.window.size");
        assertThat(DivergentConfig.envKey("MONITOR_GENRES_ALERT_JS__DISTANCE_WARNING")).isEqualTo("monitor.genres.alert.js_distance.warning");
        assertThat(DivergentConfig.envKey("MONITOR_MY___MONITOR_UNIT")).isEqualTo("monitor.my-monitor.unit");
    }

    @Test
    void everyBadValueNamesKeyValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("monitor.genres.window.size", "60s", "monitor.genres.window.advance", "7s")))
                .isInstanceOf(ConfigException.class).hasMessage("invalid value '7s' for 'monitor.genres.window.advance': must divide monitor.genres.window.size (60000 ms) exactly");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("monitor.genres.window.grace", "-1s")))
                .hasMessageContaining("'-1s'").hasMessageContaining("monitor.genres.window.grace").hasMessageContaining(">= 0");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("monitor.genres.unit", "bans")))
                .hasMessage("invalid value 'bans' for 'monitor.genres.unit': allowed are bits, nats");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("monitor.genres.alpha", "-0.5")))
                .hasMessageContaining("'-0.5'").hasMessageContaining("monitor.genres.alpha").hasMessageContaining(">= 0");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("monitor.genres.value.format", "xml")))
                .hasMessage("invalid value 'xml' for 'monitor.genres.value.format': allowed are avro, json, string");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("monitor.genres.window.size", "soon")))
                .hasMessageContaining("'soon'").hasMessageContaining("500ms, 10s");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("monitor.genres.reference.mode", "previous", "monitor.genres.reference.windows", "2")))
                .hasMessageContaining("monitor.genres.reference.windows");
        assertThatThrownBy(() -> DivergentConfig.fromMap(Map.of("monitor.genres.category.field", "genre")))
                .hasMessage("missing value for 'monitor.genres.input.topic': the topic monitor 'genres' reads");
        assertThatThrownBy(() -> DivergentConfig.fromMap(Map.of())).hasMessageContaining("at least one monitor");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("monitor.genres.alert.js_distance.warning", "0.3",
                "monitor.genres.alert.js_distance.critical", "0.1"))).hasMessageContaining("at least as severe");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("max.categories", "many")))
                .hasMessage("invalid value 'many' for 'max.categories': an integer >= 0");
    }

    @Test
    void unknownKeysAreRejectedWithASuggestion() {
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("monitor.genres.windw.size", "1m")))
                .hasMessage("unknown key 'monitor.genres.windw.size': did you mean 'monitor.genres.window.size'?");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("output.topik", "x")))
                .hasMessage("unknown key 'output.topik': did you mean 'output.topic'?");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("monitor.genres.alert.jsd.warning", "1")))
                .hasMessageContaining("unknown key 'monitor.genres.alert.jsd.warning'");
        assertThatThrownBy(() -> DivergentConfig.load(null, Map.of("DIVERGENT_MONITOR_GENRES_INPUT_TOPIC", "plays",
                "DIVERGENT_MONITOR_GENRES_CATEGORY_FIELD", "genre", "DIVERGENT_OUTPUT_TOPC", "x"), Map.of()))
                .hasMessageContaining("'output.topc' (from DIVERGENT_OUTPUT_TOPC)");
        // passthrough prefixes are not checked
        assertThat(DivergentConfig.fromMap(minimal("kafka.whatever.setting", "1", "schema.registry.retries", "3"))
                .serdeProperties()).containsEntry("schema.registry.retries", "3");
    }

    /** The serdes get the documented default registry URL when the user sets none. */
    @Test
    void theDefaultRegistryUrlReachesTheSerdes() {
        assertThat(DivergentConfig.fromMap(minimal()).serdeProperties())
                .containsEntry("schema.registry.url", "http://localhost:8081");
        assertThat(DivergentConfig.fromMap(minimal("schema.registry.url", "mock://x", "basic.auth.user.info", "u:p"))
                .serdeProperties()).containsEntry("schema.registry.url", "mock://x").containsEntry("basic.auth.user.info", "u:p");
    }

    @Test
    void registryAndSerdeKeysAreCheckedAtLoad() {
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("schema.registry.url", "ftp://nowhere")))
                .isInstanceOf(ConfigException.class).hasMessage("invalid registry setting: schema.registry.url "
                        + "'ftp://nowhere' must be mock://SCOPE or comma-separated http(s):// URLs");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("schema.registry.url", "mock://")))
                .hasMessageContaining("needs exactly one non-empty scope");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("schema.registry.retries", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid registry setting: schema.registry.retries must be in [0, 100], was '-1'");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("schema.registry.retry.backoff.max.ms", "soon")))
                .isInstanceOf(ConfigException.class).extracting(e -> ((ConfigException) e).key())
                .isEqualTo("schema.registry.retry.backoff.max.ms");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("auto.register.schemas", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auto.register.schemas").hasMessageContaining("maybe");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("use.latest.version", "true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("use.latest.version=true needs auto.register.schemas=false");
        assertThatThrownBy(() -> DivergentConfig.load(null, Map.of("DIVERGENT_MONITOR_GENRES_INPUT_TOPIC", "plays",
                "DIVERGENT_MONITOR_GENRES_CATEGORY_FIELD", "genre", "DIVERGENT_SCHEMA_REGISTRY_URL", "localhost:8081"), Map.of()))
                .hasMessageEndingWith("(from DIVERGENT_SCHEMA_REGISTRY_URL)");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("schema.registry.retires", "3")))
                .hasMessage("unknown key 'schema.registry.retires': did you mean 'schema.registry.retries'?");
        // Confluent's and plugins' own registry keys pass
        assertThat(DivergentConfig.fromMap(minimal("schema.registry.ssl.truststore.location", "/t.jks",
                "schema.registry.url", "https://a:8081,https://b:8081", "schema.registry.retries", "0")).serdeProperties())
                .containsEntry("schema.registry.ssl.truststore.location", "/t.jks");
    }

    @Test
    void nearMissesOfKafkaKeysAreRefusedWithASuggestion() {
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("kafka.procesing.guarantee", "at_least_once")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown key 'kafka.procesing.guarantee': did you mean 'kafka.processing.guarantee'?");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("kafka.consumer.max.pol.records", "10")))
                .hasMessage("unknown key 'kafka.consumer.max.pol.records': did you mean 'kafka.consumer.max.poll.records'?");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("kafka.consumr.max.poll.records", "10")))
                .hasMessage("unknown key 'kafka.consumr.max.poll.records': did you mean 'kafka.consumer.max.poll.records'?");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("kafka.topic.retention.mss", "10")))
                .hasMessage("unknown key 'kafka.topic.retention.mss': did you mean 'kafka.topic.retention.ms'?");
        assertThatThrownBy(() -> DivergentConfig.fromMap(minimal("kafka.num.stream.thread", "2")))
                .hasMessage("unknown key 'kafka.num.stream.thread': did you mean 'kafka.num.stream.threads'?");
        assertThatThrownBy(() -> DivergentConfig.load(null, Map.of("DIVERGENT_MONITOR_GENRES_INPUT_TOPIC", "plays",
                "DIVERGENT_MONITOR_GENRES_CATEGORY_FIELD", "genre", "KAFKA_COMMIT_INTERVL_MS", "100"), Map.of()))
                .hasMessage("unknown key 'kafka.commit.intervl.ms' (from KAFKA_COMMIT_INTERVL_MS): did you mean 'kafka.commit.interval.ms'?");
    }

    /** Keys Kafka does not define but plugins read, and every known key, under any client prefix. */
    @Test
    void knownAndPluginKafkaKeysPass() {
        final Map<String, String> keys = minimal(
                "kafka.processing.guarantee", "at_least_once",
                "kafka.num.stream.threads", "2",
                "kafka.main.consumer.max.poll.records", "10",
                "kafka.restore.consumer.fetch.max.bytes", "1000",
                "kafka.global.consumer.client.rack", "r1",
                "kafka.producer.linger.ms", "5",
                "kafka.admin.retries", "3",
                "kafka.topic.min.insync.replicas", "2",
                "kafka.interceptor.classes", "com.example.Interceptor",
                "kafka.confluent.monitoring.interceptor.bootstrap.servers", "m:9092",
                "kafka.producer.confluent.monitoring.interceptor.security.protocol", "SSL",
                "kafka.metric.reporters", "com.example.Reporter",
                "kafka.datadog.reporter.host", "dd",
                "kafka.metrics.context.env", "prod",
                "kafka.config.providers", "file",
                "kafka.config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider",
                "kafka.config.providers.vault.param.address", "https://vault",
                "kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;",
                "kafka.sasl.login.callback.handler.clas", "typo-but-in-the-sasl-space",
                "kafka.consumer.sasl.oauthbearer.scope", "kafka",
                "kafka.ssl.truststore.locatoin", "in-the-ssl-space",
                "kafka.whatever.setting", "1");
        assertThat(DivergentConfig.fromMap(keys).kafkaProperties())
                .containsEntry("confluent.monitoring.interceptor.bootstrap.servers", "m:9092")
                .containsEntry("ssl.truststore.locatoin", "in-the-ssl-space")
                .containsEntry("processing.guarantee", "at_least_once");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> DivergentConfig.load(Path.of("/nonexistent/d.properties"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("/nonexistent/d.properties");
    }

    @Test
    void monitorsAreSortedGroupedByTopicAndMustAgreeOnFormat() {
        final Map<String, String> keys = minimal("monitor.a.input.topic", "plays", "monitor.a.category.field", "device",
                "monitor.z.input.topic", "clicks", "monitor.z.category.field", "button");
        final DivergentConfig config = DivergentConfig.fromMap(keys);
        assertThat(config.monitors()).extracting(MonitorConfig::name).containsExactly("a", "genres", "z");
        assertThat(config.inputTopics()).containsExactly("clicks", "plays");
        assertThat(config.monitorsOf("plays")).extracting(MonitorConfig::name).containsExactly("a", "genres");
        keys.put("monitor.a.value.format", "json");
        assertThatThrownBy(() -> DivergentConfig.fromMap(keys)).hasMessage("invalid value 'avro' for 'monitor.genres.value.format': monitors on one topic must agree: monitor 'a' reads 'plays' as json");
    }

    @Test
    void durations() {
        assertThat(DivergentConfig.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DivergentConfig.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DivergentConfig.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(DivergentConfig.parseDuration("PT1M")).isEqualTo(Duration.ofMinutes(1));
        assertThat(DivergentConfig.parseDuration("1500")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DivergentConfig.parseDuration("ten")).isNull();
    }

    @Test
    void fieldPathsWalkJsonMapsAndAvroRecords() {
        final FieldPath path = FieldPath.parse("prediction.label");
        assertThat(path.resolve(Map.of("prediction", Map.of("label", "cat")))).isEqualTo("cat");
        assertThat(path.resolve(Map.of("prediction", "flat"))).isNull();
        assertThat(path.resolve(Map.of())).isNull();
        final Schema inner = SchemaBuilder.record("P").fields().optionalString("label").endRecord();
        final Schema outer = SchemaBuilder.record("E").fields().name("prediction").type(inner).noDefault().endRecord();
        final GenericRecord p = new GenericData.Record(inner);
        p.put("label", new Utf8("dog"));
        final GenericRecord e = new GenericData.Record(outer);
        e.put("prediction", p);
        assertThat(path.resolve(e).toString()).isEqualTo("dog");
        assertThat(FieldPath.parse("nope").resolve(e)).isNull();
        assertThatThrownBy(() -> FieldPath.parse("a..b")).isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(FieldPath.parse("a.b").parts())).containsExactly(List.of("a", "b"));
    }

    @Test
    void theDocumentedExampleConfigLoads() {
        final DivergentConfig config = DivergentConfig.load(Path.of("examples", "divergent.properties"), Map.of(), Map.of());
        assertThat(config.monitors()).extracting(MonitorConfig::name).containsExactly("devices", "genres");
        assertThat(config.inputTopics()).containsExactly("plays");
        assertThat(config.monitors().get(0).hopping()).isTrue();
        assertThat(config.monitors().get(1).thresholds()).hasSize(3);
    }

    @Test
    void inputPartitionedBySeriesIsOffByDefaultAndNeedsTheMonitorsOfATopicToShareTheirSegmentFields() {
        assertThat(DivergentConfig.fromMap(minimal()).inputPartitionedBySeries()).isFalse();
        final Map<String, String> keys = minimal("input.partitioned.by.series", "true",
                "monitor.genres.segment.fields", "country",
                "monitor.devices.input.topic", "plays", "monitor.devices.category.field", "device",
                "monitor.devices.segment.fields", "country,model");
        assertThatThrownBy(() -> DivergentConfig.fromMap(keys))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("monitor.genres.segment.fields")
                .hasMessageContaining("must have the same segment fields")
                .hasMessageContaining("monitor 'devices' has 'country,model'");
        keys.put("monitor.devices.segment.fields", "country");
        assertThat(DivergentConfig.fromMap(keys).inputPartitionedBySeries()).isTrue();
        // another topic may be partitioned by other fields
        keys.put("monitor.devices.input.topic", "devices");
        keys.put("monitor.devices.segment.fields", "model");
        assertThat(DivergentConfig.fromMap(keys).inputTopics()).containsExactly("devices", "plays");
        // and without the promise the fields need not agree
        keys.put("monitor.devices.input.topic", "plays");
        keys.put("input.partitioned.by.series", "false");
        assertThat(DivergentConfig.fromMap(keys).monitors()).hasSize(2);
    }

    @Test
    void inputPartitionedBySeriesChecksTheInputsPartitionCountsAtStartup() {
        final DivergentConfig config = DivergentConfig.fromMap(minimal("input.partitioned.by.series", "true",
                "monitor.genres.segment.fields", "country",
                "monitor.devices.input.topic", "devices", "monitor.devices.category.field", "device",
                "monitor.devices.segment.fields", "country"));
        config.checkInputPartitions(Map.of("plays", 4, "devices", 4));
        assertThatThrownBy(() -> config.checkInputPartitions(Map.of("plays", 4, "devices", 2)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("input.partitioned.by.series")
                .hasMessageContaining("'devices' has 2, 'plays' has 4");
        assertThatThrownBy(() -> config.with(Map.of("partitions", "8")).checkInputPartitions(Map.of("plays", 4, "devices", 4)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("partitions")
                .hasMessageContaining("the input topics' partition count (4)");
        config.with(Map.of("partitions", "4")).checkInputPartitions(Map.of("plays", 4, "devices", 4));

        // no segment fields: one series, which needs one partition
        final DivergentConfig single = DivergentConfig.fromMap(minimal("input.partitioned.by.series", "true"));
        single.checkInputPartitions(Map.of("plays", 1));
        assertThatThrownBy(() -> single.checkInputPartitions(Map.of("plays", 2)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("monitor 'genres' has no segment fields")
                .hasMessageContaining("'plays' has 2 partitions");
        // without the promise nothing is checked
        DivergentConfig.fromMap(minimal()).checkInputPartitions(Map.of("plays", 2));
    }
}
