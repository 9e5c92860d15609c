package io.divergent.reference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.divergent.config.FieldPath;
import io.divergent.config.MonitorConfig;
import io.divergent.config.ValueFormat;
import io.divergent.serde.StrictJson;
import io.divergent.topology.FieldValues;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the categories of one monitor per series over records a user has, as the monitor would
 * count them on its input topic: the category is read at {@code category.field} by the
 * topology's own rules ({@link FieldValues#categoryText}), the series id from the
 * {@code segment.fields} ({@link FieldValues#seriesId}). The counts become reference distributions
 * ({@link #references()}). Not thread-safe; one builder per run.
 *
 * <p>Files ({@link #addFile}): CSV with a header row (a dotted column name such as
 * {@code prediction.label} is the nested field of that path), or JSON Lines (one object per
 * line). For a monitor of {@code value.format=string} every line of the file is one whole value,
 * i.e. one category. Blank lines are skipped.
 */
public final class ReferenceBuilder {

    /** A record or line that cannot be counted, with {@code file:line: problem} as its message. */
    public static final class BadInput extends RuntimeException {
        BadInput(final String message) {
            super(message, null, false, false);
        }
    }

    private final MonitorConfig monitor;
    private final List<String> segmentNames;
    private final Map<String, Map<String, Long>> counts = new TreeMap<>();
    private long records;

    /**
     * @param monitor the monitor whose category and segment fields are read
     */
    public ReferenceBuilder(final MonitorConfig monitor) {
        this.monitor = monitor;
        this.segmentNames = monitor.segmentFields().stream().map(FieldPath::toString).toList();
    }

    /**
     * Counts one decoded value (a map tree, an Avro record, or for string monitors the text).
     *
     * @param root the value
     * @return null when it was counted, otherwise why not (it is then not counted at all)
     */
    public String offer(final Object root) {
        final String category;
        final String series;
        try {
            category = FieldValues.category(monitor, root);
            series = FieldValues.seriesId(monitor, segmentNames, root);
        } catch (final IllegalArgumentException e) {
            return e.getMessage();
        }
        counts.computeIfAbsent(series, k -> new TreeMap<>()).merge(category, 1L, Long::sum);
        records++;
        return null;
    }

    /**
     * Counts every record of a file: CSV when its name ends in {@code .csv}, JSON Lines otherwise.
     *
     * @param file the file
     * @throws BadInput at the first record that cannot be counted: {@code file:line: problem}
     * @throws IOException if the file cannot be read
     */
    public void addFile(final Path file) throws IOException {
        if (monitor.valueFormat() == ValueFormat.STRING) {
            addLines(file, (line, where) -> line);
        } else if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            addCsv(file);
        } else {
            addLines(file, ReferenceBuilder::jsonObject);
        }
    }

    /** Records counted so far. */
    public long records() {
        return records;
    }

    /**
     * The reference of every series seen, by series id (sorted), each with its categories
     * sorted by name.
     */
    public List<SeriesReference> references() {
        final List<SeriesReference> references = new ArrayList<>();
        counts.forEach((series, categories) -> references.add(new SeriesReference(series, categories)));
        return references;
    }

    private interface LineParser {
        Object parse(String line, String where);
    }

    private void addLines(final Path file, final LineParser parser) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                final String where = file + ":" + number;
                count(parser.parse(line, where), where);
            }
        }
    }

    private static Object jsonObject(final String line, final String where) {
        final Object value;
        try {
            value = StrictJson.readValue(line.getBytes(StandardCharsets.UTF_8));
        } catch (final IOException e) {
            throw new BadInput(where + ": not valid JSON: " + StrictJson.describe(e));
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new BadInput(where + ": expected a JSON object (one record per line)");
        }
        return value;
    }

    private void addCsv(final Path file) throws IOException {
        final CsvMapper csv = CsvMapper.builder().enable(CsvParser.Feature.SKIP_EMPTY_LINES).build();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<Map<String, String>> rows = csv.readerForMapOf(String.class)
                     .with(CsvSchema.emptySchema().withHeader()).readValues(reader)) {
            checkHeader(file, rows);
            while (true) {
                final Map<String, String> row;
                // Where the parser stands between rows is the line the next row starts on
                // (blank lines are skipped with the row before), whatever lines the row spans.
                final int line = rows.getParser().currentLocation().getLineNr();
                try {
                    if (!rows.hasNextValue()) {
                        break;
                    }
                    row = rows.nextValue();
                } catch (final JsonProcessingException e) {
                    throw new BadInput(file + ":" + e.getLocation().getLineNr() + ": " + e.getOriginalMessage());
                }
                count(nested(row), file + ":" + line);
            }
        } catch (final JsonProcessingException e) {
            throw new BadInput(file + ":" + (e.getLocation() == null ? 1 : e.getLocation().getLineNr()) + ": "
                    + e.getOriginalMessage());
        }
    }

    /** A header that lacks the category column is one error for the file, not one per row. */
    private void checkHeader(final Path file, final MappingIterator<Map<String, String>> rows) throws IOException {
        if (!rows.hasNextValue()) {
            return;
        }
        final CsvSchema header = (CsvSchema) rows.getParserSchema();
        final String category = monitor.categoryField().toString();
        if (header != null && header.column(category) == null) {
            throw new BadInput(file + ":1: the header has no column '" + category + "' (the category field of monitor '"
                    + monitor.name() + "'); columns: " + String.join(", ", header.getColumnNames()));
        }
    }

    private void count(final Object root, final String where) {
        final String problem = offer(root);
        if (problem != null) {
            throw new BadInput(where + ": " + problem);
        }
    }

    /** A CSV row as the tree its dotted column names describe; an empty cell is a missing value. */
    private static Map<String, Object> nested(final Map<String, String> row) {
        final Map<String, Object> root = new LinkedHashMap<>();
        row.forEach((column, value) -> {
            if (value == null || value.isEmpty()) {
                return;
            }
            final String[] parts = column.split("\\.", -1);
            Map<String, Object> node = root;
            for (int i = 0; i < parts.length - 1; i++) {
                final Object child = node.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
                if (!(child instanceof Map<?, ?>)) {
                    return;
                }
                @SuppressWarnings("unchecked")
                final Map<String, Object> next = (Map<String, Object>) child;
                node = next;
            }
            node.put(parts[parts.length - 1], value);
        });
        return root;
    }
}
