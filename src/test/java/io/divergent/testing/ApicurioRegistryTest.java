package io.divergent.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How the registry tests find a Java 21+ runtime, and what they say without one: one line
 * naming every place tried and how to name a runtime, before any process is started.
 */
class ApicurioRegistryTest {

    private static Path jdk(final Path parent, final String name, final String version) throws Exception {
        final Path home = Files.createDirectories(parent.resolve(name));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + version + "\"\n");
        final Path bin = Files.createDirectories(home.resolve("bin"));
        Files.createFile(bin.resolve("java"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        return home;
    }

    @Test
    void withoutJava21TheMessageSaysWhatWasTriedAndWhatToDo(@TempDir final Path dir) throws Exception {
        final Path jvms = Files.createDirectories(dir.resolve("jvm"));
        final Path java17 = jdk(jvms, "java-17", "17.0.15");
        final Path running = jdk(dir, "running", "17.0.15");
        assertThatThrownBy(() -> ApicurioRegistry.javaExecutable(null, null, running, jvms))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Apicurio Registry needs Java 21 or newer and none was found; install one under "
                        + "/usr/lib/jvm, point JAVA_HOME at it, or set -Ddivergent.apicurio.java=<java home>. Tried: ")
                .hasMessageContaining(running + " (Java 17)").hasMessageContaining(java17 + " (Java 17)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> ApicurioRegistry.javaExecutable(java17.toString(), null, running, jvms))
                .hasMessage("divergent.apicurio.java=" + java17 + " is not a Java 21+ installation: [" + java17 + " (Java 17)]");
    }

    @Test
    void theNewestJava21OrLaterIsFound(@TempDir final Path dir) throws Exception {
        final Path jvms = Files.createDirectories(dir.resolve("jvm"));
        jdk(jvms, "java-17", "17.0.15");
        jdk(jvms, "java-21", "21.0.2");
        final Path java25 = jdk(jvms, "java-25", "25");
        final Path running = jdk(dir, "running", "17.0.15");
        assertThat(ApicurioRegistry.javaExecutable(null, "", running, jvms)).isEqualTo(java25.resolve("bin").resolve("java"));
        assertThat(ApicurioRegistry.javaExecutable(null, jvms.resolve("java-21").toString(), running, jvms))
                .isEqualTo(jvms.resolve("java-21").resolve("bin").resolve("java"));
    }
}
