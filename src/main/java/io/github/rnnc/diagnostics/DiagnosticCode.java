package io.github.rnnc.diagnostics;

/**
 * Stable diagnostic codes. A code is never reused for another meaning; each is documented in
 * docs/diagnostics.md (a test keeps the two in step).
 */
public enum DiagnosticCode {
    // 00xx: files and syntax
    FILE_UNREADABLE(1, "a spec file or an imported file cannot be read"),
    SYNTAX_ERROR(2, "the text does not follow the grammar"),
    BAD_CHARACTER(3, "a character that cannot start any token"),
    BAD_NUMBER(4, "a number literal that is out of range or not an integer where one is needed"),
    IMPORT_NOT_FOUND(5, "an imported file does not exist"),
    IMPORT_CYCLE(6, "files import each other in a cycle"),

    // 01xx: declarations and names
    DUPLICATE_DECLARATION(101, "two declarations with one name in the same scope"),
    JAVA_RESERVED_NAME(102, "a name that becomes a Java identifier is a Java keyword or reserved name"),
    UNKNOWN_LAYER(103, "a layer names no built-in layer and no cell in scope"),
    CELL_RECURSION(104, "cells that use each other in a cycle"),
    REDEFINES_BUILTIN(105, "a cell, state, local or parameter takes a name the language reserves"),
    MISPLACED_DECLARATION(106, "a declaration where it is not allowed (package not first, import after a cell)"),

    // 02xx: cell equations
    UNKNOWN_FUNCTION(201, "a call names no function and no cell"),
    STATE_ASSIGNED_TWICE(202, "a state is given its next value twice"),
    STATE_NEVER_ASSIGNED(203, "a state is never given its next value"),
    USE_BEFORE_DEFINITION(204, "a local or a next state value is read before the line that defines it"),
    LOCAL_DEFINED_TWICE(205, "a local is defined twice"),
    NOT_A_STATE(206, "a primed name (h') that is not a state of the cell"),
    WRONG_ARGUMENTS(207, "a function or cell called with the wrong number or kind of arguments"),
    INVALID_SIZE(208, "a size expression that is not integer arithmetic over the cell's parameters"),
    NOT_A_VALUE(209, "a name used as a value that is a function, a cell or a size parameter in a vector context"),
    BAD_INITIALIZER(210, "an initializer that is not a number, zeros, ones, glorot_uniform, orthogonal, "
            + "uniform(a, b) or normal(mean, std)"),
    CELL_WITHOUT_STATE(211, "a cell that declares no state"),
    ASSIGNMENT_TO_NON_LOCAL(212, "an assignment to x, a cell parameter, a learnable parameter or a state without a prime"),

    // 03xx: shapes
    SHAPE_MISMATCH(301, "operands of an elementwise operation or an assignment have different sizes"),
    PARAMETER_SHAPE_CONFLICT(302, "a learnable parameter is used with two different shapes"),
    SHAPE_NOT_INFERRED(303, "a learnable parameter's shape cannot be inferred from its uses"),
    BAD_MATMUL(304, "the operands of @ are not a parameter matrix and a vector"),
    SLICE_OUT_OF_RANGE(305, "a slice whose bounds are not 0 <= from < to <= size"),
    NON_POSITIVE_SIZE(306, "a size that evaluates to zero or less"),
    LAYER_INPUT_MISMATCH(307, "a layer that cannot take the output of the layer below"),

    // 04xx: networks and layers
    INPUT_DECLARATION(401, "a network whose input is missing, declared twice, not first or of an unsupported rank"),
    UNKNOWN_OPTION(402, "a layer or optimizer option that does not exist"),
    DUPLICATE_OPTION(403, "an option given twice"),
    BAD_OPTION_VALUE(404, "an option or argument value of the wrong type or out of range"),
    MISSING_ARGUMENT(405, "a required argument is missing"),
    TOO_MANY_ARGUMENTS(406, "more positional arguments than the layer takes, or a positional one after a named one"),
    NO_RECURRENT_LAYER(407, "a network without a recurrent layer"),
    UNKNOWN_SETTING(408, "a network setting other than steps"),

    // 05xx: training
    UNKNOWN_LOSS(501, "a loss other than cross_entropy, binary_cross_entropy and mse"),
    UNKNOWN_OPTIMIZER(502, "an optimizer other than sgd, adam and rmsprop"),
    LOSS_HEAD_MISMATCH(503, "a loss that does not fit the network's last layer"),
    INCOMPLETE_TRAINING(504, "a train block without a loss or an optimizer"),

    // 06xx: limits of this version of the compiler
    NOT_YET_SUPPORTED(601, "a valid construct that this version cannot generate code for yet"),

    // 09xx: warnings
    UNUSED_CELL_PARAMETER(901, "a cell parameter that no size or equation uses"),
    UNUSED_LOCAL(902, "a local whose value is never read"),
    STATE_NEVER_READ(903, "a state whose previous value is never read"),
    UNUSED_PARAMETER(904, "a declared learnable parameter that no equation uses");

    private final int number;
    private final String summary;

    DiagnosticCode(int number, String summary) {
        this.number = number;
        this.summary = summary;
    }

    /** The stable identifier, e.g. {@code RNN0301}. */
    public String id() {
        return String.format(java.util.Locale.ROOT, "RNN%04d", number);
    }

    public String summary() {
        return summary;
    }
}
