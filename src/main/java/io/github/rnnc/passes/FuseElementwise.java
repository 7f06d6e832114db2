package io.github.rnnc.passes;

import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Chains of elementwise operations of one size fuse into one loop: each element is loaded once, passes through
 * the whole chain in registers, and every result is stored on the way (the backward pass reads them). A chain
 * runs over consecutive ops; views and literals (slices, constants, parameter vectors) do not break it, any
 * other op does, and so does a change of partition (hoisted or per step).
 */
public final class FuseElementwise {
    public static final String NAME = "fuse-elementwise";

    /** Longer chains are split: the JIT must inline every vector operation of a loop to vectorize it. */
    static final int MAX_OPS_PER_LOOP = 6;
    /**
     * Binary Vector API operations C2 inlines into one loop; a transcendental function expands to a dozen vector
     * operations and counts as its binary ones ({@link #FUNCTION_WEIGHT}), so a loop holds at most two functions.
     * Each one adds the class-check traps of the JDK's shared {@code lanewiseTemplate} and {@code ImplCache.find}
     * profiles (about 5 after a warm-up) to a per-compile total; from {@code -XX:PerMethodTrapLimit} (100) on, C2 stops
     * speculating on exact vector types and boxes the rest of the method. A GRU loop of two sigmoids and four sums
     * reached 118 and allocated 6 KB per step.
     */
    static final int MAX_WEIGHT_PER_LOOP = 15;
    static final int FUNCTION_WEIGHT = 7;

    private static boolean heavy(Op op) {
        return op instanceof Op.Unary unary && switch (unary.kind()) {
            case SIGMOID, TANH, EXP, SOFTSIGN, HARD_SIGMOID, HARD_SIGMOID_SLOPE -> true;
            default -> false;
        };
    }

    /** What an op adds to a loop's weight: a function its binary operations, a binary op 1, the rest nothing. */
    private static int weight(Op op) {
        return heavy(op) ? FUNCTION_WEIGHT : op instanceof Op.Binary ? 1 : 0;
    }

    private FuseElementwise() {
    }

    public static NetworkIr run(NetworkIr network) {
        return Passes.mapSteps(network, FuseElementwise::run);
    }

    public static StepFunction run(StepFunction step) {
        return step.withLoops(loops(step.ops(), v -> step.hoisted().contains(v)));
    }

    public static AdjointFunction run(AdjointFunction adjoint) {
        return adjoint.withLoops(loops(adjoint.ops(), v -> adjoint.hoisted().contains(v)));
    }

    static boolean fusable(Op op) {
        return op instanceof Op.Binary || op instanceof Op.Unary;
    }

    private static boolean transparent(Op op) {
        return op instanceof Op.Slice || op instanceof Op.Constant || op instanceof Op.ParameterVector
                || op instanceof Op.Input;
    }

    private static Map<Integer, Integer> loops(List<Op> ops, Predicate<Integer> hoisted) {
        Map<Integer, Integer> loops = new HashMap<>();
        int loop = 0;
        int runLength = 0;
        int runWeight = 0;
        int runSize = -1;
        boolean runHoisted = false;
        java.util.List<Integer> run = new java.util.ArrayList<>();
        for (Op op : ops) {
            if (transparent(op)) {
                continue;
            }
            boolean joins = fusable(op) && !op.result().scalar() && op.result().size() == runSize
                    && hoisted.test(op.result().id()) == runHoisted && runLength > 0
                    && runLength < MAX_OPS_PER_LOOP && runWeight + weight(op) <= MAX_WEIGHT_PER_LOOP;
            if (!joins) {
                if (run.size() > 1) {
                    for (int id : run) {
                        loops.put(id, loop);
                    }
                    loop++;
                }
                run.clear();
                runLength = 0;
                runWeight = 0;
                runSize = -1;
                if (fusable(op) && !op.result().scalar()) {
                    runSize = op.result().size();
                    runHoisted = hoisted.test(op.result().id());
                }
            }
            if (runSize >= 0) {
                run.add(op.result().id());
                runLength++;
                runWeight += weight(op);
            }
        }
        if (run.size() > 1) {
            for (int id : run) {
                loops.put(id, loop);
            }
        }
        return loops;
    }
}
