package io.github.rnnc.passes;

import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.Value;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sum of embeds at disjoint offsets becomes one concat (zeros filling the gaps). Differentiating the slices of
 * a stacked product (the gates of an LSTM, a GRU) gives each slice's adjoint embedded in a vector of zeros and the
 * embeds summed: four zero-fills, four copies and three full-width sums per step for what is the gate adjoints
 * side by side. A concat lets the code generator compute each part in place.
 */
public final class AssembleEmbeds {
    public static final String NAME = "assemble-embeds";

    private AssembleEmbeds() {
    }

    public static AdjointFunction run(AdjointFunction adjoint) {
        Map<Integer, Op> definitions = new HashMap<>();
        adjoint.ops().forEach(op -> definitions.put(op.result().id(), op));
        Map<Integer, Integer> uses = uses(adjoint);
        int nextId = adjoint.ops().stream().mapToInt(op -> op.result().id()).max().orElse(0) + 1;
        Set<Integer> removed = new HashSet<>();
        Map<Integer, List<Op>> replacements = new HashMap<>();
        Set<Integer> hoisted = new HashSet<>(adjoint.hoisted());
        // The last op of a sum tree first: its operands' trees are then part of it, not sums of their own.
        List<Op> reversed = new ArrayList<>(adjoint.ops());
        java.util.Collections.reverse(reversed);
        for (Op op : reversed) {
            if (removed.contains(op.result().id()) || !isSum(op)) {
                continue;
            }
            List<Op.Embed> embeds = new ArrayList<>();
            List<Integer> tree = new ArrayList<>();
            if (!embedsOf(op.operands().get(0), definitions, uses, embeds, tree)
                    || !embedsOf(op.operands().get(1), definitions, uses, embeds, tree)) {
                continue;
            }
            embeds.sort(Comparator.comparingInt(Op.Embed::offset));
            if (!disjoint(embeds)) {
                continue;
            }
            List<Op> replacement = new ArrayList<>();
            List<Value> parts = new ArrayList<>();
            int at = 0;
            // each embed after the zeros before it; past the last, the zeros up to the end
            for (int k = 0; k <= embeds.size(); k++) {
                int next = k < embeds.size() ? embeds.get(k).offset() : op.result().size();
                if (next > at) {
                    Value gap = new Value(nextId++, next - at, false);
                    replacement.add(new Op.Zeros(gap));
                    parts.add(gap);
                    if (hoisted.contains(op.result().id())) {
                        hoisted.add(gap.id());
                    }
                }
                if (k < embeds.size()) {
                    parts.add(embeds.get(k).operand());
                    at = next + embeds.get(k).operand().size();
                }
            }
            replacement.add(new Op.Concat(op.result(), parts));
            replacements.put(op.result().id(), replacement);
            removed.addAll(tree);
        }
        if (replacements.isEmpty()) {
            return adjoint;
        }
        List<Op> ops = new ArrayList<>();
        for (Op op : adjoint.ops()) {
            if (replacements.containsKey(op.result().id())) {
                ops.addAll(replacements.get(op.result().id()));
            } else if (!removed.contains(op.result().id())) {
                ops.add(op);
            }
        }
        hoisted.removeAll(removed);
        return new AdjointFunction(adjoint.forward(), adjoint.outputAdjoints(), ops, adjoint.inputAdjoint(),
                adjoint.stateAdjoints(), adjoint.updates(), hoisted, adjoint.loops());
    }

    private static boolean isSum(Op op) {
        return op instanceof Op.Binary binary && binary.kind() == Op.BinaryKind.ADD && !binary.result().scalar()
                && binary.left().size() == binary.result().size() && binary.right().size() == binary.result().size()
                && !binary.left().scalar() && !binary.right().scalar();
    }

    /**
     * Adds the embeds that value sums to {@code embeds} and the ops of its tree to {@code tree}: an embed, or a sum
     * of such trees, each read only by the sum above it. False when the value is anything else.
     */
    private static boolean embedsOf(Value value, Map<Integer, Op> definitions, Map<Integer, Integer> uses,
            List<Op.Embed> embeds, List<Integer> tree) {
        Op op = definitions.get(value.id());
        if (op == null || uses.getOrDefault(value.id(), 0) != 1) {
            return false;
        }
        if (op instanceof Op.Embed embed) {
            embeds.add(embed);
            tree.add(value.id());
            return true;
        }
        if (isSum(op) && embedsOf(op.operands().get(0), definitions, uses, embeds, tree)
                && embedsOf(op.operands().get(1), definitions, uses, embeds, tree)) {
            tree.add(value.id());
            return true;
        }
        return false;
    }

    private static boolean disjoint(List<Op.Embed> sorted) {
        for (int i = 1; i < sorted.size(); i++) {
            Op.Embed previous = sorted.get(i - 1);
            if (previous.offset() + previous.operand().size() > sorted.get(i).offset()) {
                return false;
            }
        }
        return true;
    }

    /** How many times each value is read: by ops, gradient updates and the function's results. */
    private static Map<Integer, Integer> uses(AdjointFunction adjoint) {
        Map<Integer, Integer> uses = new HashMap<>();
        java.util.function.Consumer<Value> use = v -> uses.merge(v.id(), 1, Integer::sum);
        adjoint.ops().forEach(op -> op.operands().forEach(use));
        for (AdjointFunction.GradientUpdate update : adjoint.updates()) {
            use.accept(update.adjoint());
            update.operand().ifPresent(use);
        }
        use.accept(adjoint.inputAdjoint());
        adjoint.stateAdjoints().forEach(use);
        return uses;
    }
}
