package io.github.rnnc.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Compiles the {@code .rnn} specs of {@code src/test/rnn} into one Java class per network and adds them to the
 * project's test sources, for networks that only tests use.
 */
@Mojo(name = "generate-test", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true)
public class GenerateTestMojo extends AbstractGenerateMojo {
    /** Where the test specs are. */
    @Parameter(property = "rnnc.testSourceDirectory", defaultValue = "${project.basedir}/src/test/rnn",
            required = true)
    File sourceDirectory;

    /** Where the generated classes go; added as a test compile source root. */
    @Parameter(property = "rnnc.testOutputDirectory",
            defaultValue = "${project.build.directory}/generated-test-sources/rnnc", required = true)
    File outputDirectory;

    @Override
    File sourceDirectory() {
        return sourceDirectory;
    }

    @Override
    File outputDirectory() {
        return outputDirectory;
    }

    @Override
    void addSourceRoot(String directory) {
        project.addTestCompileSourceRoot(directory);
    }

    @Override
    String goal() {
        return "generate-test";
    }
}
