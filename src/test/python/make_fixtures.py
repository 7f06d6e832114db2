#!/usr/bin/python3
"""Generates the PyTorch reference fixtures for rnnc.

Run with Debian's python (PyTorch 1.13 is installed there):

    cd /work/main && /usr/bin/python3 src/test/python/make_fixtures.py

Writes one JSON file per case into src/test/resources/fixtures/pytorch/<case>.json
(the directory is cleared of stale *.json first) and prints a summary.  The output is
deterministic: running the script twice gives byte-identical files.

Each case is described once, as a list of layers; both the rnnc spec text and the
PyTorch mirror are built from that description, so they cannot drift apart.

Semantics (read src/test/java/io/github/rnnc/testing/PyTorchFixture.java for the reader):
  * Every recurrent layer is its own single-layer nn.RNN / nn.LSTM / nn.GRU (batch_first),
    bidirectional layers are nn.X(bidirectional=True) whose two halves are merged here
    (concat = [forward, backward], sum, mul, ave = (forward + backward) / 2).
  * A layer with return_sequences = false outputs its final hidden state h_n (h, not c);
    bidirectional: forward after the last step, backward after reading back to step 0.
  * With "lengths", every recurrent layer runs on pack_padded_sequence(enforce_sorted=False),
    so padded steps never touch the state.  Per-step outputs ("y", "logits") at padded
    positions are 0, and so are labels / targets there; the loss averages over real steps only.
    "x" at padded positions holds ordinary random values that must be ignored (its gradient
    there is 0).
  * Loss values use PyTorch's default mean reduction: CrossEntropyLoss on the logits,
    MSELoss on the outputs, BCELoss on the sigmoid outputs.
  * GRU is PyTorch's GRU: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h
    (Keras reset_after = true).  Gate order in the weights: LSTM i,f,g,o; GRU r,z,n.
"""

import math
import os
import sys
import zlib

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "resources", "fixtures", "pytorch"))


# --------------------------------------------------------------------------- case description

class Rec:
    """A recurrent layer; merge != None makes it bidirectional."""

    def __init__(self, kind, units, return_sequences, activation=None, merge=None):
        assert kind in ("rnn", "lstm", "gru")
        assert merge in (None, "concat", "sum", "mul", "ave")
        assert (activation is not None) == (kind == "rnn")
        self.kind, self.units, self.return_sequences = kind, units, return_sequences
        self.activation, self.merge = activation, merge

    def spec(self):
        args = [str(self.units)]
        if self.kind == "rnn":
            args.append("activation = " + self.activation)
        args.append("return_sequences = " + ("true" if self.return_sequences else "false"))
        inner = "%s(%s)" % (self.kind, ", ".join(args))
        if self.merge is None:
            return inner + ";"
        return "bidirectional(%s, merge = %s);" % (inner, self.merge)

    def output_size(self):
        return 2 * self.units if self.merge == "concat" else self.units

    def module(self, in_size):
        common = dict(batch_first=True, bidirectional=self.merge is not None)
        if self.kind == "rnn":
            return nn.RNN(in_size, self.units, nonlinearity=self.activation, **common)
        if self.kind == "lstm":
            return nn.LSTM(in_size, self.units, **common)
        return nn.GRU(in_size, self.units, **common)


class Dense:
    def __init__(self, units, activation="linear"):
        assert activation in ("linear", "softmax", "sigmoid", "tanh", "relu")
        self.units, self.activation = units, activation

    def spec(self):
        if self.activation == "linear":
            return "dense(%d);" % self.units
        return "dense(%d, activation = %s);" % (self.units, self.activation)

    def output_size(self):
        return self.units

    def module(self, in_size):
        return nn.Linear(in_size, self.units)


class Case:
    def __init__(self, name, description, input_size, batch, steps, layers, loss, lengths=None):
        assert loss in ("cross_entropy", "mse", "binary_cross_entropy")
        self.name, self.description = name, description
        self.input_size, self.batch, self.steps = input_size, batch, steps
        self.layers, self.loss, self.lengths = layers, loss, lengths
        head = layers[-1]
        assert isinstance(head, Dense)
        if loss == "cross_entropy":
            assert head.activation == "softmax"
        if loss == "binary_cross_entropy":
            assert head.activation == "sigmoid"
        if lengths is not None:
            assert len(lengths) == batch and all(1 <= n <= steps for n in lengths)

    def class_name(self):
        return "".join(part[:1].upper() + part[1:] for part in self.name.split("_"))

    def spec(self):
        lines = ["package fixtures;", "",
                 "// %s" % self.description,
                 "network %s {" % self.class_name(),
                 "    input x[%d];" % self.input_size]
        lines += ["    " + layer.spec() for layer in self.layers]
        lines.append("    train { loss = %s; optimizer = sgd(lr = 0.1); }" % self.loss)
        lines.append("}")
        return "\n".join(lines) + "\n"


