package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.NoDriftCalibration;
import io.divergent.avro.ReferenceInfo;
import io.divergent.config.DivergentConfig;
import io.divergent.config.MonitorConfig;
import io.divergent.math.BaselineKind;
import io.divergent.math.Histogram;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import static io.divergent.topology.TopologyHarness.jsonMonitor;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EventFactory} builds its records without Avro's builders (issue 16): a field it does not
 * set keeps its Java zero value, which must be the schema's default, and the events must be the
 * ones the builders made.
 */
class EventFactoryTest {

    /** Fields whose default is not the Java zero value of their type; the factory sets each on every record. */
    private static final Set<String> ALWAYS_SET = Set.of("DivergenceEvent.segments", "DivergenceEvent.top_contributors",
            "ReferenceInfo.baseline_window_starts");

    @Test
    void everyFieldLeftUnsetHoldsItsSchemaDefault() {
        final Map<String, Supplier<SpecificRecordBase>> classes = Map.of(
                "DivergenceEvent", DivergenceEvent::new,
                "ReferenceInfo", ReferenceInfo::new,
                "NoDriftCalibration", NoDriftCalibration::new);
        int checked = 0;
        for (final Map.Entry<String, Supplier<SpecificRecordBase>> entry : classes.entrySet()) {
            final SpecificRecordBase blank = entry.getValue().get();
            for (final Schema.Field field : blank.getSchema().getFields()) {
                final String name = entry.getKey() + "." + field.name();
                if (!field.hasDefaultValue() || ALWAYS_SET.contains(name)) {
                    continue;
                }
                // A deep copy converts the default to the generated class's type (an enum, an Instant).
                final Object expected = SpecificData.get().deepCopy(field.schema(), SpecificData.get().getDefaultValue(field));
                assertThat(blank.get(field.pos())).as(name).isEqualTo(expected);
                checked++;
            }
        }
        assertThat(checked).as("fields with a zero default checked").isGreaterThan(30);
    }

    @Test
    void anEventCarriesTheFieldsTheBuilderFilledIn() throws IOException {
        final MonitorConfig monitor = DivergentConfig.fromMap(jsonMonitor("genres", "genre")).monitors().get(0);
        final EventFactory factory = new EventFactory(monitor);
        final Histogram observed = Histogram.of(Map.of("a", 3, "c", 1));
        final EventFactory.Baseline baseline = EventFactory.Baseline.fromTopic(
                Histogram.of(Map.of("a", 1, "b", 1)), 5_000, BaselineKind.FIXED);
        final DivergenceEvent made = factory.create("genres", 0, 60_000, observed, 4, 0, baseline);
        // Avro's writer refuses null in a field that is not nullable: a required field the
        // factory forgot fails here, not at serialization downstream.
        assertThat(written(made)).isNotEmpty();
        assertThat(made.getReference().getBaselineWindowStarts()).isEmpty();
        assertThat(made.getNoDrift()).isNotNull();
        assertThat(made.getNoData()).isFalse();

        final DivergenceEvent noData = factory.noData("genres", 0, 60_000);
        assertThat(noData.getNoData()).isTrue();
        assertThat(noData.getTopContributors()).isEqualTo(List.of());
        assertThat(noData.getSegments()).isEmpty();
        assertThat(noData.getKlPq()).isNull();
        assertThat(written(noData)).isNotEmpty();
    }

    /** The math enums map onto the schema's symbols of the same names, constant for constant. */
    @Test
    void eachMathConstantHasTheSchemaSymbolOfItsName() {
        for (final io.divergent.math.Contribution.Direction direction : io.divergent.math.Contribution.Direction.values()) {
            assertThat(EventFactory.DIRECTION[direction.ordinal()].name()).isEqualTo(direction.name());
        }
        for (final io.divergent.math.GTest.Kind kind : io.divergent.math.GTest.Kind.values()) {
            assertThat(EventFactory.G_TEST[kind.ordinal()].name()).isEqualTo(kind.name());
        }
        for (final io.divergent.math.NoDrift.Method method : io.divergent.math.NoDrift.Method.values()) {
            assertThat(NoDriftFields.METHOD[method.ordinal()].name()).isEqualTo(method.name());
        }
        assertThat(NoDriftFields.METHOD).hasSize(io.divergent.math.NoDrift.Method.values().length);
        assertThat(EventFactory.DIRECTION).hasSize(io.divergent.math.Contribution.Direction.values().length);
        assertThat(EventFactory.G_TEST).hasSize(io.divergent.math.GTest.Kind.values().length);
    }

    /** The event in Avro's binary encoding, by Avro's own writer (which checks every field against its schema). */
    private static byte[] written(final DivergenceEvent event) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(DivergenceEvent.class).write(event, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }
}
