package io.divergent.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divergent.avro.PlayEvent;
import io.divergent.registry.RegistryException;
import io.divergent.registry.SchemaRegistries;
import io.divergent.testing.StubHttpServer;
import io.divergent.testing.StubHttpServer.Response;
import java.io.IOException;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * The serde over HTTP against a protocol stub: the registry is asked once per schema, and an
 * outage afterwards does not matter. (Against a real registry: {@code ApicurioSerdeIT}.)
 */
class AvroSerdeHttpTest {

    @Test
    void asksTheRegistryOncePerSchemaAndSurvivesItsOutageAfterwards() throws IOException {
        final PlayEvent event = PlayEvent.newBuilder().setUserId("u").setGenre("jazz").build();
        final String schemaJson = "{\"schema\":" + com.fasterxml.jackson.databind.node.TextNode
                .valueOf(PlayEvent.getClassSchema().toString()) + "}";
        final StubHttpServer stub = StubHttpServer.start();
        stub.fallback(request -> request.method().equals("POST")
                ? Response.json(200, "{\"id\":9001}") : Response.json(200, schemaJson));
        final Map<String, Object> config = Map.of(SchemaRegistries.URL, stub.url(),
                SchemaRegistries.RETRIES, 1, SchemaRegistries.RETRY_BACKOFF_MS, 1);
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false)) {
            final byte[] first = serde.serializer().serialize("plays", event);
            assertThat(WireFormat.readSchemaId(first, "plays")).isEqualTo(9001);
            for (int i = 0; i < 10; i++) {
                serde.serializer().serialize("plays", event);
            }
            // The deserializer shares the client, which learned id 9001 when registering.
            assertThat(serde.deserializer().deserialize("plays", first)).isEqualTo(event);
            assertThat(stub.requests()).hasSize(1);
            assertThat(stub.requests().get(0).rawPath()).isEqualTo("/subjects/plays-value/versions");

            stub.close();
            assertThat(serde.deserializer().deserialize("plays", serde.serializer().serialize("plays", event)))
                    .isEqualTo(event);
        } finally {
            stub.close();
        }
    }

    /**
     * The deserializer says in its own types what the registry's answer means for the value:
     * down (5xx after the retries: try again later) or a schema id it does not know (never
     * readable), so callers need not know the registry client.
     */
    @Test
    void registryOutageAndUnknownSchemaIdAreTheSerdesOwnExceptions() throws IOException {
        final byte[] payload = {0, 0, 0, 0, 7, 2, 'u'};
        final StubHttpServer stub = StubHttpServer.start();
        try {
            final Map<String, Object> config = Map.of(SchemaRegistries.URL, stub.url(),
                    SchemaRegistries.RETRIES, 0, SchemaRegistries.RETRY_BACKOFF_MS, 1);
            stub.fallback(request -> Response.json(503, "{\"error_code\":50301,\"message\":\"maintenance\"}"));
            try (Serde<GenericRecord> serde = AvroSerdes.generic(config, false)) {
                final Deserializer<GenericRecord> deserializer = serde.deserializer();
                assertThatThrownBy(() -> deserializer.deserialize("plays", payload))
                        .isInstanceOfSatisfying(RegistryUnavailableException.class, e -> {
                            assertThat(e.url()).startsWith(stub.url());
                            assertThat(e.getMessage()).contains("schema id 7");
                        })
                        .hasCauseInstanceOf(RegistryException.class);
                stub.fallback(request -> Response.json(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}"));
                assertThatThrownBy(() -> deserializer.deserialize("plays", payload))
                        .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> assertThat(e.schemaId()).isEqualTo(7))
                        .hasMessageContaining("schema id 7 not found in registry")
                        .hasCauseInstanceOf(RegistryException.class);
            }
        } finally {
            stub.close();
        }
    }
}
