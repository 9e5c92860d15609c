package io.divergent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.divergent.testing.ApicurioRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link HttpSchemaRegistryClient} against a real Apicurio Registry 3.3.3 (Confluent API at
 * {@code /apis/ccompat/v7}). The registry runs without authentication, so the 401/403 mapping
 * is covered against a protocol stub in {@code HttpSchemaRegistryClientTest}.
 */
// Failsafe sets the property; a surefire run selected by package (-Dtest=...) skips these.
@EnabledIfSystemProperty(named = ApicurioRegistry.HOME_PROPERTY, matches = ".+",
        disabledReason = "integration test: run with mvn verify (failsafe)")
class ApicurioRegistryIT {

    private static final Schema V1 = SchemaBuilder.record("Order").namespace("it").fields()
            .requiredString("id").endRecord();
    private static final Schema V2_DEFAULTED = SchemaBuilder.record("Order").namespace("it").fields()
            .requiredString("id").name("qty").type().intType().intDefault(1).endRecord();
    private static final Schema V2_REQUIRED = SchemaBuilder.record("Order").namespace("it").fields()
            .requiredString("id").requiredInt("qty").endRecord();

    private static ApicurioRegistry apicurio;
    private static SchemaRegistry registry;
    private String subject;

    @BeforeAll
    static void connect() {
        apicurio = ApicurioRegistry.shared();
        registry = SchemaRegistries.create(Map.of(SchemaRegistries.URL, apicurio.ccompatUrl()));
    }

    @AfterAll
    static void disconnect() {
        registry.close();
    }

    @BeforeEach
    void subject(final TestInfo info) {
        // One registry serves every IT class: subjects must not collide.
        subject = info.getTestMethod().orElseThrow().getName() + "-" + UUID.randomUUID() + "-value";
    }

