package io.divergent.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class JsonNumbersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void finiteValuesAreNumbersInfiniteOnesStrings() throws Exception {
        final ObjectNode node = JSON.createObjectNode();
        JsonNumbers.put(node, "x", 0.1);
        JsonNumbers.put(node, "zero", 0.0);
        JsonNumbers.put(node, "inf", Double.POSITIVE_INFINITY);
        JsonNumbers.put(node, "ninf", Double.NEGATIVE_INFINITY);
        JsonNumbers.put(node, "nan", Double.NaN);
        assertThat(JSON.writeValueAsString(node))
                .isEqualTo("{\"x\":0.1,\"zero\":0.0,\"inf\":\"Infinity\",\"ninf\":\"-Infinity\",\"nan\":\"NaN\"}");
    }

    @Test
    void parseReadsBackEveryForm() throws Exception {
        for (final double value : new double[] {0.1, -3, Double.MIN_VALUE, Double.MAX_VALUE,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.0 / 3}) {
            final JsonNode written = JSON.readTree(JSON.writeValueAsString(JsonNumbers.node(value)));
            assertThat(JsonNumbers.parse(written)).isEqualTo(value);
        }
        assertThat(JsonNumbers.parse(JsonNumbers.node(Double.NaN))).isNaN();
        assertThat(JsonNumbers.parse(JSON.readTree("42"))).isEqualTo(42.0);
    }

    @Test
    void parseRejectsAnythingElse() throws Exception {
        for (final String json : new String[] {"\"infinity\"", "\"12\"", "null", "true", "[1]", "{}"}) {
            final JsonNode node = JSON.readTree(json);
            assertThatThrownBy(() -> JsonNumbers.parse(node)).as(json).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> JsonNumbers.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
