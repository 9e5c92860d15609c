package io.divergent.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.divergent.math.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A decoded reference's weights made a histogram, as the reference store's restore does for
 * every reference record: {@link Histogram#of(Map)} (sorts the names) against
 * {@link Histogram#of(Map, Histogram)} given the previous reference of the same categories.
 *
 * <p>Data: K categories {@code category-<i>} with integer weights in a {@link HashMap} (as Avro
 * decodes a map: hash order), its keys their own String instances (as after decoding).
 *
 * <p>Run: {@code mvn -B -Pbench package -DskipTests && java -jar target/benchmarks.jar
 * ReferenceHistogramBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ReferenceHistogramBenchmark {

    @Param({"64", "1024"})
    public int categories;

    private Map<String, Double> weights;
    private Histogram previous;

    @Setup
    public void setUp() {
        final SplittableRandom random = new SplittableRandom(1024);
        final Map<String, Double> earlier = new HashMap<>();
        weights = new HashMap<>();
        for (int i = 0; i < categories; i++) {
            earlier.put("category-" + i, (double) random.nextInt(1, 100));
            weights.put(new String("category-" + i), (double) random.nextInt(1, 100));
        }
        previous = Histogram.of(earlier);
    }

    @Benchmark
    public Histogram sorted() {
        return Histogram.of(weights);
    }

    @Benchmark
    public Histogram likeThePrevious() {
        return Histogram.of(weights, previous);
    }
}
