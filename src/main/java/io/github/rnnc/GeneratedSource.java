package io.github.rnnc;

/** One generated Java compilation unit. */
public record GeneratedSource(String packageName, String className, String code) {
    public String qualifiedName() {
        return packageName.isEmpty() ? className : packageName + "." + className;
    }

    /** The path relative to a source root, e.g. {@code com/example/Net.java}. */
    public String relativePath() {
        return (packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/") + className + ".java";
    }
}
