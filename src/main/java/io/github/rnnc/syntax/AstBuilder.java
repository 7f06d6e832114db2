package io.github.rnnc.syntax;

import io.github.rnnc.ast.CellDecl;
import io.github.rnnc.ast.Expr;
import io.github.rnnc.ast.Identifier;
import io.github.rnnc.ast.NetworkDecl;
import io.github.rnnc.ast.SpecFile;
import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.diagnostics.SourceFile;
import io.github.rnnc.diagnostics.Span;
import io.github.rnnc.syntax.antlr.RnnParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/** Parse tree to AST. Runs only on trees without syntax errors. */
final class AstBuilder {
    private final SourceFile source;
    private final Diagnostics diagnostics;

    AstBuilder(SourceFile source, Diagnostics diagnostics) {
        this.source = source;
        this.diagnostics = diagnostics;
    }

    SpecFile build(RnnParser.SpecFileContext tree) {
        Optional<SpecFile.PackageDecl> packageDecl = Optional.empty();
        List<SpecFile.ImportDecl> imports = new ArrayList<>();
        List<CellDecl> cells = new ArrayList<>();
        List<NetworkDecl> networks = new ArrayList<>();
        boolean sawDeclaration = false;
        for (ParseTree child : tree.children) {
            if (child instanceof RnnParser.PackageDeclContext p) {
                SpecFile.PackageDecl decl = new SpecFile.PackageDecl(
                        p.qualifiedName().IDENT().stream().map(this::declaredName).toList(), span(p));
                if (packageDecl.isPresent()) {
                    diagnostics.error(DiagnosticCode.MISPLACED_DECLARATION, decl.span(), "a file has one package "
                            + "line");
                } else if (!imports.isEmpty() || sawDeclaration) {
                    diagnostics.error(DiagnosticCode.MISPLACED_DECLARATION, decl.span(), "the package line comes "
                            + "first in a file");
                } else {
                    packageDecl = Optional.of(decl);
                }
            } else if (child instanceof RnnParser.ImportDeclContext i) {
                SpecFile.ImportDecl decl = new SpecFile.ImportDecl(unquote(i.STRING().getText()),
                        span(i.STRING().getSymbol()));
                if (sawDeclaration) {
                    diagnostics.error(DiagnosticCode.MISPLACED_DECLARATION, span(i), "imports come before the "
                            + "cells and networks of a file");
                }
                imports.add(decl);
            } else if (child instanceof RnnParser.DeclarationContext declaration) {
                sawDeclaration = true;
                if (declaration.cellDecl() != null) {
                    cells.add(cell(declaration.cellDecl()));
                } else {
                    networks.add(network(declaration.networkDecl()));
                }
            }
        }
        return new SpecFile(source, packageDecl, imports, cells, networks);
    }

    // ------------------------------------------------------------ cells

    private CellDecl cell(RnnParser.CellDeclContext ctx) {
        List<CellDecl.CellParameter> parameters = ctx.cellParam().stream()
                .map(p -> new CellDecl.CellParameter(declaredName(p.IDENT()),
                        Optional.ofNullable(p.expr()).map(this::expr)))
                .toList();
        List<CellDecl.CellStatement> body = new ArrayList<>();
        for (RnnParser.CellStatementContext statement : ctx.cellStatement()) {
            body.add(cellStatement(statement));
        }
        return new CellDecl(declaredName(ctx.IDENT()), parameters, body, span(ctx));
    }

    private CellDecl.CellStatement cellStatement(RnnParser.CellStatementContext ctx) {
        if (ctx instanceof RnnParser.StateDeclContext state) {
            List<CellDecl.StateVariable> variables = state.stateVar().stream()
                    .map(v -> new CellDecl.StateVariable(declaredName(v.IDENT()), expr(v.expr())))
                    .toList();
            return new CellDecl.StateDecl(variables, span(ctx));
        }
        if (ctx instanceof RnnParser.ParamDeclContext param) {
            List<RnnParser.ExprContext> exprs = param.expr();
            boolean hasInitializer = param.ASSIGN() != null;
            int dimensionCount = hasInitializer ? exprs.size() - 1 : exprs.size();
            List<Expr> dimensions = exprs.subList(0, dimensionCount).stream().map(this::expr).toList();
            Optional<Expr> initializer = hasInitializer ? Optional.of(expr(exprs.get(exprs.size() - 1)))
                    : Optional.empty();
            return new CellDecl.ParamDecl(declaredName(param.IDENT()), dimensions, initializer, span(ctx));
        }
        RnnParser.AssignmentContext assignment = (RnnParser.AssignmentContext) ctx;
        String text = assignment.IDENT().getText();
        boolean primed = text.endsWith("'");
        Span targetSpan = span(assignment.IDENT().getSymbol());
        Identifier target = new Identifier(primed ? text.substring(0, text.length() - 1) : text, targetSpan);
        return new CellDecl.Assignment(target, primed, expr(assignment.expr()), span(ctx));
    }

    // ------------------------------------------------------------ networks

