package io.divergent.schemas;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every schema change must stay BACKWARD compatible: the current schema (reader) must read data
 * written with each released version (writer), for every schema of every release under
 * {@code schemas/released/<version>/}.
 */
class SchemaEvolutionTest {

    private static final Path CURRENT = Path.of("schemas");
    private static final Path RELEASED = CURRENT.resolve("released");

    @TestFactory
    List<DynamicTest> currentSchemasReadEveryReleasedVersion() throws IOException {
        final List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> releases = Files.list(RELEASED)) {
            for (final Path release : releases.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(release)) {
                    for (final Path old : files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
                        tests.add(DynamicTest.dynamicTest(release.getFileName() + "/" + old.getFileName(), () -> {
                            final Path current = CURRENT.resolve(old.getFileName());
                            assertThat(current).as("released schema %s was removed", old).exists();
                            final Schema writer = new Schema.Parser().parse(old.toFile());
                            final Schema reader = new Schema.Parser().parse(current.toFile());
                            final SchemaCompatibility.SchemaPairCompatibility result =
                                    SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
                            assertThat(result.getType())
                                    .as("%s cannot read data written with %s: %s", current, old, result.getResult().getIncompatibilities())
                                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
                        }));
                    }
                }
            }
        }
        assertThat(tests).as("released schemas to check").isNotEmpty();
        return tests;
    }

    @TestFactory
    List<DynamicTest> theCheckRejectsAnIncompatibleChange() {
        // Guard for the check itself: a new required field without a default is not BACKWARD compatible.
        final Schema writer = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
        final Schema reader = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"long\"}]}");
        return List.of(DynamicTest.dynamicTest("required field without default", () ->
                assertThat(SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType())
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.INCOMPATIBLE)));
    }
}
