package io.divergent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class MockSchemaRegistryTest {

    /** v1 of a record. */
    static final Schema V1 = SchemaBuilder.record("User").namespace("t").fields()
            .requiredString("name").endRecord();
    /** v1 plus a defaulted field: backward and forward compatible with v1. */
    static final Schema V2_DEFAULTED = SchemaBuilder.record("User").namespace("t").fields()
            .requiredString("name").name("age").type().intType().intDefault(0).endRecord();
    /** v1 plus a required field: v2 cannot read v1 data (not backward compatible). */
    static final Schema V2_REQUIRED = SchemaBuilder.record("User").namespace("t").fields()
            .requiredString("name").requiredInt("age").endRecord();
    /** The field renamed without an alias: neither direction works. */
    static final Schema V2_RENAMED = SchemaBuilder.record("User").namespace("t").fields()
            .requiredString("nickname").endRecord();

    private String scope;
    private MockSchemaRegistry registry;

    @BeforeEach
    void scope(final TestInfo info) {
        scope = info.getTestMethod().orElseThrow().getName() + "-" + UUID.randomUUID();
        registry = MockSchemaRegistry.forScope(scope);
    }

    @AfterEach
    void drop() {
        MockSchemaRegistry.dropScope(scope);
    }

    @Test
    void registerIsIdempotentAndOneSchemaHasOneIdAcrossSubjects() {
        final int id = registry.register("a-value", V1);
        assertThat(registry.register("a-value", V1)).isEqualTo(id);
        assertThat(registry.register("b-value", V1)).isEqualTo(id);
        assertThat(registry.versions("a-value")).containsExactly(1);
        assertThat(registry.lookup("b-value", V1)).isEqualTo(id);
        assertThat(registry.schemaById(id)).isEqualTo(V1);
        assertThat(registry.subjects()).containsExactly("a-value", "b-value");
    }

    @Test
    void versionsLatestAndLookupOfEvolvedSchemas() {
        final int id1 = registry.register("s", V1);
        final int id2 = registry.register("s", V2_DEFAULTED);
        assertThat(id2).isNotEqualTo(id1);
        assertThat(registry.latest("s")).isEqualTo(new RegisteredSchema("s", id2, 2, V2_DEFAULTED));
        assertThat(registry.version("s", 1)).isEqualTo(new RegisteredSchema("s", id1, 1, V1));
        assertThat(registry.versions("s")).containsExactly(1, 2);
        // Re-registering an old version finds it; no new version.
        assertThat(registry.register("s", V1)).isEqualTo(id1);
        assertThat(registry.versions("s")).containsExactly(1, 2);
    }

    @Test
    void absentThingsAreTypedByErrorCode() {
        registry.register("s", V1);
        assertError(() -> registry.lookup("nope", V1), RegistryException.Kind.SUBJECT_NOT_FOUND, 40401);
        assertError(() -> registry.latest("nope"), RegistryException.Kind.SUBJECT_NOT_FOUND, 40401);
        assertError(() -> registry.versions("nope"), RegistryException.Kind.SUBJECT_NOT_FOUND, 40401);
        assertError(() -> registry.version("s", 7), RegistryException.Kind.VERSION_NOT_FOUND, 40402);
        assertError(() -> registry.lookup("s", V2_DEFAULTED), RegistryException.Kind.SCHEMA_NOT_FOUND, 40403);
        final RegistryException e = assertError(() -> registry.schemaById(424242),
                RegistryException.Kind.SCHEMA_NOT_FOUND, 40403);
        assertThat(e.url()).startsWith("mock://" + scope);
        assertThat(e.getMessage()).contains("mock://" + scope);
    }

    @Test
    void backwardByDefaultAcceptsADefaultedFieldAndRejectsARequiredOne() {
        registry.register("s", V1);
        assertThat(registry.compatibility("s")).isEqualTo("BACKWARD");
        assertThat(registry.isCompatible("s", V2_DEFAULTED)).isTrue();
        assertThat(registry.isCompatible("s", V2_REQUIRED)).isFalse();
        final RegistryException e = assertError(() -> registry.register("s", V2_REQUIRED),
                RegistryException.Kind.INCOMPATIBLE, 409);
        assertThat(e.getMessage()).contains("age");
        assertThat(registry.versions("s")).containsExactly(1);
        assertThat(registry.isCompatible("brand-new", V2_REQUIRED)).as("nothing to be incompatible with").isTrue();
    }

    @Test
    void subjectLevelsOverrideTheGlobalOne() {
        registry.register("s", V1);
        registry.setCompatibility("s", "none");
        assertThat(registry.compatibility("s")).isEqualTo("NONE");
        assertThat(registry.compatibility("other")).isEqualTo("BACKWARD");
        assertThat(registry.register("s", V2_RENAMED)).isPositive();

        registry.register("f", V1);
        registry.setCompatibility("f", "FORWARD");
        // Adding a required field: old readers ignore it (forward ok), new readers need it (backward not).
        assertThat(registry.isCompatible("f", V2_REQUIRED)).isTrue();
        registry.setCompatibility("f", "FULL");
        assertThat(registry.isCompatible("f", V2_REQUIRED)).isFalse();
        assertThat(registry.isCompatible("f", V2_DEFAULTED)).isTrue();

        registry.setGlobalCompatibility("FULL");
        assertThat(registry.compatibility("other")).isEqualTo("FULL");
        assertError(() -> registry.setCompatibility("s", "SIDEWAYS"),
                RegistryException.Kind.INVALID_COMPATIBILITY_LEVEL, 42203);
    }

    @Test
    void transitiveLevelsCheckEveryVersion() {
        final Schema v3 = SchemaBuilder.record("User").namespace("t").fields()
                .name("age").type().intType().intDefault(0).endRecord();
        registry.setCompatibility("s", "BACKWARD");
        registry.register("s", V1);
        registry.register("s", V2_DEFAULTED);
        // v3 drops "name": it can read v2 (ignores name) and v1 (age defaulted), so it is fine either way.
        assertThat(registry.isCompatible("s", v3)).isTrue();
        final Schema v3Required = SchemaBuilder.record("User").namespace("t").fields()
                .requiredInt("age").endRecord();
        registry.setCompatibility("s", "BACKWARD");
        assertThat(registry.isCompatible("s", v3Required)).as("v2 has age").isTrue();
        registry.setCompatibility("s", "BACKWARD_TRANSITIVE");
        assertThat(registry.isCompatible("s", v3Required)).as("v1 has no age").isFalse();
    }

    @Test
    void scopesAreSharedByNameAndIsolatedFromEachOther() {
        final String other = scope + "-other";
        try {
            assertThat(MockSchemaRegistry.forScope(scope)).isSameAs(registry);
            registry.register("s", V1);
            assertThat(MockSchemaRegistry.forScope(other).subjects()).isEmpty();
            assertThat(registry.url()).isEqualTo("mock://" + scope);
            MockSchemaRegistry.dropScope(scope);
            assertThat(MockSchemaRegistry.forScope(scope).subjects()).isEmpty();
        } finally {
            MockSchemaRegistry.dropScope(other);
        }
        assertThatThrownBy(() -> MockSchemaRegistry.forScope(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentRegistrationsOfOneSchemaYieldOneId() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            final List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                final String subject = "s" + (i % 4);
                results.add(pool.submit(() -> registry.register(subject, V1)));
            }
            final Set<Integer> ids = new HashSet<>();
            for (final Future<Integer> result : results) {
                ids.add(result.get());
            }
            assertThat(ids).hasSize(1);
            assertThat(registry.subjects()).hasSize(4);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> registry.register("", V1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.register("s", null)).isInstanceOf(NullPointerException.class);
    }

    static RegistryException assertError(final Runnable call, final RegistryException.Kind kind, final int code) {
        try {
            call.run();
        } catch (final RegistryException e) {
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
            assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(code);
            return e;
        }
        throw new AssertionError("expected a RegistryException of kind " + kind);
    }
}