PAD_NOTE = " Padded steps: y (and logits) are 0 there, labels/targets 0, excluded from the loss."

CASES = [
    # --- the four cells, many-to-many, linear head, mse
    Case("rnn_tanh", "Elman RNN (tanh), 7 units, per-step linear head, mse.",
         5, 3, 6, [Rec("rnn", 7, True, activation="tanh"), Dense(2)], "mse"),
    Case("rnn_relu", "Elman RNN (relu), 7 units, per-step linear head, mse.",
         5, 3, 6, [Rec("rnn", 7, True, activation="relu"), Dense(2)], "mse"),
    Case("lstm", "LSTM, 7 units, per-step linear head, mse.",
         5, 3, 6, [Rec("lstm", 7, True), Dense(2)], "mse"),
    Case("gru", "GRU (PyTorch variant, reset gate after the matmul), 7 units, per-step linear head, mse.",
         5, 3, 6, [Rec("gru", 7, True), Dense(2)], "mse"),
    # --- stacking
    Case("stack_lstm_over_gru", "Two stacked layers: gru(6) then lstm(5), both returning sequences, mse.",
         4, 3, 5, [Rec("gru", 6, True), Rec("lstm", 5, True), Dense(3)], "mse"),
    Case("stack_gru_lstm_last", "gru(5) returning sequences, then lstm(4) many-to-one, softmax head, cross_entropy per sequence.",
         3, 2, 6, [Rec("gru", 5, True), Rec("lstm", 4, False), Dense(3, "softmax")], "cross_entropy"),
    # --- bidirectional, every merge mode
    Case("bilstm_concat_seq", "Bidirectional lstm(4), merge concat, returning sequences, softmax head, cross_entropy per step.",
         5, 3, 5, [Rec("lstm", 4, True, merge="concat"), Dense(3, "softmax")], "cross_entropy"),
    Case("bilstm_sum_seq", "Bidirectional lstm(4), merge sum, returning sequences, linear head, mse.",
         5, 3, 5, [Rec("lstm", 4, True, merge="sum"), Dense(2)], "mse"),
    Case("bilstm_mul_seq", "Bidirectional lstm(4), merge mul, returning sequences, sigmoid head, binary_cross_entropy.",
         5, 3, 5, [Rec("lstm", 4, True, merge="mul"), Dense(2, "sigmoid")], "binary_cross_entropy"),
    Case("bilstm_ave_seq", "Bidirectional lstm(4), merge ave, returning sequences, linear head, mse.",
         5, 3, 5, [Rec("lstm", 4, True, merge="ave"), Dense(2)], "mse"),
    Case("bilstm_concat_last", "Bidirectional lstm(5), merge concat, many-to-one (h_n of both directions), softmax head, cross_entropy per sequence.",
         3, 3, 6, [Rec("lstm", 5, False, merge="concat"), Dense(4, "softmax")], "cross_entropy"),
    Case("bilstm_sum_last", "Bidirectional lstm(5), merge sum, many-to-one, linear head, mse.",
         3, 3, 6, [Rec("lstm", 5, False, merge="sum"), Dense(2)], "mse"),
    Case("bilstm_mul_last", "Bidirectional lstm(5), merge mul, many-to-one, linear head, mse.",
         3, 3, 6, [Rec("lstm", 5, False, merge="mul"), Dense(2)], "mse"),
    Case("bilstm_ave_last", "Bidirectional lstm(5), merge ave, many-to-one, sigmoid head, binary_cross_entropy.",
         3, 3, 6, [Rec("lstm", 5, False, merge="ave"), Dense(3, "sigmoid")], "binary_cross_entropy"),
    # --- heads and losses
    Case("lstm_ce_per_step", "lstm(8) returning sequences, softmax head, cross_entropy with a label per step.",
         8, 3, 5, [Rec("lstm", 8, True), Dense(4, "softmax")], "cross_entropy"),
    Case("gru_ce_per_sequence", "gru(8) many-to-one, softmax head, cross_entropy with a label per sequence.",
         8, 3, 5, [Rec("gru", 8, False), Dense(3, "softmax")], "cross_entropy"),
    Case("lstm_bce_last", "lstm(6) many-to-one, sigmoid head (multi-label), binary_cross_entropy.",
         5, 3, 5, [Rec("lstm", 6, False), Dense(3, "sigmoid")], "binary_cross_entropy"),
    Case("rnn_mse_last", "rnn(5, tanh) many-to-one, linear head, mse.",
         3, 3, 5, [Rec("rnn", 5, False, activation="tanh"), Dense(2)], "mse"),
    Case("gru_deep_head", "gru(6) many-to-one, then dense(5, relu), dense(4, tanh), dense(2) linear; mse.",
         3, 3, 5, [Rec("gru", 6, False), Dense(5, "relu"), Dense(4, "tanh"), Dense(2)], "mse"),
    # --- heads of at least a vector's width (8 floats): the MSE is computed a vector at a time, then a tail
    Case("lstm_mse_head11", "lstm(9) returning sequences, dense(11) linear head (a vector and a tail of 3), mse.",
         5, 3, 6, [Rec("lstm", 9, True), Dense(11)], "mse"),
    Case("rnn_mse_head8_last", "rnn(5, tanh) many-to-one, dense(8) linear head (one vector, no tail), mse.",
         3, 2, 4, [Rec("rnn", 5, False, activation="tanh"), Dense(8)], "mse"),
    # --- odd sizes
    Case("lstm_units1", "lstm(1) returning sequences, dense(1) linear head, mse.",
         3, 3, 5, [Rec("lstm", 1, True), Dense(1)], "mse"),
    Case("gru_units1_last", "gru(1) many-to-one, dense(1, sigmoid), binary_cross_entropy.",
         3, 3, 5, [Rec("gru", 1, False), Dense(1, "sigmoid")], "binary_cross_entropy"),
    Case("lstm_units33", "lstm(33) returning sequences, softmax head, cross_entropy per step.",
         8, 3, 4, [Rec("lstm", 33, True), Dense(5, "softmax")], "cross_entropy"),
    Case("rnn_relu_units33_last", "rnn(33, relu) many-to-one, linear head, mse.",
         5, 3, 4, [Rec("rnn", 33, False, activation="relu"), Dense(2)], "mse"),
    Case("gru_batch1_steps17", "gru(7), batch 1, 17 steps, returning sequences, linear head, mse.",
         5, 1, 17, [Rec("gru", 7, True), Dense(2)], "mse"),
    Case("lstm_steps1_last", "lstm(5) many-to-one on single-step sequences, softmax head, cross_entropy.",
         5, 3, 1, [Rec("lstm", 5, False), Dense(3, "softmax")], "cross_entropy"),
    Case("rnn_tanh_steps17", "rnn(7, tanh), 17 steps, returning sequences, linear head, mse.",
         3, 3, 17, [Rec("rnn", 7, True, activation="tanh"), Dense(2)], "mse"),
    Case("bigru_concat_batch1_steps1", "Bidirectional gru(3), merge concat, batch 1, 1 step, returning sequences, mse.",
         5, 1, 1, [Rec("gru", 3, True, merge="concat"), Dense(2)], "mse"),
    # --- variable lengths
    Case("var_lstm_ce_per_step", "Variable lengths: lstm(6) returning sequences, softmax head, cross_entropy per step." + PAD_NOTE,
         5, 4, 7, [Rec("lstm", 6, True), Dense(4, "softmax")], "cross_entropy", lengths=[7, 3, 5, 1]),
    Case("var_gru_last", "Variable lengths: gru(5) many-to-one (state after each sequence's own last step), linear head, mse.",
         3, 3, 6, [Rec("gru", 5, False), Dense(2)], "mse", lengths=[2, 6, 4]),
    Case("var_bigru_last", "Variable lengths: bidirectional gru(4), merge concat, many-to-one (forward after the own last step, backward after reading back to step 0), softmax head, cross_entropy per sequence.",
         3, 3, 6, [Rec("gru", 4, False, merge="concat"), Dense(3, "softmax")], "cross_entropy", lengths=[6, 1, 4]),
    Case("var_bilstm_sum_seq_stack", "Variable lengths: bidirectional lstm(3, merge sum) returning sequences, then gru(4) returning sequences, sigmoid head, binary_cross_entropy. The backward direction starts at each sequence's own last step." + PAD_NOTE,
         3, 3, 6, [Rec("lstm", 3, True, merge="sum"), Rec("gru", 4, True), Dense(2, "sigmoid")], "binary_cross_entropy", lengths=[4, 6, 2]),
    Case("var_gru_mse_head17_seq", "Variable lengths: gru(6) returning sequences, dense(17) linear head (two vectors and a tail of 1), mse over real steps." + PAD_NOTE,
         4, 3, 5, [Rec("gru", 6, True), Dense(17)], "mse", lengths=[5, 1, 3]),
    Case("var_rnn_mse_seq", "Variable lengths: rnn(5, tanh) returning sequences, linear head, mse over real steps." + PAD_NOTE,
         3, 3, 5, [Rec("rnn", 5, True, activation="tanh"), Dense(2)], "mse", lengths=[5, 2, 3]),
]


