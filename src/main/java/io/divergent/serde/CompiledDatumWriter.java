package io.divergent.serde;

import org.apache.avro.AvroTypeException;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;

import java.io.IOException;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * A {@link DatumWriter} that walks its schema once, when it is built, into a tree of field
 * writers, and then writes a datum without looking anything up: the union branch of a nullable
 * field, each field's position, each logical type's conversion are resolved ahead of time.
 * It writes exactly the bytes of the model's own writer ({@code model.createDatumWriter(schema)};
 * {@code CompiledDatumWriterTest} compares them over random records of every schema in
 * {@code schemas/}), about 3x faster on a divergence event (issue 16: Avro's generic walk, with
 * a union resolution and a field lookup per field, was 14% of the window task's time).
 * Anything it does not compile (a union of several non-null branches, a record that is not an
 * {@link IndexedRecord}) it hands to the model's writer for that part. Thread-safe once built.
 *
 * <p>A record of a generated (specific) class has its non-null {@code double}, {@code long},
 * {@code int} and {@code boolean} fields read through their getters, which return the primitive:
 * {@code get(int)} boxes each one (issue 16: a divergence event has about fifty, and the boxing
 * was a fifth of its serialization). A record of another class, a generic record of the same
 * schema included, is read with {@code get(int)}.
 */
final class CompiledDatumWriter implements DatumWriter<Object> {

    /** Writes one datum of one schema. */
    private interface Node {
        void write(Object datum, Encoder out) throws IOException;
    }

    /** Reads one primitive field of a generated record and writes it, unboxed. */
    private interface Direct {
        void write(Object record, Encoder out) throws IOException;
    }

    private final Node root;
    private final int directFields;

    private CompiledDatumWriter(final Node root, final int directFields) {
        this.root = root;
        this.directFields = directFields;
    }

    /**
     * The compiled writer of a schema for a data model.
     *
     * @param model  the model whose writer this one equals (its logical-type conversions, its
     *               specific enums and strings)
     * @param schema the writer schema
     */
    static CompiledDatumWriter of(final GenericData model, final Schema schema) {
        final Compiler compiler = new Compiler(model);
        final Node root = compiler.node(schema);
        return new CompiledDatumWriter(root, compiler.directFields);
    }

    /** Getter classes looked for and spun in this JVM, ever (for the tests: once per class and field). */
    private static final AtomicInteger SPUN = new AtomicInteger();

    static int spun() {
        return SPUN.get();
    }

    /** How many fields, over the schema's records, are read through a primitive getter (for the tests). */
    int directFields() {
        return directFields;
    }

    @Override
    public void setSchema(final Schema schema) {
        throw new UnsupportedOperationException("a compiled writer has its schema for good");
    }

    @Override
    public void write(final Object datum, final Encoder out) throws IOException {
        root.write(datum, out);
    }

    /** Compiles a schema; named records compile once (a recursive schema refers to its own node). */
    private static final class Compiler {
        private final GenericData model;
        private final Map<Schema, Node> records = new IdentityHashMap<>();
        private int directFields;

        Compiler(final GenericData model) {
            this.model = model;
        }

        Node node(final Schema schema) {
            final LogicalType logical = schema.getLogicalType();
            final Node raw = rawNode(schema);
            if (logical == null) {
                return raw;
            }
            final Conversion<?> conversion = model.getConversionFor(logical);
            if (conversion == null) {
                return raw;
            }
            final Class<?> converted = conversion.getConvertedType();
            return (datum, out) -> raw.write(datum != null && datum.getClass() == converted
                    ? convert(datum, schema, logical, conversion) : datum, out);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Object convert(final Object datum, final Schema schema, final LogicalType logical,
                                      final Conversion conversion) {
            return Conversions.convertToRawType(datum, schema, logical, conversion);
        }

        private Node rawNode(final Schema schema) {
            return switch (schema.getType()) {
                case RECORD -> record(schema);
                case UNION -> union(schema);
                case ARRAY -> array(schema);
                case MAP -> map(schema);
                case ENUM -> (datum, out) -> out.writeEnum(datum instanceof Enum<?> e ? e.ordinal()
                        : schema.getEnumOrdinal(datum.toString()));
                case STRING -> (datum, out) -> out.writeString(datum instanceof CharSequence s ? s : datum.toString());
                case BYTES -> (datum, out) -> out.writeBytes((ByteBuffer) datum);
                case FIXED -> (datum, out) -> out.writeFixed(((GenericFixed) datum).bytes(), 0, schema.getFixedSize());
                case INT -> (datum, out) -> out.writeInt(((Number) datum).intValue());
                case LONG -> (datum, out) -> out.writeLong(((Number) datum).longValue());
                case FLOAT -> (datum, out) -> out.writeFloat(((Number) datum).floatValue());
                case DOUBLE -> (datum, out) -> out.writeDouble(((Number) datum).doubleValue());
                case BOOLEAN -> (datum, out) -> out.writeBoolean((Boolean) datum);
                case NULL -> (datum, out) -> {
                    if (datum != null) {
                        throw new AvroTypeException("not null: " + datum);
                    }
                    out.writeNull();
                };
            };
        }

        private Node record(final Schema schema) {
            final Node known = records.get(schema);
            if (known != null) {
                return known;
            }
            final List<Schema.Field> fields = schema.getFields();
            final Node[] writers = new Node[fields.size()];
            final int[] positions = new int[fields.size()];
            final String[] names = new String[fields.size()];
            @SuppressWarnings("unchecked")
            final DatumWriter<Object> fallback = (DatumWriter<Object>) model.createDatumWriter(schema);
            final Class<?> generated = model instanceof SpecificData specific ? specific.getClass(schema) : null;
            final Direct[] direct = new Direct[fields.size()];
            final Node node = (datum, out) -> {
                if (!(datum instanceof IndexedRecord record)) {
                    fallback.write(datum, out);
                    return;
                }
                final boolean isGenerated = datum.getClass() == generated;
                for (int i = 0; i < writers.length; i++) {
                    if (isGenerated && direct[i] != null) {
                        direct[i].write(datum, out);
                        continue;
                    }
                    final Object value = record.get(positions[i]);
                    try {
                        writers[i].write(value, out);
                    } catch (final NullPointerException | ClassCastException e) {
                        throw new AvroTypeException("field " + schema.getName() + "." + names[i] + ": "
                                + (value == null ? "null value for a non-nullable field" : e.getMessage()), e);
                    }
                }
            };
            records.put(schema, node);
            for (int i = 0; i < writers.length; i++) {
                positions[i] = fields.get(i).pos();
                names[i] = fields.get(i).name();
                writers[i] = node(fields.get(i).schema());
                direct[i] = generated == null ? null : direct(generated, fields.get(i));
                if (direct[i] != null) {
                    directFields++;
                }
            }
            return node;
        }

        /**
         * A writer of a field through the generated class's getter when the field is a non-null
         * primitive without a logical type and the class has exactly one getter for it returning
         * that primitive ({@code js_distance}: {@code double getJsDistance()}); else null. Made
         * once per JVM for each class and field: each {@code LambdaMetafactory} call spins a class,
         * and a writer per serializer made new ones every time an application started, which the
         * JIT compiled again and the writer's call sites deoptimised for (issue 16).
         */
        private static Direct direct(final Class<?> generated, final Schema.Field field) {
            return DIRECT.get(generated).computeIfAbsent(field.name() + ':' + field.schema().getType(),
                    key -> Optional.ofNullable(spin(generated, field))).orElse(null);
        }

        /** Per generated class, its fields' direct writers by field name and type (empty: none). */
        private static final ClassValue<Map<String, Optional<Direct>>> DIRECT = new ClassValue<>() {
            @Override
            protected Map<String, Optional<Direct>> computeValue(final Class<?> type) {
                return new ConcurrentHashMap<>();
            }
        };

        private static Direct spin(final Class<?> generated, final Schema.Field field) {
            SPUN.incrementAndGet();
            final Schema schema = field.schema();
            final Class<?> primitive = switch (schema.getType()) {
                case DOUBLE -> double.class;
                case LONG -> long.class;
                case INT -> int.class;
                case BOOLEAN -> boolean.class;
                default -> null;
            };
            if (primitive == null || schema.getLogicalType() != null) {
                return null;
            }
            final String name = "get" + field.name().replace("_", "");
            Method getter = null;
            for (final Method method : generated.getMethods()) {
                if (method.getParameterCount() == 0 && method.getName().equalsIgnoreCase(name)
                        && method.getReturnType() == primitive) {
                    if (getter != null) {
                        return null;
                    }
                    getter = method;
                }
            }
            if (getter == null) {
                return null;
            }
            try {
                final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(generated, MethodHandles.lookup());
                final MethodHandle handle = lookup.unreflect(getter);
                if (primitive == double.class) {
                    final ToDoubleFunction<Object> get = function(lookup, handle, ToDoubleFunction.class, "applyAsDouble");
                    return (record, out) -> out.writeDouble(get.applyAsDouble(record));
                }
                if (primitive == long.class) {
                    final ToLongFunction<Object> get = function(lookup, handle, ToLongFunction.class, "applyAsLong");
                    return (record, out) -> out.writeLong(get.applyAsLong(record));
                }
                if (primitive == int.class) {
                    final ToIntFunction<Object> get = function(lookup, handle, ToIntFunction.class, "applyAsInt");
                    return (record, out) -> out.writeInt(get.applyAsInt(record));
                }
                final Predicate<Object> get = function(lookup, handle, Predicate.class, "test");
                return (record, out) -> out.writeBoolean(get.test(record));
            } catch (final VirtualMachineError e) {
                throw e;
            } catch (final Throwable e) {
                // Not reachable this way (another module, a security policy): get(int) does it, boxed.
                return null;
            }
        }

        /** The getter as an instance of a one-method interface taking Object (a lambda of the class, as javac would make). */
        @SuppressWarnings("unchecked")
        private static <F> F function(final MethodHandles.Lookup lookup, final MethodHandle getter, final Class<?> type,
                                      final String method) throws Throwable {
            final MethodType erased = MethodType.methodType(getter.type().returnType(), Object.class);
            final CallSite site = LambdaMetafactory.metafactory(lookup, method, MethodType.methodType(type),
                    erased, getter, getter.type());
            return (F) site.getTarget().invoke();
        }

        private Node union(final Schema schema) {
            final List<Schema> branches = schema.getTypes();
            final Node[] writers = new Node[branches.size()];
            for (int i = 0; i < writers.length; i++) {
                writers[i] = node(branches.get(i));
            }
            final Integer nullIndex = schema.getIndexNamed(Schema.Type.NULL.getName());
            if (nullIndex != null && branches.size() == 2) {
                final int none = nullIndex;
                final int some = 1 - none;
                final Node value = writers[some];
                return (datum, out) -> {
                    if (datum == null) {
                        out.writeIndex(none);
                        out.writeNull();
                    } else {
                        out.writeIndex(some);
                        value.write(datum, out);
                    }
                };
            }
            return (datum, out) -> {
                final int index = model.resolveUnion(schema, datum);
                out.writeIndex(index);
                writers[index].write(datum, out);
            };
        }

        private Node array(final Schema schema) {
            final Node element = node(schema.getElementType());
            return (datum, out) -> {
                final Collection<?> items = (Collection<?>) datum;
                out.writeArrayStart();
                out.setItemCount(items.size());
                for (final Object item : items) {
                    out.startItem();
                    element.write(item, out);
                }
                out.writeArrayEnd();
            };
        }

        private Node map(final Schema schema) {
            final Node value = node(schema.getValueType());
            return (datum, out) -> {
                final Map<?, ?> entries = (Map<?, ?>) datum;
                out.writeMapStart();
                out.setItemCount(entries.size());
                for (final Map.Entry<?, ?> entry : entries.entrySet()) {
                    out.startItem();
                    out.writeString(entry.getKey().toString());
                    value.write(entry.getValue(), out);
                }
                out.writeMapEnd();
            };
        }
    }
}