    /** A client with empty caches, so every call reaches the registry. */
    private static HttpSchemaRegistryClient fresh() {
        return new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Options.of(apicurio.ccompatUrl()));
    }

    @Test
    void registerIsIdempotentAndTheIdComesFromTheRegistry() {
        final int id = registry.register(subject, V1);
        try (HttpSchemaRegistryClient client = fresh()) {
            assertThat(client.register(subject, V1)).as("re-register, uncached").isEqualTo(id);
            assertThat(client.lookup(subject, V1)).isEqualTo(id);
            assertThat(client.schemaById(id)).isEqualTo(V1);
            assertThat(client.versions(subject)).containsExactly(1);
            assertThat(client.subjects()).contains(subject);
            assertThat(client.register(subject + "-copy", V1)).as("one schema, one id across subjects").isEqualTo(id);
        }
    }

    @Test
    void latestAndVersionsFollowEvolution() {
        final int id1 = registry.register(subject, V1);
        final int id2 = registry.register(subject, V2_DEFAULTED);
        assertThat(id2).isNotEqualTo(id1);
        try (HttpSchemaRegistryClient client = fresh()) {
            assertThat(client.latest(subject)).isEqualTo(new RegisteredSchema(subject, id2, 2, V2_DEFAULTED));
            assertThat(client.version(subject, 1)).isEqualTo(new RegisteredSchema(subject, id1, 1, V1));
            assertThat(client.versions(subject)).containsExactly(1, 2);
        }
    }

    @Test
    void globalBackwardCompatibilityAcceptsADefaultedFieldAndRejectsARequiredOne() {
        registry.register(subject, V1);
        assertThat(registry.compatibility(subject)).as("global level, via the subject").isEqualTo("BACKWARD");
        assertThat(registry.isCompatible(subject, V2_DEFAULTED)).isTrue();
        assertThat(registry.isCompatible(subject, V2_REQUIRED)).isFalse();
        final RegistryException e = expect(() -> registry.register(subject, V2_REQUIRED));
        assertThat(e.kind()).isEqualTo(RegistryException.Kind.INCOMPATIBLE);
        assertThat(e.httpStatus()).isEqualTo(409);
        assertThat(e.errorCode()).isEqualTo(409);
        assertThat(registry.versions(subject)).containsExactly(1);
        assertThat(registry.isCompatible("never-" + subject, V2_REQUIRED)).as("no versions yet").isTrue();
    }

    @Test
    void subjectConfigOverridesGlobalAndFallsBackForUnknownSubjects() {
        registry.register(subject, V1);
        registry.setCompatibility(subject, "none");
        assertThat(registry.compatibility(subject)).isEqualTo("NONE");
        assertThat(registry.register(subject, V2_REQUIRED)).isPositive();
        // Apicurio answers 404/40401 for an unknown subject's config; the client falls back to /config.
        assertThat(registry.compatibility("unknown-" + subject)).isEqualTo("BACKWARD");
        // Config may be set before the subject exists.
        final String later = "later-" + subject;
        registry.setCompatibility(later, "FULL");
        assertThat(registry.compatibility(later)).isEqualTo("FULL");
        final RegistryException e = expect(() -> registry.setCompatibility(subject, "SIDEWAYS"));
        assertThat(e.kind()).isEqualTo(RegistryException.Kind.INVALID_COMPATIBILITY_LEVEL);
        assertThat(e.errorCode()).isEqualTo(42203);
    }

    @Test
    void absentThingsAreTypedByErrorCode() {
        registry.register(subject, V1);
        final RegistryException unknownId = expect(() -> registry.schemaById(Integer.MAX_VALUE - 7));
        assertThat(unknownId.kind()).isEqualTo(RegistryException.Kind.SCHEMA_NOT_FOUND);
        assertThat(unknownId.errorCode()).isEqualTo(40403);
        assertThat(unknownId.url()).isEqualTo(apicurio.ccompatUrl() + "/schemas/ids/" + (Integer.MAX_VALUE - 7));

        final RegistryException unknownSubject = expect(() -> registry.latest("missing-" + subject));
        assertThat(unknownSubject.kind()).isEqualTo(RegistryException.Kind.SUBJECT_NOT_FOUND);
        assertThat(unknownSubject.errorCode()).isEqualTo(40401);
        assertThat(expect(() -> registry.lookup("missing-" + subject, V1)).errorCode()).isEqualTo(40401);
        assertThat(expect(() -> registry.versions("missing-" + subject)).errorCode()).isEqualTo(40401);

        final RegistryException unknownVersion = expect(() -> registry.version(subject, 99));
        assertThat(unknownVersion.kind()).isEqualTo(RegistryException.Kind.VERSION_NOT_FOUND);
        assertThat(unknownVersion.errorCode()).isEqualTo(40402);

        final RegistryException notUnderSubject = expect(() -> registry.lookup(subject, V2_DEFAULTED));
        assertThat(notUnderSubject.kind()).isEqualTo(RegistryException.Kind.SCHEMA_NOT_FOUND);
        assertThat(notUnderSubject.errorCode()).isEqualTo(40403);
    }

    @Test
    void subjectsWithReservedCharactersArePercentEncoded() {
        final String odd = "odd name/with:colon-" + subject;
        final int id = registry.register(odd, V1);
        try (HttpSchemaRegistryClient client = fresh()) {
            assertThat(client.lookup(odd, V1)).isEqualTo(id);
            assertThat(client.latest(odd).subject()).isEqualTo(odd);
        }
    }

    @Test
    void aRegistryThatIsDownFailsAfterBoundedRetriesNamingTheUrl() throws IOException {
        final String dead;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = "http://127.0.0.1:" + socket.getLocalPort();
        }
        try (SchemaRegistry down = SchemaRegistries.create(Map.of(SchemaRegistries.URL, dead,
                SchemaRegistries.RETRIES, 2, SchemaRegistries.RETRY_BACKOFF_MS, 10,
                SchemaRegistries.RETRY_BACKOFF_MAX_MS, 20))) {
            final RegistryException e = expect(() -> down.register(subject, V1));
            assertThat(e.kind()).isEqualTo(RegistryException.Kind.UNAVAILABLE);
            assertThat(e.httpStatus()).isEqualTo(-1);
            assertThat(e.url()).isEqualTo(dead + "/subjects/" + subject + "/versions");
            assertThat(e.getMessage()).contains(dead).contains("3 attempt(s) in 3 round(s)");
        }
    }

    @Test
    void failsOverFromADeadUrlToTheRealRegistry() throws IOException {
        final String dead;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = "http://127.0.0.1:" + socket.getLocalPort();
        }
        try (SchemaRegistry both = SchemaRegistries.create(Map.of(SchemaRegistries.URL,
                dead + "," + apicurio.ccompatUrl()))) {
            assertThat(both.register(subject, V1)).isEqualTo(registry.lookup(subject, V1));
        }
    }

    private static RegistryException expect(final Runnable call) {
        try {
            call.run();
        } catch (final RegistryException e) {
            return e;
        }
        throw new AssertionError("expected a RegistryException");
    }
}
