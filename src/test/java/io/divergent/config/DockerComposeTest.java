package io.divergent.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.kafka.server.config.AbstractKafkaConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be checked of {@code docker-compose.yml} without Docker: the services and their
 * pinned images, that every environment variable is one its image reads (the apache/kafka
 * image maps {@code KAFKA_*} to broker settings by the rule {@link DivergentConfig} uses;
 * Divergent's must load as a valid configuration, the walkthrough's monitor), ports, start
 * order, the topics Divergent needs, and that healthchecks call only what the images ship.
 */
class DockerComposeTest {

    private static final JsonNode COMPOSE = read();
    /** What cp-schema-registry documents for this setup (docs.confluent.io, "Schema Registry configuration for Docker"). */
    private static final Set<String> REGISTRY_ENV = Set.of("SCHEMA_REGISTRY_HOST_NAME", "SCHEMA_REGISTRY_LISTENERS",
            "SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS");

    private static JsonNode read() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Path.of("docker-compose.yml").toFile());
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode service(final String name) {
        return COMPOSE.get("services").get(name);
    }

    private static Map<String, String> env(final String service) {
        final Map<String, String> env = new TreeMap<>();
        service(service).get("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    @Test
    void theFourServicesWithPinnedImages() {
        final List<String> names = new ArrayList<>();
        COMPOSE.get("services").fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("kafka", "schema-registry", "init-topics", "divergent");
        assertThat(service("kafka").get("image").asText()).isEqualTo("apache/kafka:4.3.1");
        assertThat(service("init-topics").get("image").asText()).isEqualTo("apache/kafka:4.3.1");
        assertThat(service("schema-registry").get("image").asText()).isEqualTo("confluentinc/cp-schema-registry:8.3.1");
        assertThat(service("divergent").get("build").asText()).isEqualTo(".");
    }

    @Test
    void kafkaEnvironmentNamesBrokerSettings() {
        final Set<String> brokerKeys = AbstractKafkaConfig.CONFIG_DEF.names();
        for (final String variable : env("kafka").keySet()) {
            if (variable.equals("CLUSTER_ID")) {
                continue;   // read by the image's start script to format the log directory
            }
            assertThat(variable).startsWith("KAFKA_");
            assertThat(brokerKeys).as("%s must name a broker setting", variable)
                    .contains(DivergentConfig.envKey(variable.substring("KAFKA_".length())));
        }
    }

    @Test
    void registryEnvironmentIsWhatTheImageDocuments() {
        assertThat(env("schema-registry").keySet()).isEqualTo(REGISTRY_ENV);
        assertThat(env("schema-registry").get("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS")).isEqualTo("PLAINTEXT://kafka:9092");
    }

    @Test
    void divergentEnvironmentLoadsAsTheWalkthroughsMonitor() throws IOException {
        final Map<String, String> env = env("divergent");
        assertThat(env.keySet()).allMatch(v -> v.startsWith("DIVERGENT_") || v.startsWith("KAFKA_"));
        final DivergentConfig config = DivergentConfig.load(null, env, Map.of());
        assertThat(config.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.schemaRegistryUrl()).isEqualTo("http://schema-registry:8081");

        final Properties walkthrough = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("examples/first-alert/divergent.properties"))) {
            walkthrough.load(reader);
        }
        final Map<String, String> fileMonitor = new TreeMap<>();
        walkthrough.stringPropertyNames().stream().filter(k -> k.startsWith("monitor."))
                .forEach(k -> fileMonitor.put(k, walkthrough.getProperty(k)));
        final Map<String, String> composeMonitor = new TreeMap<>();
        config.effectiveProperties().forEach((k, v) -> {
            if (k.startsWith("monitor.")) {
                composeMonitor.put(k, v);
            }
        });
        assertThat(composeMonitor).isEqualTo(fileMonitor);
    }

    @Test
    void portsMatchTheAdvertisedListenersAndTheWalkthrough() throws IOException {
        assertThat(service("kafka").get("ports").get(0).asText()).isEqualTo("29092:29092");
        assertThat(env("kafka").get("KAFKA_ADVERTISED_LISTENERS")).contains("EXTERNAL://localhost:29092");
        assertThat(service("schema-registry").get("ports").get(0).asText()).isEqualTo("8081:8081");
        assertThat(Files.readString(Path.of("examples/first-alert/divergent.properties")))
                .contains("bootstrap.servers=localhost:29092").contains("schema.registry.url=http://localhost:8081");
    }

    @Test
    void servicesStartInOrder() {
        assertThat(service("schema-registry").at("/depends_on/kafka/condition").asText()).isEqualTo("service_healthy");
        assertThat(service("init-topics").at("/depends_on/kafka/condition").asText()).isEqualTo("service_healthy");
        assertThat(service("divergent").at("/depends_on/init-topics/condition").asText())
                .isEqualTo("service_completed_successfully");
        assertThat(service("divergent").at("/depends_on/schema-registry/condition").asText()).isEqualTo("service_healthy");
        // A service others wait on to be healthy needs a healthcheck, or they never start.
        COMPOSE.get("services").forEach(s -> {
            if (s.has("depends_on")) {
                s.get("depends_on").fields().forEachRemaining(d -> {
                    if (d.getValue().get("condition").asText().equals("service_healthy")) {
                        assertThat(service(d.getKey()).has("healthcheck")).as(d.getKey()).isTrue();
                    }
                });
            }
        });
    }

    @Test
    void healthchecksUseOnlyWhatTheImagesShip() {
        // cp-schema-registry 8.x: a JRE and bash on ubi9-minimal, no python3; apache/kafka: the
        // Kafka scripts under /opt/kafka/bin. curl, wget and nc are documented by neither.
        final Pattern absent = Pattern.compile("\\b(python3?|curl|wget|nc|ncat)\\b");
        COMPOSE.get("services").fields().forEachRemaining(s -> {
            final JsonNode check = s.getValue().path("healthcheck").path("test");
            final StringBuilder command = new StringBuilder();
            check.forEach(part -> command.append(part.asText()).append(' '));
            assertThat(absent.matcher(command).find()).as("%s healthcheck: %s", s.getKey(), command).isFalse();
        });
        final JsonNode registry = service("schema-registry").at("/healthcheck/test");
        assertThat(registry.get(1).asText()).isEqualTo("bash");
        assertThat(service("kafka").at("/healthcheck/test/1").asText()).startsWith("/opt/kafka/bin/");
    }

    @Test
    void initTopicsCreatesWhatDivergentNeeds() {
        final String command = service("init-topics").get("command").get(2).asText();
        final DivergentConfig config = DivergentConfig.load(null, env("divergent"), Map.of());
        for (final String topic : List.of(config.monitors().get(0).inputTopic(), config.outputTopic(),
                config.alertsTopic(), config.deadLetterTopic().orElseThrow())) {
            assertThat(command).contains("--topic " + topic + " ");
        }
        assertThat(command).contains("--topic " + config.referenceTopic() + " --partitions 4 --config cleanup.policy=compact");
    }

    @Test
    void theWalkthroughFilesAreMountedWhereTheImageWorks() throws IOException {
        assertThat(service("divergent").get("volumes").get(0).asText()).isEqualTo("./examples:/app/examples:ro");
        assertThat(Files.readAllLines(Path.of("Dockerfile"))).contains("WORKDIR /app");
    }
}
