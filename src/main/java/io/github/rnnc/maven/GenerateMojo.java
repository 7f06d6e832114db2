package io.github.rnnc.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Compiles the {@code .rnn} specs of {@code src/main/rnn} into one Java class per network and adds them to the
 * project's sources. Only specs that changed since the last build (or whose imports changed) are compiled again;
 * the classes of deleted specs are removed.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractGenerateMojo {
    /** Where the specs are. */
    @Parameter(property = "rnnc.sourceDirectory", defaultValue = "${project.basedir}/src/main/rnn", required = true)
    File sourceDirectory;

    /** Where the generated classes go; added as a compile source root. */
    @Parameter(property = "rnnc.outputDirectory", defaultValue = "${project.build.directory}/generated-sources/rnnc",
            required = true)
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
        project.addCompileSourceRoot(directory);
    }

    @Override
    String goal() {
        return "generate";
    }
}
