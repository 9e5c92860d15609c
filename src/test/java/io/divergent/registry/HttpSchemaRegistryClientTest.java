package io.divergent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divergent.testing.StubHttpServer;
import io.divergent.testing.StubHttpServer.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP client against a protocol stub: headers, bodies, error-code mapping, retries and
 * fail-over. Registry behaviour itself is tested against a real Apicurio in
 * {@code ApicurioRegistryIT}; a 401 is only produced here, since that registry runs without auth.
 */
class HttpSchemaRegistryClientTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("name").endRecord();
    private static final String SCHEMA_JSON = "{\"schema\":" + quote(SCHEMA.toString()) + "}";

    private StubHttpServer stub;
    private final List<Duration> sleeps = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        stub = StubHttpServer.start();
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private HttpSchemaRegistryClient client(final HttpSchemaRegistryClient.Options options) {
        return new HttpSchemaRegistryClient(options, sleeps::add);
    }

    private HttpSchemaRegistryClient client() {
        return client(HttpSchemaRegistryClient.Options.of(stub.url()));
    }

    @Test
    void sendsTheRegistryMediaTypeOnEveryRequestAndReadsTheIdFromTheResponse() {
        stub.enqueue(Response.json(200, "{\"id\":4711}"), Response.json(200, "[\"a\",\"b\"]"));
        try (HttpSchemaRegistryClient client = client()) {
            assertThat(client.register("things-value", SCHEMA)).isEqualTo(4711);
            assertThat(client.subjects()).containsExactly("a", "b");
        }
        final StubHttpServer.Request post = stub.requests().get(0);
        assertThat(post.method()).isEqualTo("POST");
        assertThat(post.rawPath()).isEqualTo("/subjects/things-value/versions");
        assertThat(post.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(post.header("Accept")).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(post.body()).isEqualTo("{\"schema\":" + quote(SCHEMA.toString()) + "}");
        final StubHttpServer.Request get = stub.requests().get(1);
        assertThat(get.method()).isEqualTo("GET");
        assertThat(get.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(get.header("Accept")).contains("application/json");
        assertThat(get.header("Authorization")).isNull();
    }

    @Test
    void acceptsPlainJsonResponses() {
        stub.enqueue(new Response(200, "application/json", SCHEMA_JSON));
        try (HttpSchemaRegistryClient client = client()) {
            assertThat(client.schemaById(12)).isEqualTo(SCHEMA);
        }
        assertThat(stub.requests().get(0).rawPath()).isEqualTo("/schemas/ids/12");
    }

    @Test
    void cachesIdsBothWaysSoEachIsFetchedOnce() {
        stub.enqueue(Response.json(200, "{\"id\":31}"));
        try (HttpSchemaRegistryClient client = client()) {
            assertThat(client.register("s", SCHEMA)).isEqualTo(31);
            assertThat(client.register("s", SCHEMA)).isEqualTo(31);
            assertThat(client.lookup("s", SCHEMA)).isEqualTo(31);
            assertThat(client.schemaById(31)).isEqualTo(SCHEMA);
        }
        assertThat(stub.requests()).hasSize(1);
    }

    @Test
    void lookupLatestVersionAndVersionsParseTheConfluentShapes() {
        final String registered = "{\"subject\":\"s\",\"version\":3,\"id\":97,\"schema\":" + quote(SCHEMA.toString()) + "}";
        stub.enqueue(Response.json(200, registered), Response.json(200, registered), Response.json(200, registered),
                Response.json(200, "[1,2,3]"));
        try (HttpSchemaRegistryClient client = client()) {
            assertThat(client.lookup("s", SCHEMA)).isEqualTo(97);
            assertThat(client.latest("s")).isEqualTo(new RegisteredSchema("s", 97, 3, SCHEMA));
            assertThat(client.version("s", 3)).isEqualTo(new RegisteredSchema("s", 97, 3, SCHEMA));
            assertThat(client.versions("s")).containsExactly(1, 2, 3);
        }
        assertThat(stub.requests()).extracting(StubHttpServer.Request::rawPath).containsExactly(
                "/subjects/s", "/subjects/s/versions/latest", "/subjects/s/versions/3", "/subjects/s/versions");
    }

    @Test
    void percentEncodesSubjectsAsOnePathSegment() {
        stub.enqueue(Response.json(200, "{\"id\":1}"));
        try (HttpSchemaRegistryClient client = client()) {
            client.register("a b/c\u00e9-value", SCHEMA);
        }
        assertThat(stub.requests().get(0).rawPath()).isEqualTo("/subjects/a%20b%2Fc%C3%A9-value/versions");
    }

    @Test
    void mapsErrorsByErrorCodeNotByMessage() {
        // Messages deliberately misleading: only error_code counts.
        stub.enqueue(Response.error(404, 40401, "Schema not found"),
                Response.error(404, 40402, "Subject not found"),
                Response.error(404, 40403, "Version not found"),
                Response.error(409, 409, "whatever"),
                Response.error(422, 42201, "whatever"),
                Response.error(422, 42203, "whatever"));
        try (HttpSchemaRegistryClient client = client()) {
            assertKind(() -> client.latest("x"), RegistryException.Kind.SUBJECT_NOT_FOUND, 404, 40401);
            assertKind(() -> client.version("x", 9), RegistryException.Kind.VERSION_NOT_FOUND, 404, 40402);
            assertKind(() -> client.schemaById(5), RegistryException.Kind.SCHEMA_NOT_FOUND, 404, 40403);
            assertKind(() -> client.register("x", SCHEMA), RegistryException.Kind.INCOMPATIBLE, 409, 409);
            assertKind(() -> client.lookup("x", SCHEMA), RegistryException.Kind.INVALID_SCHEMA, 422, 42201);
            assertKind(() -> client.setCompatibility("x", "bogus"), RegistryException.Kind.INVALID_COMPATIBILITY_LEVEL,
                    422, 42203);
        }
        assertThat(sleeps).as("4xx answers are not retried").isEmpty();
        assertThat(stub.requests()).hasSize(6);
    }

    @Test
    void unauthorizedIsMappedAndNotRetried() {
        stub.enqueue(new Response(401, "application/json", "{\"error_code\":401,\"message\":\"Unauthorized\"}"),
                new Response(403, "text/plain", "Forbidden"));
        try (HttpSchemaRegistryClient client = client()) {
            final RegistryException e = assertKind(() -> client.subjects(), RegistryException.Kind.UNAUTHORIZED, 401, 401);
            assertThat(e.getMessage()).contains(stub.url() + "/subjects").contains("basic.auth.user.info");
            assertKind(() -> client.subjects(), RegistryException.Kind.UNAUTHORIZED, 403, -1);
        }
        assertThat(stub.requests()).hasSize(2);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void notFoundWithoutErrorCodeIsOtherAndNamesTheUrl() {
        stub.enqueue(new Response(404, "text/html", "<html>no such path</html>"));
        try (HttpSchemaRegistryClient client = client()) {
            final RegistryException e = assertKind(() -> client.subjects(), RegistryException.Kind.OTHER, 404, -1);
            assertThat(e.url()).isEqualTo(stub.url() + "/subjects");
            assertThat(e.getMessage()).contains(stub.url() + "/subjects").contains("no such path");
        }
    }

    @Test
    void aNonAvroSchemaIsRefused() {
        stub.enqueue(Response.json(200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}"));
        try (HttpSchemaRegistryClient client = client()) {
            final RegistryException e = assertKind(() -> client.schemaById(3), RegistryException.Kind.OTHER, 200, -1);
            assertThat(e.getMessage()).contains("PROTOBUF");
        }
    }

    @Test
    void retriesAServerErrorThenSucceeds() {
        stub.enqueue(Response.error(500, 50001, "store error"), Response.json(200, "{\"id\":8}"));
        try (HttpSchemaRegistryClient client = client()) {
            assertThat(client.register("s", SCHEMA)).isEqualTo(8);
        }
        assertThat(stub.requests()).hasSize(2);
        assertThat(sleeps).hasSize(1);
        final Duration initial = HttpSchemaRegistryClient.Options.DEFAULT_INITIAL_BACKOFF;
        assertThat(sleeps.get(0)).isBetween(initial.dividedBy(2), initial);
    }

    @Test
    void givesUpAfterTheConfiguredRoundsWithBoundedGrowingBackoff() {
        stub.fallback(request -> Response.error(503, 50003, "unavailable"));
        final HttpSchemaRegistryClient.Options options = HttpSchemaRegistryClient.Options.of(stub.url())
                .withRetries(5).withBackoff(Duration.ofMillis(100), Duration.ofMillis(300));
        try (HttpSchemaRegistryClient client = client(options)) {
            final RegistryException e = assertKind(() -> client.schemaById(1), RegistryException.Kind.UNAVAILABLE,
                    503, 50003);
            assertThat(e.getMessage()).contains(stub.url() + "/schemas/ids/1").contains("6 attempt(s)");
            assertThat(e.url()).isEqualTo(stub.url() + "/schemas/ids/1");
        }
        assertThat(stub.requests()).hasSize(6);
        // Round r waits within [base/2, base], base = min(300, 100 * 2^(r-1)): 100, 200, 300, 300, 300.
        final long[] bases = {100, 200, 300, 300, 300};
        assertThat(sleeps).hasSize(bases.length);
        for (int i = 0; i < bases.length; i++) {
            assertThat(sleeps.get(i).toMillis()).as("round %d", i + 1).isBetween(bases[i] / 2, bases[i]);
        }
    }

    @Test
    void backoffStaysWithinItsBoundsForManyRounds() {
        final HttpSchemaRegistryClient.Options options = HttpSchemaRegistryClient.Options.of(stub.url())
                .withBackoff(Duration.ofMillis(7), Duration.ofMillis(1000));
        try (HttpSchemaRegistryClient client = client(options)) {
            for (int round = 1; round <= 80; round++) {
                final long base = Math.min(1000, 7L << Math.min(round - 1, 20));
                assertThat(client.backoff(round).toMillis()).as("round %d", round).isBetween(base / 2, base);
            }
        }
    }

    @Test
    void aClosedPortFailsAfterBoundedRetriesNamingTheUrl() throws IOException {
        final String dead = deadUrl();
        final HttpSchemaRegistryClient.Options options = HttpSchemaRegistryClient.Options.of(dead).withRetries(2);
        try (HttpSchemaRegistryClient client = client(options)) {
            final RegistryException e = assertKind(() -> client.latest("s"), RegistryException.Kind.UNAVAILABLE, -1, -1);
            assertThat(e.getMessage()).contains(dead + "/subjects/s/versions/latest").contains("3 attempt(s)");
            assertThat(e.getCause()).isInstanceOf(IOException.class);
        }
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void failsOverToTheNextUrlWithoutWaitingAndThenPrefersIt() throws IOException {
        final String dead = deadUrl();
        stub.fallback(request -> Response.json(200, "[\"s\"]"));
        try (HttpSchemaRegistryClient client = client(HttpSchemaRegistryClient.Options.of(dead, stub.url()))) {
            assertThat(client.subjects()).containsExactly("s");
            assertThat(client.subjects()).containsExactly("s");
        }
        assertThat(stub.requests()).hasSize(2);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void basicAuthFromUrlUserInfoIsSentAndNeverShown() {
        stub.enqueue(Response.json(200, "[]"));
        final String url = stub.url().replace("http://", "http://alice:s%3Acret@");
        final HttpSchemaRegistryClient.Options options = HttpSchemaRegistryClient.Options.of(url);
        assertThat(options.toString()).doesNotContain("alice").doesNotContain("cret").contains("auth=basic");
        try (HttpSchemaRegistryClient client = client(options)) {
            client.subjects();
            assertThat(client.toString()).doesNotContain("alice");
        }
        assertThat(stub.requests().get(0).header("Authorization"))
                .isEqualTo("Basic " + base64("alice:s:cret"));
    }

    @Test
    void bearerTokenIsSent() {
        stub.enqueue(Response.json(200, "[]"));
        try (HttpSchemaRegistryClient client = client(HttpSchemaRegistryClient.Options.of(stub.url())
                .withBearerToken("tok-123"))) {
            client.subjects();
        }
        assertThat(stub.requests().get(0).header("Authorization")).isEqualTo("Bearer tok-123");
    }

    @Test
    void compatibilityFallsBackToGlobalOnConfluentsSubjectConfigNotFound() {
        stub.enqueue(Response.error(404, 40408, "Subject 's' does not have subject-level compatibility configured"),
                Response.json(200, "{\"compatibilityLevel\":\"FULL\"}"));
        try (HttpSchemaRegistryClient client = client()) {
            assertThat(client.compatibility("s")).isEqualTo("FULL");
        }
        assertThat(stub.requests()).extracting(StubHttpServer.Request::rawPath).containsExactly("/config/s", "/config");
        assertThat(stub.requests().get(0).rawQuery()).isEqualTo("defaultToGlobal=true");
    }

    @Test
    void compatibilityTakesApicuriosDirectAnswer() {
        stub.enqueue(Response.json(200, "{\"compatibilityLevel\":\"backward\"}"));
        try (HttpSchemaRegistryClient client = client()) {
            assertThat(client.compatibility("s")).isEqualTo("BACKWARD");
        }
        assertThat(stub.requests()).hasSize(1);
    }

    @Test
    void setCompatibilityPutsTheUpperCaseLevel() {
        stub.enqueue(Response.json(200, "{\"compatibility\":\"FULL_TRANSITIVE\"}"));
        try (HttpSchemaRegistryClient client = client()) {
            client.setCompatibility("s", "full_transitive");
        }
        final StubHttpServer.Request put = stub.requests().get(0);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.rawPath()).isEqualTo("/config/s");
        assertThat(put.body()).isEqualTo("{\"compatibility\":\"FULL_TRANSITIVE\"}");
    }

    @Test
    void isCompatibleReadsTheFlagAndTreatsAMissingSubjectAsCompatible() {
        stub.enqueue(Response.json(200, "{\"is_compatible\":false}"), Response.error(404, 40401, "Subject not found"));
        try (HttpSchemaRegistryClient client = client()) {
            assertThat(client.isCompatible("s", SCHEMA)).isFalse();
            assertThat(client.isCompatible("new", SCHEMA)).isTrue();
        }
        assertThat(stub.requests().get(0).rawPath()).isEqualTo("/compatibility/subjects/s/versions/latest");
    }

    @Test
    void aResponseThatIsNotJsonIsReported() {
        stub.enqueue(new Response(200, "text/html", "<html>proxy login</html>"));
        try (HttpSchemaRegistryClient client = client()) {
            final RegistryException e = assertKind(() -> client.subjects(), RegistryException.Kind.OTHER, 200, -1);
            assertThat(e.getMessage()).contains("not JSON").contains("text/html");
        }
    }

    @Test
    void aClosedClientRefusesCalls() {
        final HttpSchemaRegistryClient client = client();
        client.close();
        client.close();
        assertThatThrownBy(() -> client.subjects()).isInstanceOf(IllegalStateException.class);
        assertThat(stub.requests()).isEmpty();
    }

    @Test
    void optionsRejectBadUrlsAndRanges() {
        assertThatThrownBy(() -> HttpSchemaRegistryClient.Options.of("ftp://x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ftp://x");
        assertThatThrownBy(() -> HttpSchemaRegistryClient.Options.of("http://")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpSchemaRegistryClient.Options.of()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpSchemaRegistryClient.Options.of(stub.url()).withRetries(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpSchemaRegistryClient.Options.of(stub.url())
                .withBackoff(Duration.ofMillis(10), Duration.ofMillis(5))).isInstanceOf(IllegalArgumentException.class);
        assertThat(HttpSchemaRegistryClient.Options.of(stub.url() + "/apis/ccompat/v7/").urls().get(0).toString())
                .isEqualTo(stub.url() + "/apis/ccompat/v7");
    }

    private static RegistryException assertKind(final Runnable call, final RegistryException.Kind kind,
                                                final int status, final int code) {
        try {
            call.run();
        } catch (final RegistryException e) {
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
            assertThat(e.httpStatus()).as(e.getMessage()).isEqualTo(status);
            assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(code);
            return e;
        }
        throw new AssertionError("expected a RegistryException of kind " + kind);
    }

    private static String deadUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    private static String base64(final String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String quote(final String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
