package io.divergent.config;

/** Which side of a threshold fires: {@code value >= threshold} or {@code value < threshold} (p-values). */
public enum Direction {
    AT_LEAST,
    BELOW
}
