package io.divergent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divergent.testing.StubHttpServer;
import io.divergent.testing.StubHttpServer.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

class SchemaRegistriesTest {

    @Test
    void mockUrlsGiveTheScopesSharedInstance() {
        final String scope = "factory-" + UUID.randomUUID();
        try {
            final SchemaRegistry registry = SchemaRegistries.create(Map.of(SchemaRegistries.URL, "mock://" + scope));
            assertThat(registry).isSameAs(MockSchemaRegistry.forScope(scope));
        } finally {
            MockSchemaRegistry.dropScope(scope);
        }
    }

    @Test
    void aMissingOrInvalidUrlIsRejectedNamingKeyAndValue() {
        assertThatThrownBy(() -> SchemaRegistries.create(Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> SchemaRegistries.create(Map.of(SchemaRegistries.URL, " ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> SchemaRegistries.create(Map.of(SchemaRegistries.URL, "localhost:8081")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.url").hasMessageContaining("localhost:8081");
        assertThatThrownBy(() -> SchemaRegistries.create(Map.of(SchemaRegistries.URL, "mock://")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mock://");
        assertThatThrownBy(() -> SchemaRegistries.create(Map.of(SchemaRegistries.URL, "http://a:1,ftp://b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ftp://b");
        assertThatThrownBy(() -> SchemaRegistries.create(Map.of(SchemaRegistries.URL, "http://bad host:80")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema.registry.url");
    }

    @Test
    void readsTimeoutsAndRetriesFromStringsOrNumbers() {
        final HttpSchemaRegistryClient.Options options = SchemaRegistries.httpOptions(Map.of(
                SchemaRegistries.URL, "http://a:8081, https://b:8081/",
                SchemaRegistries.CONNECT_TIMEOUT_MS, "1500",
                SchemaRegistries.REQUEST_TIMEOUT_MS, 2500,
                SchemaRegistries.RETRIES, 0,
                SchemaRegistries.RETRY_BACKOFF_MS, 5L,
                SchemaRegistries.RETRY_BACKOFF_MAX_MS, "50"));
        assertThat(options.describeUrls()).isEqualTo("http://a:8081,https://b:8081");
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(options.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(options.retries()).isZero();
        assertThat(options.initialBackoff()).isEqualTo(Duration.ofMillis(5));
        assertThat(options.maxBackoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(options.authorization()).isNull();
    }

    @Test
    void badNumbersAreRejectedNamingKeyAndValue() {
        assertThatThrownBy(() -> SchemaRegistries.httpOptions(Map.of(SchemaRegistries.URL, "http://a",
                SchemaRegistries.REQUEST_TIMEOUT_MS, "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SchemaRegistries.REQUEST_TIMEOUT_MS).hasMessageContaining("soon");
        assertThatThrownBy(() -> SchemaRegistries.httpOptions(Map.of(SchemaRegistries.URL, "http://a",
                SchemaRegistries.RETRIES, -1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(SchemaRegistries.RETRIES);
        assertThatThrownBy(() -> SchemaRegistries.httpOptions(Map.of(SchemaRegistries.URL, "http://a",
                SchemaRegistries.RETRY_BACKOFF_MS, 500, SchemaRegistries.RETRY_BACKOFF_MAX_MS, 100)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(SchemaRegistries.RETRY_BACKOFF_MAX_MS);
    }

    @Test
    void basicAuthFromUserInfoKeyOrUrlAndBearerToken() {
        final HttpSchemaRegistryClient.Options userInfo = SchemaRegistries.httpOptions(Map.of(
                SchemaRegistries.URL, "http://a:8081",
                SchemaRegistries.BASIC_AUTH_SOURCE, "USER_INFO",
                SchemaRegistries.BASIC_AUTH_USER_INFO, new Password("bob:pw")));
        assertThat(userInfo.authorization()).isEqualTo("Basic " + base64("bob:pw"));
        assertThat(userInfo.toString()).doesNotContain("bob").doesNotContain(base64("bob:pw"));

        final HttpSchemaRegistryClient.Options prefixed = SchemaRegistries.httpOptions(Map.of(
                SchemaRegistries.URL, "http://a:8081",
                "schema.registry.basic.auth.credentials.source", "user_info",
                "schema.registry.basic.auth.user.info", "bob:pw"));
        assertThat(prefixed.authorization()).isEqualTo("Basic " + base64("bob:pw"));

        final HttpSchemaRegistryClient.Options fromUrl = SchemaRegistries.httpOptions(Map.of(
                SchemaRegistries.URL, "http://carol:x%40y@a:8081"));
        assertThat(fromUrl.authorization()).isEqualTo("Basic " + base64("carol:x@y"));
        assertThat(fromUrl.describeUrls()).isEqualTo("http://a:8081");

        final HttpSchemaRegistryClient.Options bearer = SchemaRegistries.httpOptions(Map.of(
                SchemaRegistries.URL, "http://a:8081",
                SchemaRegistries.BEARER_AUTH_SOURCE, "STATIC_TOKEN",
                SchemaRegistries.BEARER_AUTH_TOKEN, "t0k"));
        assertThat(bearer.authorization()).isEqualTo("Bearer t0k");
    }

    @Test
    void unsupportedOrIncompleteAuthIsRejected() {
        assertThatThrownBy(() -> SchemaRegistries.httpOptions(Map.of(SchemaRegistries.URL, "http://a",
                SchemaRegistries.BASIC_AUTH_SOURCE, "USER_INFO")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(SchemaRegistries.BASIC_AUTH_USER_INFO);
        assertThatThrownBy(() -> SchemaRegistries.httpOptions(Map.of(SchemaRegistries.URL, "http://a",
                SchemaRegistries.BASIC_AUTH_SOURCE, "SASL_INHERIT")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SASL_INHERIT");
        assertThatThrownBy(() -> SchemaRegistries.httpOptions(Map.of(SchemaRegistries.URL, "http://a",
                SchemaRegistries.BEARER_AUTH_SOURCE, "OAUTHBEARER")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OAUTHBEARER");
        assertThatThrownBy(() -> SchemaRegistries.httpOptions(Map.of(SchemaRegistries.URL, "http://a",
                SchemaRegistries.BASIC_AUTH_SOURCE, "USER_INFO", SchemaRegistries.BASIC_AUTH_USER_INFO, "u:p",
                SchemaRegistries.BEARER_AUTH_TOKEN, "t")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("choose one");
        assertThatThrownBy(() -> SchemaRegistries.httpOptions(Map.of(SchemaRegistries.URL, "http://a",
                SchemaRegistries.BASIC_AUTH_SOURCE, "USER_INFO", SchemaRegistries.BASIC_AUTH_USER_INFO, "secret")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("secret");
    }

    @Test
    void handlesWithEqualSettingsShareOneClientAndItsCache() throws IOException {
        try (StubHttpServer stub = StubHttpServer.start()) {
            stub.fallback(request -> Response.json(200, "{\"schema\":\"\\\"string\\\"\"}"));
            final Map<String, Object> config = new HashMap<>();
            config.put(SchemaRegistries.URL, stub.url());
            final SchemaRegistry first = SchemaRegistries.create(config);
            final SchemaRegistry second = SchemaRegistries.create(Map.copyOf(config));
            assertThat(first.schemaById(7)).isEqualTo(Schema.create(Schema.Type.STRING));
            assertThat(second.schemaById(7)).isEqualTo(Schema.create(Schema.Type.STRING));
            assertThat(stub.requests()).as("second handle served from the shared cache").hasSize(1);

            first.close();
            first.close();
            assertThatThrownBy(() -> first.schemaById(7)).isInstanceOf(IllegalStateException.class);
            assertThat(second.schemaById(7)).isEqualTo(Schema.create(Schema.Type.STRING));
            second.close();

            try (SchemaRegistry fresh = SchemaRegistries.create(config)) {
                fresh.schemaById(7);
            }
            assertThat(stub.requests()).as("a new client after the last handle closed").hasSize(2);

            final Map<String, Object> otherAuth = new HashMap<>(config);
            otherAuth.put(SchemaRegistries.BEARER_AUTH_TOKEN, "t");
            try (SchemaRegistry a = SchemaRegistries.create(config); SchemaRegistry b = SchemaRegistries.create(otherAuth)) {
                a.schemaById(7);
                b.schemaById(7);
            }
            assertThat(stub.requests()).as("different credentials, different clients").hasSize(4);
        }
    }

    private static String base64(final String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
