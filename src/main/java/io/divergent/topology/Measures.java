package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;

import java.util.List;

/** The measures a threshold can watch, read by name from an emitted event. */
public final class Measures {

    /** Every measure name an alert threshold may name. */
    public static final List<String> NAMES = List.of("kl_pq", "kl_qp", "js_divergence", "js_distance", "psi",
            "hellinger", "total_variation", "g_statistic", "g_p_value", "unseen_mass", "missing_mass",
            "cross_entropy_pq", "entropy_p");

    private Measures() {
    }

    /**
     * The value of a measure in an event, or null when the event has none (no reference).
     *
     * @throws IllegalArgumentException for a name not in {@link #NAMES}
     */
    public static Double value(final String measure, final DivergenceEvent event) {
        return switch (measure) {
            case "kl_pq" -> event.getKlPq();
            case "kl_qp" -> event.getKlQp();
            case "js_divergence" -> event.getJsDivergence();
            case "js_distance" -> event.getJsDistance();
            case "psi" -> event.getPsi();
            case "hellinger" -> event.getHellinger();
            case "total_variation" -> event.getTotalVariation();
            case "g_statistic" -> event.getGStatistic();
            case "g_p_value" -> event.getGPValue();
            case "unseen_mass" -> event.getUnseenMass();
            case "missing_mass" -> event.getMissingMass();
            case "cross_entropy_pq" -> event.getCrossEntropyPq();
            case "entropy_p" -> event.getEntropyP();
            default -> throw new IllegalArgumentException("unknown measure '" + measure + "': allowed are " + NAMES);
        };
    }

    /** The {@code unit} of an alert on a measure that has none: unit-free measures and p-values. */
    public static final String NO_UNIT = "NONE";

    /**
     * The unit a measure is expressed in, spelled as the event's {@code unit} enum symbol
     * ({@code BITS} or {@code NATS}) for information measures, else {@link #NO_UNIT}: a consumer
     * can compare an alert's unit with its event's {@code unit} as is.
     */
    public static String unitOf(final String measure, final DivergenceEvent event) {
        return switch (measure) {
            case "hellinger", "total_variation", "g_statistic", "g_p_value", "unseen_mass", "missing_mass" -> NO_UNIT;
            default -> event.getUnit().name();
        };
    }
}
