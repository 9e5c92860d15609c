package io.divergent.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one parser of {@code {category: weight}} JSON: references (topic, replay) and compute's files. */
class ReferenceJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(final String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void weightsKeepTheObjectsOrderFromTheWeightsFieldOrTheWholeObject() throws Exception {
        final Map<String, Double> weights = ReferenceJson.weights(json("{\"weights\": {\"b\": 2, \"a\": 0.5}, \"source\": \"s\"}"));
        assertThat(weights).isEqualTo(Map.of("b", 2.0, "a", 0.5));
        assertThat(List.copyOf(weights.keySet())).containsExactly("b", "a");
        assertThat(ReferenceJson.weights(json("{\"x\": 1}"))).isEqualTo(Map.of("x", 1.0));
        assertThat(ReferenceJson.categoryWeights(json("{\"weights\": 3}"))).isEqualTo(Map.of("weights", 3.0));
        assertThat(ReferenceJson.source(json("{\"weights\": {}, \"source\": \"s\"}"))).isEqualTo("s");
        assertThat(ReferenceJson.source(json("{\"weights\": {}}"))).isNull();
    }

    @Test
    void aWeightThatIsNotANumberOrWeightsThatAreNotAnObjectAreRefused() throws Exception {
        assertThatThrownBy(() -> ReferenceJson.weights(json("{\"weights\": {\"a\": 1, \"b\": \"x\"}}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("weight of 'b' is not a number (\"x\")");
        assertThatThrownBy(() -> ReferenceJson.weights(json("{\"weights\": [1]}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("weights must be an object of category -> weight");
        assertThatThrownBy(() -> ReferenceJson.categoryWeights(json("[1]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("weights must be an object of category -> weight");
    }
}
