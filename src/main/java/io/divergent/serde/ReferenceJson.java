package io.divergent.serde;

import com.fasterxml.jackson.databind.JsonNode;
import io.divergent.avro.WeightsKind;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON form of a reference distribution, {@code {"weights": {category: weight, ...},
 * "source": "...", "weights_kind": "FIXED" | "SAMPLE"}} (the fields of the Avro
 * {@code ReferenceDistribution}), and the one parser of a JSON {@code {category: weight, ...}} object, which
 * {@code compute} reads its histogram files with too.
 */
public final class ReferenceJson {

    private ReferenceJson() {
    }

    /**
     * The weights of a JSON reference: the {@code weights} object, or the whole object if it has none.
     *
     * @throws IllegalArgumentException as {@link #categoryWeights}
     */
    public static Map<String, Double> weights(final JsonNode reference) {
        return categoryWeights(reference.has("weights") ? reference.get("weights") : reference);
    }

    /**
     * A JSON object of category -> weight, in the object's order. Only that a weight is a JSON
     * number is checked here; whether it is a valid weight (finite, not negative) is the
     * histogram's rule ({@link io.divergent.math.Histogram.Builder#add}).
     *
     * @param object the JSON object
     * @return the weights, in the object's order
     * @throws IllegalArgumentException if {@code object} is not an object, or naming the category
     *         whose weight is not a number ({@code weight of 'a' is not a number ("x")})
     */
    public static Map<String, Double> categoryWeights(final JsonNode object) {
        if (!object.isObject()) {
            throw new IllegalArgumentException("weights must be an object of category -> weight");
        }
        final Map<String, Double> weights = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> e : object.properties()) {
            if (!e.getValue().isNumber()) {
                throw new IllegalArgumentException("weight of '" + e.getKey() + "' is not a number (" + e.getValue() + ")");
            }
            weights.put(e.getKey(), e.getValue().doubleValue());
        }
        return weights;
    }

    /**
     * The {@code weights_kind} of a JSON reference: {@link WeightsKind#FIXED} (the Avro default)
     * when absent or null, else the Avro symbol given, spelt exactly.
     *
     * @throws IllegalArgumentException if it is present and not a symbol of {@link WeightsKind}
     */
    public static WeightsKind weightsKind(final JsonNode reference) {
        if (!reference.hasNonNull("weights_kind")) {
            return WeightsKind.FIXED;
        }
        final JsonNode kind = reference.get("weights_kind");
        for (final WeightsKind symbol : WeightsKind.values()) {
            if (kind.isTextual() && symbol.name().equals(kind.asText())) {
                return symbol;
            }
        }
        throw new IllegalArgumentException("weights_kind must be one of " + java.util.Arrays.toString(WeightsKind.values())
                + ": " + kind);
    }

    /** The {@code source} label, or null. */
    public static String source(final JsonNode reference) {
        return reference.hasNonNull("source") ? reference.get("source").asText() : null;
    }
}
