package io.github.rnnc.syntax;

import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.diagnostics.SourceFile;
import io.github.rnnc.diagnostics.Span;
import io.github.rnnc.syntax.antlr.RnnLexer;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.FailedPredicateException;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.Vocabulary;
import org.antlr.v4.runtime.misc.IntervalSet;

/** Turns ANTLR's recognition errors into diagnostics that speak the language of the spec, not of the parser. */
final class SyntaxErrors {
    private static final int MAX_LISTED = 6;

    private SyntaxErrors() {
    }

    /** Builds the messages; reports every error through the parser's listeners. */
    static final class Strategy extends DefaultErrorStrategy {
        @Override
        protected void reportNoViableAlternative(Parser parser, NoViableAltException e) {
            parser.notifyErrorListeners(e.getOffendingToken(), unexpected(e.getOffendingToken()), e);
        }

        @Override
        protected void reportInputMismatch(Parser parser, InputMismatchException e) {
            String message = unexpected(e.getOffendingToken()) + "; expected "
                    + describe(e.getExpectedTokens(), parser.getVocabulary());
            parser.notifyErrorListeners(e.getOffendingToken(), message, e);
        }

        @Override
        protected void reportFailedPredicate(Parser parser, FailedPredicateException e) {
            parser.notifyErrorListeners(e.getOffendingToken(), unexpected(e.getOffendingToken()), e);
        }

        @Override
        protected void reportUnwantedToken(Parser parser) {
            if (inErrorRecoveryMode(parser)) {
                return;
            }
            beginErrorCondition(parser);
            Token token = parser.getCurrentToken();
            String message = unexpected(token) + "; expected " + describe(getExpectedTokens(parser),
                    parser.getVocabulary());
            parser.notifyErrorListeners(token, message, null);
        }

        @Override
        protected void reportMissingToken(Parser parser) {
            if (inErrorRecoveryMode(parser)) {
                return;
            }
            beginErrorCondition(parser);
            Token previous = parser.getTokenStream().LT(-1);
            Token current = parser.getCurrentToken();
            String message = "expected " + describe(getExpectedTokens(parser), parser.getVocabulary());
            // Point just after the last good token: a missing ';' belongs at the end of its line.
            Token at = previous != null ? new AfterToken(previous) : current;
            parser.notifyErrorListeners(at, message, null);
        }
    }

    /** Collects errors as diagnostics with spans. */
    static final class Listener extends BaseErrorListener {
        private final SourceFile source;
        private final Diagnostics diagnostics;
        private final List<Integer> reportedOffsets = new ArrayList<>();

        Listener(SourceFile source, Diagnostics diagnostics) {
            this.source = source;
            this.diagnostics = diagnostics;
        }

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int column,
                String message, RecognitionException e) {
            if (!(offendingSymbol instanceof Token token)) {
                return; // the lexer never fails: unknown characters become ERROR_CHAR tokens
            }
            Span span = spanOf(token);
            if (reportedOffsets.contains(span.start())) {
                return; // one error per place is enough; recovery sometimes reports twice
            }
            reportedOffsets.add(span.start());
            if (token.getType() == RnnLexer.ERROR_CHAR) {
                diagnostics.error(DiagnosticCode.BAD_CHARACTER, span, badCharacter(token.getText()));
            } else {
                diagnostics.error(DiagnosticCode.SYNTAX_ERROR, span, message);
            }
        }

        private Span spanOf(Token token) {
            int start = token instanceof AfterToken after ? after.offset() : token.getStartIndex();
            if (token.getType() == Token.EOF || start < 0) {
                return new Span(source, source.length(), source.length());
            }
            int end = token instanceof AfterToken ? start : token.getStopIndex() + 1;
            start = source.charOffset(start);
            end = source.charOffset(end);
            return new Span(source, start, Math.max(start, Math.min(end, source.length())));
        }
    }

    static String unexpected(Token token) {
        if (token.getType() == Token.EOF) {
            return "unexpected end of file";
        }
        if (token.getType() == RnnLexer.ERROR_CHAR) {
            return badCharacter(token.getText());
        }
        return "unexpected " + quote(token.getText());
    }

    private static String badCharacter(String text) {
        int codePoint = text.isEmpty() ? 0 : text.codePointAt(0);
        if (codePoint == '"') {
            return "unterminated string";
        }
        if (codePoint < 0x20 || codePoint > 0x7e) {
            return String.format(java.util.Locale.ROOT, "unexpected character U+%04X", codePoint);
        }
        return "unexpected character '" + text + "'";
    }

    static String quote(String text) {
        String shown = text.length() > 24 ? text.substring(0, 24) + "..." : text;
        StringBuilder out = new StringBuilder("'");
        shown.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.append('\'').toString();
    }

    static String describe(IntervalSet expected, Vocabulary vocabulary) {
        List<String> names = new ArrayList<>();
        for (int type : expected.toList()) {
            String name = describe(type, vocabulary);
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            return "something else";
        }
        if (names.size() > MAX_LISTED) {
            return String.join(", ", names.subList(0, MAX_LISTED)) + " or another token";
        }
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    private static String describe(int type, Vocabulary vocabulary) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case RnnLexer.IDENT -> "a name";
            case RnnLexer.NUMBER -> "a number";
            case RnnLexer.STRING -> "a string";
            default -> {
                String literal = vocabulary.getLiteralName(type);
                yield literal != null ? literal : vocabulary.getDisplayName(type);
            }
        };
    }

    /** A zero-width position right after a token, for "expected ';'" errors. */
    private static final class AfterToken extends org.antlr.v4.runtime.CommonToken {
        private final int offset;

        AfterToken(Token previous) {
            super(previous);
            this.offset = previous.getStopIndex() + 1;
        }

        int offset() {
            return offset;
        }
    }
}