# --------------------------------------------------------------------------- PyTorch mirror

def merge(mode, f, b):
    if mode == "concat":
        return torch.cat([f, b], dim=-1)
    if mode == "sum":
        return f + b
    if mode == "mul":
        return f * b
    return (f + b) / 2


def build(case):
    modules = []
    size = case.input_size
    for layer in case.layers:
        modules.append(layer.module(size))
        size = layer.output_size()
    return nn.ModuleList(modules)


def forward(case, model, x):
    """Returns (y, logits or None, seq) where seq tells whether y is per step."""
    lengths = None if case.lengths is None else torch.tensor(case.lengths, dtype=torch.int64)
    h, seq, logits = x, True, None
    for layer, module in zip(case.layers, model):
        if isinstance(layer, Rec):
            assert seq, "a recurrent layer needs a sequence"
            if lengths is None:
                out, hn = module(h)
            else:
                packed = pack_padded_sequence(h, lengths, batch_first=True, enforce_sorted=False)
                out, hn = module(packed)
                out, _ = pad_packed_sequence(out, batch_first=True, total_length=case.steps)
            if layer.kind == "lstm":
                hn = hn[0]
            check_final_state(case, layer, out, hn)
            if layer.return_sequences:
                h = out if layer.merge is None else merge(layer.merge, out[..., :layer.units], out[..., layer.units:])
            else:
                h = hn[0] if layer.merge is None else merge(layer.merge, hn[0], hn[1])
                seq = False
        else:
            z = module(h)
            if layer.activation == "softmax":
                logits, h = z, torch.softmax(z, dim=-1)
            elif layer.activation == "sigmoid":
                h = torch.sigmoid(z)
            elif layer.activation == "tanh":
                h = torch.tanh(z)
            elif layer.activation == "relu":
                h = torch.relu(z)
            else:
                h = z
    if seq and lengths is not None:
        mask = step_mask(case).unsqueeze(-1)  # torch.where, not *, so padding is +0.0, never -0.0
        h = torch.where(mask, h, torch.zeros_like(h))
        if logits is not None:
            logits = torch.where(mask, logits, torch.zeros_like(logits))
    return h, logits, seq


