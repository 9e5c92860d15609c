package io.divergent.math;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable categorical histogram: categories mapped to finite, non-negative weights.
 *
 * <p>Categories are unique, non-empty strings held in ascending {@link String#compareTo}
 * order; index {@code i} in {@link #category(int)} and {@link #weight(int)} follows that
 * order. Weights may be counts or any finite non-negative numbers (probabilities, training
 * frequencies). A category with weight 0 is kept: it is part of the category set and so of
 * the union {@code K} that smoothing normalises over.
 *
 * <p>{@link #total()} is the compensated sum of the weights in category order, so two equal
 * histograms always have the bit-identical total. {@code -0.0} is stored as {@code 0.0}.
 *
 * <p>Invalid input is rejected with {@link InvalidHistogramException}, whose message names the
 * category, for example {@code weight of 'drama' is negative (-2)}.
 */
public final class Histogram {

    private static final Histogram EMPTY = new Histogram(new String[0], new double[0], 0.0);
    private static final int TO_STRING_LIMIT = 20;

    private final String[] categories;
    private final double[] weights;
    private final double total;
    /** Derived data as a reference, computed on first use; a racy publication is safe (all its fields are final). */
    private ReferenceIndex referenceIndex;

    private Histogram(final String[] categories, final double[] weights, final double total) {
        this.categories = categories;
        this.weights = weights;
        this.total = total;
    }

    /**
     * A histogram of the given weights. The map is copied; its iteration order does not matter.
     *
     * @param weights category to weight; any {@link Number}, read with {@link Number#doubleValue()}
     * @return the histogram, {@link #empty()} for an empty map
     * @throws NullPointerException      if {@code weights} is {@code null}
     * @throws InvalidHistogramException if a category is {@code null} or empty, or a weight is
     *                                   {@code null}, negative, NaN or infinite, or the total overflows
     */
    public static Histogram of(final Map<String, ? extends Number> weights) {
        Objects.requireNonNull(weights, "weights");
        final int k = weights.size();
        final String[] names = new String[k];
        int n = 0;
        for (final String name : weights.keySet()) {
            checkCategory(name);
            names[n++] = name;
        }
        Arrays.sort(names);
        final double[] values = new double[k];
        for (int i = 0; i < k; i++) {
            final Number value = weights.get(names[i]);
            if (value == null) {
                throw new InvalidHistogramException(names[i], "weight of '" + names[i] + "' is missing (null)");
            }
            values[i] = value.doubleValue();
        }
        return ofSorted(names, values);
    }

    /**
     * {@link #of(Map)}, faster when the weights have the categories of {@code like}: their order
     * is then taken from it (an O(K) check of the map) instead of sorting the names. The
     * references a publisher sends for many series often share one category set, and the
     * reference store's restore turns each of them into a histogram (the sort was 37% of it for
     * 1,024 categories).
     *
     * @param weights category to weight, as for {@link #of(Map)}
     * @param like    a histogram whose categories the weights likely have, or null
     * @return what {@link #of(Map)} returns, equal in every case
     * @throws NullPointerException      if {@code weights} is {@code null}
     * @throws InvalidHistogramException as {@link #of(Map)}
     */
    public static Histogram of(final Map<String, ? extends Number> weights, final Histogram like) {
        Objects.requireNonNull(weights, "weights");
        if (like == null || like.categories.length == 0 || like.categories.length != weights.size()) {
            return of(weights);
        }
        final String[] names = like.categories;
        final double[] values = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            final Number value = weights.get(names[i]);
            if (value == null) {
                // Another category set (or a null weight, which of(Map) reports).
                return of(weights);
            }
            values[i] = checkWeight(names[i], value.doubleValue());
        }
        // Same size, and every category of like a key: the same categories, in like's (valid) order.
        return create(names, values);
    }

    /**
     * A histogram over categories already in ascending {@link String#compareTo} order, checked
     * in O(K). The histogram takes ownership of both arrays: the caller must not change them
     * afterwards ({@code -0.0} weights are rewritten to {@code 0.0} in place).
     *
     * @param categories unique, non-empty names in ascending order
     * @param weights    finite non-negative weights, {@code weights[i]} for {@code categories[i]}
     * @return the histogram
     * @throws NullPointerException      if either array is {@code null}
     * @throws IllegalArgumentException  if the arrays differ in length
     * @throws InvalidHistogramException if a category is {@code null}, empty, out of order or
     *                                   repeated, or a weight is negative, NaN or infinite, or the
     *                                   total overflows; the message names the category
     */
    public static Histogram ofSorted(final String[] categories, final double[] weights) {
        Objects.requireNonNull(categories, "categories");
        Objects.requireNonNull(weights, "weights");
        if (categories.length != weights.length) {
            throw new IllegalArgumentException("categories and weights differ in length: "
                    + categories.length + " != " + weights.length);
        }
        for (int i = 0; i < categories.length; i++) {
            final String name = categories[i];
            checkCategory(name);
            if (i > 0) {
                final int order = categories[i - 1].compareTo(name);
                if (order == 0) {
                    throw new InvalidHistogramException(name, "category '" + name + "' appears twice");
                }
                if (order > 0) {
                    throw new InvalidHistogramException(name, "category '" + name + "' is out of order (after '"
                            + categories[i - 1] + "'): categories must be sorted");
                }
            }
            weights[i] = checkWeight(name, weights[i]);
        }
        return create(categories, weights);
    }

    /** A builder that accumulates weights per category; see {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The histogram without categories: size 0, total 0. */
    public static Histogram empty() {
        return EMPTY;
    }

    /** Number of categories, including those of weight 0. */
    public int size() {
        return categories.length;
    }

    /**
     * @param i index in {@code [0, size())}, categories in ascending order
     * @throws ArrayIndexOutOfBoundsException if {@code i} is out of range
     */
    public String category(final int i) {
        return categories[i];
    }

    /**
     * @param i index in {@code [0, size())}
     * @throws ArrayIndexOutOfBoundsException if {@code i} is out of range
     */
    public double weight(final int i) {
        return weights[i];
    }

    /** Compensated sum of the weights in category order; finite, {@code >= 0}. */
    public double total() {
        return total;
    }

    /**
     * The weight of a category, found by binary search in O(log K).
     *
     * @return the weight, or 0 when the category is absent
     * @throws NullPointerException if {@code category} is {@code null}
     */
    public double weightOf(final String category) {
        Objects.requireNonNull(category, "category");
        final int i = Arrays.binarySearch(categories, category);
        return i >= 0 ? weights[i] : 0.0;
    }

    /**
     * The category-wise sum of this histogram and {@code other}, by an O(K) merge of the sorted
     * categories (a merged last-N baseline is {@code a.plus(b).plus(c)}).
     *
     * @throws NullPointerException      if {@code other} is {@code null}
     * @throws InvalidHistogramException if a summed weight or the total overflows
     */
    public Histogram plus(final Histogram other) {
        Objects.requireNonNull(other, "other");
        if (other.categories.length == 0) {
            return this;
        }
        if (categories.length == 0) {
            return other;
        }
        final String[] a = categories;
        final String[] b = other.categories;
        final String[] names = new String[a.length + b.length];
        final double[] values = new double[names.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            final int order = i == a.length ? 1 : j == b.length ? -1 : a[i].compareTo(b[j]);
            if (order < 0) {
                names[n] = a[i];
                values[n++] = weights[i++];
            } else if (order > 0) {
                names[n] = b[j];
                values[n++] = other.weights[j++];
            } else {
                names[n] = a[i];
                values[n] = weights[i++] + other.weights[j++];
                if (values[n] == Double.POSITIVE_INFINITY) {
                    throw overflow(names[n]);
                }
                n++;
            }
        }
        return create(n == names.length ? names : Arrays.copyOf(names, n),
                n == values.length ? values : Arrays.copyOf(values, n));
    }

    /** An unmodifiable map of the weights in ascending category order. */
    public Map<String, Double> toMap() {
        final Map<String, Double> map = new LinkedHashMap<>(Math.max(16, (int) (categories.length / 0.75f) + 1));
        for (int i = 0; i < categories.length; i++) {
            map.put(categories[i], weights[i]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** Equal when the categories and their weights are equal (weights compared bit for bit). */
    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Histogram)) {
            return false;
        }
        final Histogram other = (Histogram) o;
        return Arrays.equals(weights, other.weights) && Arrays.equals(categories, other.categories);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(categories) + Arrays.hashCode(weights);
    }

    /** {@code Histogram{a=1.0, b=2.0}}; past 20 categories the rest is summarised as a count. */
    @Override
    public String toString() {
        final StringBuilder text = new StringBuilder("Histogram{");
        final int shown = Math.min(categories.length, TO_STRING_LIMIT);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                text.append(", ");
            }
            text.append(categories[i]).append('=').append(weights[i]);
        }
        if (shown < categories.length) {
            text.append(", ... (").append(categories.length).append(" categories)");
        }
        return text.append('}').toString();
    }

    /** The categories themselves, not a copy: callers in this package only read them. */
    String[] categoriesArray() {
        return categories;
    }

    /** The weights themselves, not a copy: callers in this package only read them. */
    double[] weightsArray() {
        return weights;
    }

    /**
     * This histogram's derived data as a reference (O(K log K) the first time, then cached): the
     * window processor reuses reference instances, so the sparse paths pay it once per reference.
     */
    ReferenceIndex referenceIndex() {
        ReferenceIndex index = referenceIndex;
        if (index == null) {
            index = new ReferenceIndex(this);
            referenceIndex = index;
        }
        return index;
    }

    /** Arrays already validated (or the sum of validated histograms): only the total is left to check. */
    private static Histogram create(final String[] categories, final double[] weights) {
        final CompensatedSum sum = new CompensatedSum();
        for (int i = 0; i < weights.length; i++) {
            sum.add(weights[i]);
            if (sum.sum() == Double.POSITIVE_INFINITY) {
                throw overflow(categories[i]);
            }
        }
        return new Histogram(categories, weights, sum.value());
    }

    private static InvalidHistogramException overflow(final String category) {
        return new InvalidHistogramException(category,
                "total weight overflows at '" + category + "': weights must sum to a finite number");
    }

    private static void checkCategory(final String name) {
        if (name == null) {
            throw new InvalidHistogramException(null, "category name is null");
        }
        if (name.isEmpty()) {
            throw new InvalidHistogramException(name, "category name is empty");
        }
    }

    /** @return the weight, with {@code -0.0} made {@code 0.0} so equality and output are stable */
    private static double checkWeight(final String name, final double weight) {
        if (Double.isNaN(weight)) {
            throw new InvalidHistogramException(name, "weight of '" + name + "' is not a number (NaN)");
        }
        if (Double.isInfinite(weight)) {
            throw new InvalidHistogramException(name, "weight of '" + name + "' is infinite (" + weight + ")");
        }
        if (weight < 0) {
            throw new InvalidHistogramException(name, "weight of '" + name + "' is negative (" + format(weight) + ")");
        }
        return weight + 0.0;
    }

    /** Integral weights as integers ({@code -2}, not {@code -2.0}): messages quote what the user typed. */
    static String format(final double weight) {
        if (weight == Math.rint(weight) && Math.abs(weight) < 1e15) {
            return Long.toString((long) weight);
        }
        return Double.toString(weight);
    }

    /**
     * Accumulates weights per category: {@link #add} sums repeated categories, {@link #build}
     * sorts once. Not thread-safe; can keep adding after {@code build()}.
     */
    public static final class Builder {

        private final Map<String, double[]> weights = new HashMap<>();

        private Builder() {
        }

        /**
         * Adds {@code weight} to the category's weight so far (0 if new); an added 0 still
         * makes the category part of the histogram.
         *
         * @return this builder
         * @throws InvalidHistogramException if the category is {@code null} or empty, the weight is
         *                                   negative, NaN or infinite, or the category's sum overflows
         */
        public Builder add(final String category, final double weight) {
            checkCategory(category);
            final double checked = checkWeight(category, weight);
            final double[] cell = weights.computeIfAbsent(category, name -> new double[1]);
            final double sum = cell[0] + checked;
            if (sum == Double.POSITIVE_INFINITY) {
                throw new InvalidHistogramException(category, "weight of '" + category + "' overflows");
            }
            cell[0] = sum;
            return this;
        }

        /**
         * @return the histogram of everything added so far
         * @throws InvalidHistogramException if the total overflows
         */
        public Histogram build() {
            final String[] names = weights.keySet().toArray(new String[0]);
            Arrays.sort(names);
            final double[] values = new double[names.length];
            for (int i = 0; i < names.length; i++) {
                values[i] = weights.get(names[i])[0];
            }
            return create(names, values);
        }
    }
}
