package io.divergent.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import java.io.IOException;

/**
 * How Divergent reads JSON that comes from outside (input values, reference values, replay
 * lines): one value per document, nothing after it ({@code {"a":1} trailing} is refused, not
 * read as {@code {"a":1}}), within Jackson's default read limits (nesting depth 1,000, numbers
 * of 1,000 digits, strings of 20 million characters). Every failure is an {@link IOException}
 * whose {@link #describe} is one readable line.
 */
public final class StrictJson {

    private static final ObjectReader READER = new ObjectMapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectReader VALUES = READER.forType(Object.class);

    private StrictJson() {
    }

    /**
     * Reads a value as maps, lists, strings, numbers ({@code Integer}, {@code Long},
     * {@code BigInteger}, {@code Double}), booleans and null.
     *
     * @throws IOException when the bytes are not exactly one JSON value within the read limits
     */
    public static Object readValue(final byte[] bytes) throws IOException {
        return VALUES.readValue(bytes);
    }

    /** Reads a tree. @throws IOException as {@link #readValue} */
    public static JsonNode readTree(final byte[] bytes) throws IOException {
        return READER.readTree(bytes);
    }

    /** Reads a tree from text. @throws IOException as {@link #readValue} */
    public static JsonNode readTree(final String text) throws IOException {
        return READER.readTree(text);
    }

    /**
     * One line saying why JSON could not be read: Jackson's message and, where it has one, the
     * line and column (limit violations such as nesting depth have none).
     */
    public static String describe(final IOException error) {
        if (error instanceof JsonProcessingException json) {
            final String message = json.getOriginalMessage();
            final var location = json.getLocation();
            return (message == null ? json.getClass().getSimpleName() : message.replaceAll("\\s*\\R\\s*", " "))
                    + (location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr());
        }
        return String.valueOf(error.getMessage());
    }
}