def check_final_state(case, layer, out, hn):
    """Documents (and asserts) what h_n is relative to the per-step output."""
    units = layer.units
    for b in range(case.batch):
        last = case.steps - 1 if case.lengths is None else case.lengths[b] - 1
        assert torch.equal(hn[0][b], out[b, last, :units])
        if layer.merge is not None:
            assert torch.equal(hn[1][b], out[b, 0, units:])


def step_mask(case):
    steps = torch.arange(case.steps).unsqueeze(0)
    return steps < torch.tensor(case.lengths).unsqueeze(1)


def loss_of(case, y, logits, seq, labels, targets):
    out = y.shape[-1]
    if seq and case.lengths is not None:
        select = step_mask(case)
        pick = lambda t: t[select]
    else:
        pick = lambda t: t.reshape(-1, out) if t.dim() == y.dim() else t.reshape(-1)
    if case.loss == "cross_entropy":
        return nn.CrossEntropyLoss()(pick(logits), pick(labels))
    if case.loss == "mse":
        return nn.MSELoss()(pick(y), pick(targets))
    return nn.BCELoss()(pick(y), pick(targets))


def run(case):
    torch.manual_seed(zlib.crc32(case.name.encode("ascii")))
    model = build(case)  # PyTorch's default uniform initialization
    x = torch.randn(case.batch, case.steps, case.input_size, requires_grad=True)
    y, logits, seq = forward(case, model, x)
    out = y.shape[-1]
    label_shape = y.shape[:-1]
    labels = targets = None
    if case.loss == "cross_entropy":
        labels = torch.randint(0, out, label_shape)
    elif case.loss == "mse":
        targets = torch.randn(y.shape)
    else:
        targets = torch.bernoulli(torch.full(y.shape, 0.5))
    if seq and case.lengths is not None:
        mask = step_mask(case)
        if labels is not None:
            labels = torch.where(mask, labels, torch.zeros_like(labels))
        if targets is not None:
            targets = torch.where(mask.unsqueeze(-1), targets, torch.zeros_like(targets))
    loss = loss_of(case, y, logits, seq, labels, targets)
    params = list(model.state_dict(keep_vars=True).items())
    assert [id(p) for _, p in params] == [id(p) for p in model.parameters()]
    loss.backward()

    doc = [
        ("name", case.name),
        ("description", case.description),
        ("spec", case.spec()),
        ("batch", case.batch),
        ("steps", case.steps),
        ("input_size", case.input_size),
        ("output_shape", list(y.shape)),
        ("lengths", case.lengths),
        ("x", Floats(x)),
        ("parameters", [tensor_doc(name, p) for name, p in params]),
        ("y", Floats(y)),
    ]
    if logits is not None:
        doc.append(("logits", Floats(logits)))
    doc.append(("loss", case.loss))
    if labels is not None:
        doc.append(("labels", [int(v) for v in labels.reshape(-1).tolist()]))
    if targets is not None:
        doc.append(("targets", Floats(targets)))
    doc += [
        ("loss_value", Float(loss)),
        ("gradients", [tensor_doc(name, p.grad) for name, p in params]),
        ("x_grad", Floats(x.grad)),
    ]
    return doc, params, float(loss)


