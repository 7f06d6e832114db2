package io.github.rnnc.ast;

import io.github.rnnc.diagnostics.SourceFile;
import io.github.rnnc.diagnostics.Span;
import java.util.List;
import java.util.Optional;

/** One parsed .rnn file. */
public record SpecFile(SourceFile source, Optional<PackageDecl> packageDecl, List<ImportDecl> imports,
        List<CellDecl> cells, List<NetworkDecl> networks) {

    public SpecFile {
        imports = List.copyOf(imports);
        cells = List.copyOf(cells);
        networks = List.copyOf(networks);
    }

    public record PackageDecl(List<Identifier> segments, Span span) {
        public String name() {
            return String.join(".", segments.stream().map(Identifier::text).toList());
        }
    }

    /** {@code import "path";} with the path as written between the quotes, escapes resolved. */
    public record ImportDecl(String path, Span span) {
    }
}
