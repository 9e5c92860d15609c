package io.divergent.config;

import io.divergent.math.Measure;

/** Which side of a threshold fires: {@code value >= threshold} or {@code value < threshold} (p-values). */
public enum Direction {
    AT_LEAST,
    BELOW;

    /**
     * The side on which a threshold on this measure fires: {@link #BELOW} when drift lowers the
     * measure ({@link Measure.Alerting#LOWER_IS_WORSE}), else {@link #AT_LEAST}.
     *
     * @throws IllegalArgumentException if the measure is not {@link Measure#alertable()}
     */
    public static Direction of(final Measure measure) {
        return switch (measure.alerting()) {
            case HIGHER_IS_WORSE -> AT_LEAST;
            case LOWER_IS_WORSE -> BELOW;
            case NONE -> throw new IllegalArgumentException("no threshold may name " + measure.field());
        };
    }
}