# --------------------------------------------------------------------------- JSON output

class Float:
    def __init__(self, t):
        self.v = float(t.detach().float().item())


class Floats:
    def __init__(self, t):
        self.values = t.detach().float().reshape(-1).tolist()


def fmt(v):
    # v is a float32 value held in a Python float; 9 significant digits round-trip float32.
    assert math.isfinite(v), v
    return format(v, ".9g")


def tensor_doc(name, t):
    return [("name", name), ("shape", list(t.shape)), ("values", Floats(t))]


def emit(value, indent):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, Float):
        return fmt(value.v)
    if isinstance(value, Floats):
        return "[" + ", ".join(fmt(v) for v in value.values) + "]"
    if isinstance(value, list) and value and isinstance(value[0], list):  # a list of objects
        inner = ",\n".join(" " * (indent + 2) + emit_object(v, None) for v in value)
        return "[\n" + inner + "\n" + " " * indent + "]"
    if isinstance(value, list):
        return "[" + ", ".join(emit(v, indent) for v in value) + "]"
    raise TypeError(type(value))


def emit_object(pairs, indent):
    """pairs: list of (key, value). indent None = on one line."""
    if indent is None:
        return "{" + ", ".join(json_string(k) + ": " + emit(v, 0) for k, v in pairs) + "}"
    pad = " " * (indent + 2)
    body = ",\n".join(pad + json_string(k) + ": " + emit(v, indent + 2) for k, v in pairs)
    return "{\n" + body + "\n" + " " * indent + "}"


def json_string(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) > 0x7e:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


# --------------------------------------------------------------------------- main

def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    names = [c.name for c in CASES]
    assert len(set(names)) == len(names)
    os.makedirs(OUT_DIR, exist_ok=True)
    for stale in os.listdir(OUT_DIR):
        if stale.endswith(".json") and stale[:-5] not in names:
            os.remove(os.path.join(OUT_DIR, stale))
    total = 0
    print("%-28s %-22s %-22s %12s %9s" % ("case", "y shape", "loss", "loss value", "bytes"))
    for case in CASES:
        doc, params, loss = run(case)
        text = emit_object(doc, 0) + "\n"
        path = os.path.join(OUT_DIR, case.name + ".json")
        with open(path, "w", encoding="ascii", newline="\n") as f:
            f.write(text)
        total += len(text)
        shape = dict(doc)["output_shape"]
        print("%-28s %-22s %-22s %12.6g %9d" % (case.name, shape, case.loss, loss, len(text)))
    print("%d fixtures, %d bytes in %s" % (len(CASES), total, OUT_DIR))
    if total > 3 * 1024 * 1024:
        sys.exit("fixtures exceed 3 MB")


if __name__ == "__main__":
    main()
