package io.divergent.config;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Walking a path through records and maps; the field positions remembered per schema. */
class FieldPathTest {

    /** {@code prediction.label} in a schema where the nested record's field sits at {@code labelAt}. */
    private static GenericRecord event(final String label, final boolean labelFirst) {
        final SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("Prediction").fields();
        final Schema prediction = (labelFirst
                ? fields.requiredString("label").requiredDouble("score")
                : fields.requiredDouble("score").requiredString("label")).endRecord();
        final Schema root = SchemaBuilder.record("Event").fields()
                .requiredLong("id").name("prediction").type(prediction).noDefault().endRecord();
        final GenericRecord nested = new GenericData.Record(prediction);
        nested.put("label", label);
        nested.put("score", 0.5);
        final GenericRecord event = new GenericData.Record(root);
        event.put("id", 1L);
        event.put("prediction", nested);
        return event;
    }

    /**
     * Records of two schemas that hold the field at different positions, alternating (two
     * versions of a topic's schema), and a parsed-JSON map in between: each resolves to its own
     * value, whatever the path remembered from the record before.
     */
    @Test
    void recordsOfSchemasWithTheFieldElsewhereResolveToTheirOwnValue() {
        final FieldPath path = FieldPath.parse("prediction.label");
        final GenericRecord first = event("cat", true);
        final GenericRecord second = event("dog", false);
        for (int i = 0; i < 3; i++) {
            assertThat(path.resolve(first)).hasToString("cat");
            assertThat(path.resolve(second)).hasToString("dog");
            assertThat(path.resolve(Map.of("prediction", Map.of("label", "bird")))).isEqualTo("bird");
        }
        assertThat(FieldPath.parse("prediction.missing").resolve(first)).isNull();
        assertThat(FieldPath.parse("id.label").resolve(first)).isNull();
    }
}
