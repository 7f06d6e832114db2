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
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * The syntax stage: text in, AST out. The only entry point to ANTLR; nothing outside this package sees a parse
 * tree. A file with syntax errors yields diagnostics and no AST.
 */
public final class SpecParser {
    /** Far beyond any real spec; keeps the recursive-descent parser's work and stack bounded. */
    static final int MAX_NESTING = 256;

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
        if (tree == null || local.hasErrors()) {
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
        tokens.fill();
        Token tooDeep = firstTooDeep(tokens.getTokens());
        if (tooDeep != null) {
            int start = source.charOffset(tooDeep.getStartIndex());
            diagnostics.error(DiagnosticCode.SYNTAX_ERROR, new Span(source, start, source.charOffset(
                    tooDeep.getStopIndex() + 1)), "nesting deeper than " + MAX_NESTING + " levels");
            return null;
        }
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

    /** The first token that opens a bracket, or continues a run of unary minus signs, past the nesting limit. */
    private static Token firstTooDeep(java.util.List<Token> tokens) {
        int depth = 0;
        int minusRun = 0;
        for (Token token : tokens) {
            switch (token.getType()) {
                case RnnLexer.LPAREN, RnnLexer.LBRACK, RnnLexer.LBRACE -> depth++;
                case RnnLexer.RPAREN, RnnLexer.RBRACK, RnnLexer.RBRACE -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
            minusRun = token.getType() == RnnLexer.MINUS ? minusRun + 1 : 0;
            if (depth + minusRun > MAX_NESTING) {
                return token;
            }
        }
        return null;
    }
}
