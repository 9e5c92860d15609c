package io.divergent.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * JSON has no infinity: every number this project writes goes through here, so that a finite
 * double is a JSON number and an infinite one is the string {@code "Infinity"} (or
 * {@code "-Infinity"}), as in {@code docs/divergence.md} and the golden file.
 * {@link #parse} reads both forms back.
 */
public final class JsonNumbers {

    /** The JSON text of {@link Double#POSITIVE_INFINITY}. */
    public static final String INFINITY = "Infinity";
    /** The JSON text of {@link Double#NEGATIVE_INFINITY}. */
    public static final String NEGATIVE_INFINITY = "-Infinity";
    /** The JSON text of NaN; the measures never produce it, but a writer must not emit invalid JSON. */
    public static final String NAN = "NaN";

    private JsonNumbers() {
    }

    /**
     * @return a number node for a finite value, else the text node {@code "Infinity"},
     *         {@code "-Infinity"} or {@code "NaN"}
     */
    public static JsonNode node(final double value) {
        if (Double.isFinite(value)) {
            return DoubleNode.valueOf(value);
        }
        if (Double.isNaN(value)) {
            return TextNode.valueOf(NAN);
        }
        return TextNode.valueOf(value > 0 ? INFINITY : NEGATIVE_INFINITY);
    }

    /**
     * Sets {@code object[field]} to {@link #node(double)}.
     *
     * @return {@code object}, for chaining
     */
    public static ObjectNode put(final ObjectNode object, final String field, final double value) {
        object.set(field, node(value));
        return object;
    }

    /**
     * Reads a value written by {@link #node(double)}: a JSON number, or one of the strings
     * {@code "Infinity"}, {@code "-Infinity"}, {@code "NaN"}.
     *
     * @throws IllegalArgumentException if the node is {@code null}, missing or anything else
     */
    public static double parse(final JsonNode node) {
        if (node != null && node.isNumber()) {
            return node.doubleValue();
        }
        if (node != null && node.isTextual()) {
            switch (node.textValue()) {
                case INFINITY:
                    return Double.POSITIVE_INFINITY;
                case NEGATIVE_INFINITY:
                    return Double.NEGATIVE_INFINITY;
                case NAN:
                    return Double.NaN;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("not a number or \"Infinity\": " + node);
    }
}
