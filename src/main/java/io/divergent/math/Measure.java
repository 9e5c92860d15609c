package io.divergent.math;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Every scalar measure of a {@link Divergence}: the one list that the divergence event's measure
 * fields, the {@code monitor.<m>.alert.<measure>.*} keys, the alert logic and the README's
 * measures table follow.
 *
 * <p>Adding a measure: compute it in {@link DivergenceCalculator} and expose it on
 * {@link Divergence}, add a constant here, and add a field of the same name to
 * {@code schemas/DivergenceEvent.avsc} (type {@code ["null", "double"]}, default null) and a row
 * to the README's measures table. Tests check that the constants, the schema and the README agree.
 *
 * <p>The declaration order is the order in which alerts of one window are emitted and in which
 * measures are listed in messages.
 */
public enum Measure {
    /** KL(P||Q) in the result's unit. */
    KL_PQ("kl_pq", UnitKind.INFORMATION, Alerting.HIGHER_IS_WORSE, Divergence::klPq,
            "KL(P||Q) = sum p_i log(p_i / q_i); +Infinity when some p_i > 0 = q_i"),
    /** KL(Q||P) in the result's unit. */
    KL_QP("kl_qp", UnitKind.INFORMATION, Alerting.HIGHER_IS_WORSE, Divergence::klQp,
            "KL(Q||P) = sum q_i log(q_i / p_i); +Infinity when some q_i > 0 = p_i"),
    /** Jensen-Shannon divergence in the result's unit. */
    JS_DIVERGENCE("js_divergence", UnitKind.INFORMATION, Alerting.HIGHER_IS_WORSE, Divergence::jsDivergence,
            "Jensen-Shannon divergence; finite, in [0, 1] bits"),
    /** Jensen-Shannon distance in the result's unit. */
    JS_DISTANCE("js_distance", UnitKind.INFORMATION, Alerting.HIGHER_IS_WORSE, Divergence::jsDistance,
            "sqrt(js_divergence), a metric"),
    /** Population stability index, always in nats (its conventional scale), whatever the result's unit. */
    PSI("psi", UnitKind.NATS, Alerting.HIGHER_IS_WORSE, Divergence::psi,
            "population stability index = kl_pq + kl_qp, always in nats (natural log) whatever the unit"),
    /** Hellinger distance, unit-free. */
    HELLINGER("hellinger", UnitKind.UNIT_FREE, Alerting.HIGHER_IS_WORSE, Divergence::hellinger,
            "Hellinger distance, in [0, 1]"),
    /** Total variation distance, unit-free. */
    TOTAL_VARIATION("total_variation", UnitKind.UNIT_FREE, Alerting.HIGHER_IS_WORSE, Divergence::totalVariation,
            "total variation distance, in [0, 1]"),
    /** G-test statistic. */
    G_STATISTIC("g_statistic", UnitKind.STATISTIC, Alerting.HIGHER_IS_WORSE, Divergence::gStatistic,
            "G-test statistic 2 N_P KL_nats(P||Q)"),
    /** G-test p-value: drift makes it small. */
    G_P_VALUE("g_p_value", UnitKind.P_VALUE, Alerting.LOWER_IS_WORSE, Divergence::gPValue,
            "chi-square survival probability of g_statistic at K - 1 degrees of freedom"),
    /** Observed mass on categories the reference lacks. */
    UNSEEN_MASS("unseen_mass", UnitKind.UNIT_FREE, Alerting.HIGHER_IS_WORSE, Divergence::unseenMass,
            "raw observed mass on categories whose raw reference weight is 0, in [0, 1]"),
    /** Reference mass on categories the window lacks. */
    MISSING_MASS("missing_mass", UnitKind.UNIT_FREE, Alerting.HIGHER_IS_WORSE, Divergence::missingMass,
            "raw reference mass on categories absent from the window, in [0, 1]"),
    /** Cross-entropy H(P, Q) in the result's unit. */
    CROSS_ENTROPY_PQ("cross_entropy_pq", UnitKind.INFORMATION, Alerting.HIGHER_IS_WORSE, Divergence::crossEntropyPq,
            "cross-entropy H(P, Q) = entropy_p + kl_pq"),
    /** Entropy of the window in the result's unit; present even without a reference. */
    ENTROPY_P("entropy_p", UnitKind.INFORMATION, Alerting.HIGHER_IS_WORSE, Divergence::entropyP,
            "entropy of the smoothed window, in [0, log K]"),
    /** Entropy of the reference in the result's unit: describes the reference, never alerted on. */
    ENTROPY_Q("entropy_q", UnitKind.INFORMATION, Alerting.NONE, Divergence::entropyQ,
            "entropy of the smoothed reference, in [0, log K]"),
    /** L-infinity distance, unit-free (issue 13; declared last so that the alerts of 0.1.0 keep their order). */
    L_INFINITY("l_infinity", UnitKind.UNIT_FREE, Alerting.HIGHER_IS_WORSE, Divergence::lInfinity,
            "largest per-category probability change max_i abs(p_i - q_i), in [0, 1]");