    private NetworkDecl network(RnnParser.NetworkDeclContext ctx) {
        List<NetworkDecl.NetworkStatement> body = new ArrayList<>();
        for (RnnParser.NetworkStatementContext statement : ctx.networkStatement()) {
            if (statement instanceof RnnParser.InputDeclContext input) {
                body.add(new NetworkDecl.InputDecl(declaredName(input.IDENT()),
                        input.expr().stream().map(this::expr).toList(), span(statement)));
            } else if (statement instanceof RnnParser.SettingContext setting) {
                body.add(new NetworkDecl.Setting(declaredName(setting.IDENT()), expr(setting.expr()),
                        span(statement)));
            } else if (statement instanceof RnnParser.LayerContext layer) {
                Expr.Call call = new Expr.Call(declaredName(layer.IDENT()), arguments(layer.argument()),
                        span(layer.start, layer.RPAREN().getSymbol()));
                body.add(new NetworkDecl.Layer(call, span(statement)));
            } else {
                RnnParser.TrainBlockContext train = (RnnParser.TrainBlockContext) statement;
                List<NetworkDecl.Setting> settings = train.trainStatement().stream()
                        .map(s -> new NetworkDecl.Setting(declaredName(s.IDENT()), expr(s.expr()), span(s)))
                        .toList();
                body.add(new NetworkDecl.TrainBlock(settings, span(statement)));
            }
        }
        return new NetworkDecl(declaredName(ctx.IDENT()), body, span(ctx));
    }

    // ------------------------------------------------------------ expressions

    private Expr expr(RnnParser.ExprContext ctx) {
        if (ctx instanceof RnnParser.SliceContext slice) {
            return new Expr.Slice(expr(slice.expr(0)), expr(slice.expr(1)), expr(slice.expr(2)), span(ctx));
        }
        if (ctx instanceof RnnParser.NegateContext negate) {
            return new Expr.Negate(expr(negate.expr()), span(ctx));
        }
        if (ctx instanceof RnnParser.MultiplicativeContext mul) {
            Expr.BinaryOperator op = switch (mul.op.getText()) {
                case "*" -> Expr.BinaryOperator.MULTIPLY;
                case "/" -> Expr.BinaryOperator.DIVIDE;
                default -> Expr.BinaryOperator.MATMUL;
            };
            return new Expr.Binary(op, expr(mul.expr(0)), expr(mul.expr(1)), span(ctx));
        }
        if (ctx instanceof RnnParser.AdditiveContext add) {
            Expr.BinaryOperator op = add.op.getText().equals("+") ? Expr.BinaryOperator.ADD
                    : Expr.BinaryOperator.SUBTRACT;
            return new Expr.Binary(op, expr(add.expr(0)), expr(add.expr(1)), span(ctx));
        }
        return primary(((RnnParser.PrimaryExprContext) ctx).primary());
    }

    private Expr primary(RnnParser.PrimaryContext ctx) {
        if (ctx instanceof RnnParser.NumberContext number) {
            return number(number.NUMBER().getSymbol());
        }
        if (ctx instanceof RnnParser.CallContext call) {
            return new Expr.Call(declaredName(call.IDENT()), arguments(call.argument()), span(ctx));
        }
        if (ctx instanceof RnnParser.NameContext name) {
            String text = name.IDENT().getText();
            boolean primed = text.endsWith("'");
            return new Expr.Name(primed ? text.substring(0, text.length() - 1) : text, primed, span(ctx));
        }
        if (ctx instanceof RnnParser.ParensContext parens) {
            return expr(parens.expr());
        }
        RnnParser.ConcatContext concat = (RnnParser.ConcatContext) ctx;
        return new Expr.Concat(concat.expr().stream().map(this::expr).toList(), span(ctx));
    }

    private List<Expr.Argument> arguments(List<RnnParser.ArgumentContext> contexts) {
        return contexts.stream()
                .map(a -> new Expr.Argument(Optional.ofNullable(a.IDENT()).map(this::declaredName), expr(a.expr()),
                        span(a)))
                .toList();
    }

    private Expr number(Token token) {
        String text = token.getText();
        double value = Double.parseDouble(text);
        Span span = span(token);
        if (Double.isInfinite(value)) {
            diagnostics.error(DiagnosticCode.BAD_NUMBER, span, "number " + SyntaxErrors.quote(text)
                    + " is too large");
        }
        return new Expr.NumberLiteral(value, text, span);
    }

    /** A name in a declaring position; a trailing prime is only meaningful on states. */
    private Identifier declaredName(TerminalNode node) {
        String text = node.getText();
        Span span = span(node.getSymbol());
        if (text.endsWith("'")) {
            diagnostics.error(DiagnosticCode.SYNTAX_ERROR, span, "unexpected prime in "
                    + SyntaxErrors.quote(text) + "; only the next value of a state is written with a prime");
            return new Identifier(text.substring(0, text.length() - 1), span);
        }
        return new Identifier(text, span);
    }

    private static String unquote(String literal) {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < literal.length() - 1; i++) {
            char ch = literal.charAt(i);
            if (ch == '\\' && i + 1 < literal.length() - 1) {
                ch = literal.charAt(++i);
            }
            out.append(ch);
        }
        return out.toString();
    }

    private Span span(Token token) {
        return span(token, token);
    }

    private Span span(Token first, Token last) {
        return new Span(source, source.charOffset(first.getStartIndex()), source.charOffset(last.getStopIndex() + 1));
    }

    private Span span(ParserRuleContext ctx) {
        return span(ctx.start, ctx.stop != null ? ctx.stop : ctx.start);
    }
}
