package io.github.rnnc.syntax;

import io.github.rnnc.ast.SpecFile;
import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.diagnostics.SourceFile;
import io.github.rnnc.diagnostics.Span;
import io.github.rnnc.syntax.antlr.RnnLexer;
import io.github.rnnc.syntax.antlr.RnnParser;
import java.util.Optional;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * The syntax stage: text in, AST out. The only entry point to ANTLR; nothing outside this package sees a parse
 * tree. A file with syntax errors yields diagnostics and no AST.
 */
public final class SpecParser {
    private SpecParser() {
    }

    public static Optional<SpecFile> parse(SourceFile source, Diagnostics diagnostics) {
        Diagnostics local = new Diagnostics();
        RnnParser.SpecFileContext tree;
        try {
            tree = parseTree(source, local);
        } catch (StackOverflowError e) {
            diagnostics.error(DiagnosticCode.SYNTAX_ERROR, new Span(source, 0, 0),
                    "the spec nests too deeply to be read");
            return Optional.empty();
        }
        if (local.hasErrors()) {
            diagnostics.addAll(local.sorted());
            return Optional.empty();
        }
        try {
            SpecFile file = new AstBuilder(source, local).build(tree);
            diagnostics.addAll(local.sorted());
            return local.hasErrors() ? Optional.empty() : Optional.of(file);
        } catch (StackOverflowError e) {
            diagnostics.error(DiagnosticCode.SYNTAX_ERROR, new Span(source, 0, 0),
                    "the spec nests too deeply to be read");
            return Optional.empty();
        }
    }

    /** SLL prediction first (fast, right for nearly every file), full LL only when SLL gives up, as Trino does. */
    private static RnnParser.SpecFileContext parseTree(SourceFile source, Diagnostics diagnostics) {
        RnnLexer lexer = new RnnLexer(CharStreams.fromString(source.text(), source.displayPath()));
        lexer.removeErrorListeners();
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        RnnParser parser = new RnnParser(tokens);
        parser.removeErrorListeners();
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        parser.setErrorHandler(new BailErrorStrategy());
        try {
            return parser.specFile();
        } catch (ParseCancellationException sllFailed) {
            tokens.seek(0);
            parser.reset();
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            parser.setErrorHandler(new SyntaxErrors.Strategy());
            parser.addErrorListener(new SyntaxErrors.Listener(source, diagnostics));
            return parser.specFile();
        }
    }
}
