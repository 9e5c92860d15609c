package io.divergent.topology;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON form of a reference distribution: {@code {"weights": {category: weight, ...}, "source": "..."}}. */
public final class ReferenceJson {

    private ReferenceJson() {
    }

    /**
     * The weights of a JSON reference: the {@code weights} object, or the whole object if it has none.
     *
     * @throws IllegalArgumentException naming the category whose weight is not a number
     */
    public static Map<String, Double> weights(final JsonNode reference) {
        final JsonNode node = reference.has("weights") ? reference.get("weights") : reference;
        if (!node.isObject()) {
            throw new IllegalArgumentException("weights must be an object of category -> weight");
        }
        final Map<String, Double> weights = new LinkedHashMap<>();
        for (final Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNumber()) {
                throw new IllegalArgumentException("weight of '" + e.getKey() + "' is not a number: " + e.getValue());
            }
            weights.put(e.getKey(), e.getValue().doubleValue());
        }
        return weights;
    }

    /** The {@code source} label, or null. */
    public static String source(final JsonNode reference) {
        return reference.hasNonNull("source") ? reference.get("source").asText() : null;
    }
}
