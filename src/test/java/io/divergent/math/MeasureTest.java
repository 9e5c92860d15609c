package io.divergent.math;

import io.divergent.avro.DivergenceEvent;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The measure list agrees with the event schema and the README, and keeps the names configuration accepts. */
class MeasureTest {

    private static final Schema DOUBLE = Schema.create(Schema.Type.DOUBLE);
    private static final Schema NULLABLE_DOUBLE = Schema.createUnion(Schema.create(Schema.Type.NULL), DOUBLE);

    private static Set<String> names() {
        return new TreeSet<>(Arrays.stream(Measure.values()).map(Measure::field).toList());
    }

    @Test
    void everyMeasureHasADoubleFieldOfItsNameInTheEvent() {
        final Schema event = DivergenceEvent.getClassSchema();
        for (final Measure measure : Measure.values()) {
            final Schema.Field field = event.getField(measure.field());
            assertThat(field).as("DivergenceEvent field for %s", measure).isNotNull();
            assertThat(field.schema()).as("type of %s", measure.field()).isIn(DOUBLE, NULLABLE_DOUBLE);
        }
    }

    @Test
    void everyNullableDoubleFieldOfTheEventIsAMeasure() {
        // A measure needs a reference, so its field is nullable: every such field must be in the enum.
        final List<String> nullableDoubles = DivergenceEvent.getClassSchema().getFields().stream()
                .filter(f -> f.schema().equals(NULLABLE_DOUBLE)).map(Schema.Field::name).toList();
        assertThat(nullableDoubles).as("nullable double fields of DivergenceEvent").isNotEmpty();
        // But the alerting annotations (issue 14: a corrected p-value, a detector statistic) and the volume (issue 15).
        assertThat(names()).containsAll(nullableDoubles.stream()
                .filter(f -> !List.of("g_p_value_adjusted", "change_statistic", "expected_total", "volume_p_value").contains(f)).toList());
    }

    @Test
    void theReadmeMeasuresTableNamesEveryMeasure() throws IOException {
        final String readme = Files.readString(Path.of("README.md"));
        final int start = readme.indexOf("\n## The measures\n");
        assertThat(start).as("README section 'The measures'").isNotNegative();
        final int end = readme.indexOf("\n## ", start + 1);
        final Set<String> named = new TreeSet<>();
        // First cell of each table row of the section: `name` or `a`, `b`.
        final Matcher row = Pattern.compile("(?m)^\\| ([^|]*) \\|").matcher(readme.substring(start, end < 0 ? readme.length() : end));
        while (row.find()) {
            final Matcher name = Pattern.compile("`([a-z_]+)`").matcher(row.group(1));
            while (name.find()) {
                named.add(name.group(1));
            }
        }
        assertThat(named).as("measure names in the README's measures table").containsAll(names());
    }

    @Test
    void theAlertableMeasuresAreTheThresholdsConfigurationAccepts() {
        // The alert.<measure>.* keys of 0.1.0, in the order their alerts are emitted, then those added since.
        assertThat(Measure.alertableNames()).containsExactly("kl_pq", "kl_qp", "js_divergence", "js_distance", "psi",
                "hellinger", "total_variation", "g_statistic", "g_p_value", "unseen_mass", "missing_mass",
                "cross_entropy_pq", "entropy_p", "l_infinity");
        assertThat(Measure.alertableMeasures()).extracting(Measure::field).isEqualTo(Measure.alertableNames());
        assertThat(Measure.ENTROPY_Q.alertable()).as("entropy_q describes the reference, not drift").isFalse();
        assertThat(Arrays.stream(Measure.values()).filter(m -> m.alerting() == Measure.Alerting.LOWER_IS_WORSE))
                .containsExactly(Measure.G_P_VALUE);
    }

    @Test
    void onlyInformationMeasuresAreInTheResultsUnitAndPsiIsAlwaysInNats() {
        final Map<String, Double> bits = values(Unit.BITS);
        final Map<String, Double> nats = values(Unit.NATS);
        for (final Measure measure : Measure.values()) {
            final double ratio = nats.get(measure.field()) / bits.get(measure.field());
            if (measure.unitKind() == Measure.UnitKind.INFORMATION) {
                // js_distance is the square root of a divergence in the unit.
                final double expected = measure == Measure.JS_DISTANCE ? Math.sqrt(Math.log(2)) : Math.log(2);
                assertThat(ratio).as("%s nats / bits", measure.field()).isCloseTo(expected, within(1e-12));
                assertThat(measure.unitIn(Unit.BITS)).as(measure.field()).isEqualTo(Unit.BITS);
            } else {
                assertThat(ratio).as("%s does not depend on the unit", measure.field()).isEqualTo(1.0);
                assertThat(measure.unitIn(Unit.BITS)).as(measure.field())
                        .isEqualTo(measure.unitKind() == Measure.UnitKind.NATS ? Unit.NATS : null);
            }
        }
    }

    @Test
    void psiIsTheOnlyMeasureAlwaysInNats() {
        assertThat(Arrays.stream(Measure.values()).filter(m -> m.unitKind() == Measure.UnitKind.NATS))
                .containsExactly(Measure.PSI);
        assertThat(Measure.PSI.unitIn(Unit.BITS)).isEqualTo(Unit.NATS);
        // 0.1 ln(4/3) both ways: the natural-log PSI, whatever the unit.
        final double psi = 0.2 * Math.log(4.0 / 3);
        for (final Unit unit : Unit.values()) {
            final Divergence d = DivergenceCalculator.withDefaults().withUnit(unit).compute(
                    Histogram.of(Map.of("a", 4, "b", 3, "c", 3)), Histogram.of(Map.of("a", 3, "b", 4, "c", 3)));
            assertThat(d.psi()).as("psi in a %s result", unit).isCloseTo(psi, within(1e-15));
        }
    }

    private static Map<String, Double> values(final Unit unit) {
        // Every measure positive and finite: a shifted window against a reference with all its categories.
        final Divergence d = DivergenceCalculator.withDefaults().withUnit(unit).withAlpha(0.5)
                .compute(Histogram.of(Map.of("a", 40, "b", 30, "c", 20, "d", 10)),
                        Histogram.of(Map.of("a", 1, "b", 2, "c", 3, "e", 4)));
        final Map<String, Double> values = new java.util.TreeMap<>();
        for (final Measure measure : Measure.values()) {
            final double value = measure.of(d);
            assertThat(value).as(measure.field()).isPositive().isFinite();
            values.put(measure.field(), value);
        }
        return values;
    }

    @Test
    void namedFindsEachMeasureAndRefusesOtherNames() {
        for (final Measure measure : Measure.values()) {
            assertThat(Measure.named(measure.field())).isSameAs(measure);
            assertThat(measure.field()).matches("[a-z][a-z_]*[a-z]");
            assertThat(measure.doc()).isNotBlank().doesNotContain("\n");
        }
        assertThatThrownBy(() -> Measure.named("js")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown measure 'js'").hasMessageContaining("js_distance");
    }
}