    /** What a measure's value is expressed in. */
    public enum UnitKind {
        /** An information measure, in the result's {@link Unit} (bits or nats). */
        INFORMATION,
        /**
         * An information measure always in nats, whatever the result's unit: PSI, whose rules of
         * thumb are stated on the natural-log scale.
         */
        NATS,
        /** A distance or a probability mass, without a unit. */
        UNIT_FREE,
        /** A test statistic, without a unit. */
        STATISTIC,
        /** A p-value, in [0, 1]. */
        P_VALUE
    }

    /** Which way drift moves a measure, and so which side of a threshold raises an alert. */
    public enum Alerting {
        /** Drift raises the value: an alert fires at or above its threshold. */
        HIGHER_IS_WORSE,
        /** Drift lowers the value (p-values): an alert fires below its threshold. */
        LOWER_IS_WORSE,
        /** The value describes something other than drift: no threshold may name it. */
        NONE
    }

    private static final List<Measure> ALERTABLE = Arrays.stream(values()).filter(Measure::alertable).toList();
    private static final List<String> ALERTABLE_NAMES = ALERTABLE.stream().map(Measure::field).toList();

    private final String field;
    private final UnitKind unitKind;
    private final Alerting alerting;
    private final ToDoubleFunction<Divergence> reader;
    private final String doc;

    Measure(final String field, final UnitKind unitKind, final Alerting alerting,
            final ToDoubleFunction<Divergence> reader, final String doc) {
        this.field = field;
        this.unitKind = unitKind;
        this.alerting = alerting;
        this.reader = reader;
        this.doc = doc;
    }

    /** The name of the measure: the divergence event's field, the alert's {@code measure} and the config key part. */
    public String field() {
        return field;
    }

    /** What the value is expressed in. */
    public UnitKind unitKind() {
        return unitKind;
    }

    /** Which way drift moves the value; {@link Alerting#NONE} when no threshold may name it. */
    public Alerting alerting() {
        return alerting;
    }

    /** True when a threshold may name this measure. */
    public boolean alertable() {
        return alerting != Alerting.NONE;
    }

    /** One line saying what the measure is. */
    public String doc() {
        return doc;
    }

    /**
     * The unit of this measure's values in results computed in {@code resultUnit}.
     *
     * @return {@code resultUnit} for {@link UnitKind#INFORMATION}, {@link Unit#NATS} for
     *         {@link UnitKind#NATS}, and {@code null} for a measure without a unit
     * @throws NullPointerException if {@code resultUnit} is {@code null}
     */
    public Unit unitIn(final Unit resultUnit) {
        Objects.requireNonNull(resultUnit, "resultUnit");
        return switch (unitKind) {
            case INFORMATION -> resultUnit;
            case NATS -> Unit.NATS;
            case UNIT_FREE, STATISTIC, P_VALUE -> null;
        };
    }

    /**
     * This measure's value in a result, in the unit {@link #unitIn} gives for the result's unit.
     *
     * @throws NullPointerException if {@code divergence} is {@code null}
     */
    public double of(final Divergence divergence) {
        return reader.applyAsDouble(Objects.requireNonNull(divergence, "divergence"));
    }

    /** The measures a threshold may name, in declaration order. Unmodifiable. */
    public static List<Measure> alertableMeasures() {
        return ALERTABLE;
    }

    /** The {@link #field()} names of {@link #alertableMeasures()}, in the same order. Unmodifiable. */
    public static List<String> alertableNames() {
        return ALERTABLE_NAMES;
    }

    /**
     * The measure with this {@link #field()} name (exact, lower case).
     *
     * @throws IllegalArgumentException naming the value and the allowed names, for any other name
     */
    public static Measure named(final String name) {
        for (final Measure measure : values()) {
            if (measure.field.equals(name)) {
                return measure;
            }
        }
        throw new IllegalArgumentException("unknown measure '" + name + "': allowed are "
                + Arrays.stream(values()).map(Measure::field).toList());
    }
}
