#!/usr/bin/python3
"""Generates the PyTorch reference fixtures for rnnc's trainStep (clipping + optimizer update).

Run with Debian's python (PyTorch 1.13 is installed there):

    cd /work/main && /usr/bin/python3 src/test/python/make_optimizer_fixtures.py

Writes one JSON file per case into src/test/resources/fixtures/optimizers/<case>.json (the directory is
cleared of stale *.json first) and prints a summary.  Deterministic: running it twice gives byte-identical
files.  The reader is src/test/java/io/github/rnnc/generated/OptimizerParityTest.java.

The networks, their PyTorch mirror, the forward pass and the losses are those of make_fixtures.py (imported:
Rec, Dense, Case, build, forward, loss_of, step_mask), so both fixture sets share one definition of the
semantics.  Each case runs three training steps on the same batch, each exactly as the generated
trainStep(x, labels | targets, batch, steps[, lengths]) is specified:

    loss = loss_fn(model(x)); loss.backward()                       # computeGradients (returns this loss)
    torch.nn.utils.clip_grad_value_(params, clip_value)             # when the spec has clip_value
    torch.nn.utils.clip_grad_norm_(params, clip_norm)               # when the spec has clip_norm (after it)
    optimizer.step()                                                # torch.optim.SGD / Adam / RMSprop

The spec's optimizer maps to PyTorch as: sgd(lr, momentum) -> SGD(lr, momentum); adam(lr, beta1, beta2,
eps) -> Adam(lr, betas=(beta1, beta2), eps); rmsprop(lr, rho, eps) -> RMSprop(lr, alpha=rho, eps); the
spec's defaults are PyTorch's (adam lr 0.001, betas 0.9/0.999, eps 1e-8; rmsprop lr 0.01, rho 0.99, eps 1e-8).

JSON keys (all arrays flat, row-major; tensors in state_dict order, {"name", "shape", "values"}):
    name, description, spec, batch, steps, input_size, lengths (null or one per sequence),
    x [batch][steps][input_size], loss ("cross_entropy" | "mse" | "binary_cross_entropy"),
    labels (cross_entropy only, one per output row) or targets (the others, the output's shape),
    parameters (before the first step),
    updates: three objects {"loss": the loss trainStep returns (before its update),
                            "parameters": every parameter after that update}.
"""

import os
import sys
import zlib

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_fixtures as mf  # noqa: E402  (the shared network definitions)
from make_fixtures import Dense, Rec  # noqa: E402

OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "resources", "fixtures", "optimizers"))
UPDATES = 3


class OptCase(mf.Case):
    """A make_fixtures case plus the train block's optimizer and clipping."""

    def __init__(self, name, description, layers, loss, optimizer, clip_value=None, clip_norm=None,
                 lengths=None, input_size=3, batch=2, steps=5):
        super().__init__(name, description, input_size, batch, steps, layers, loss, lengths=lengths)
        self.optimizer_spec = optimizer
        self.clip_value, self.clip_norm = clip_value, clip_norm

    def spec(self):
        lines = ["package optimizers;", "",
                 "// %s" % self.description,
                 "network %s {" % self.class_name(),
                 "    input x[%d];" % self.input_size]
        lines += ["    " + layer.spec() for layer in self.layers]
        lines.append("    train {")
        lines.append("        loss = %s;" % self.loss)
        lines.append("        optimizer = %s;" % self.optimizer_spec)
        if self.clip_value is not None:
            lines.append("        clip_value = %s;" % self.clip_value)
        if self.clip_norm is not None:
            lines.append("        clip_norm = %s;" % self.clip_norm)
        lines.append("    }")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def torch_optimizer(self, params):
        """Parses the spec's optimizer call (named arguments only) into the torch.optim optimizer."""
        kind, rest = self.optimizer_spec.split("(", 1)
        args = {}
        for part in rest.rstrip(")").split(","):
            if part.strip():
                key, value = part.split("=")
                args[key.strip()] = float(value)
        if kind == "sgd":
            assert set(args) <= {"lr", "momentum"} and "lr" in args
            return torch.optim.SGD(params, lr=args["lr"], momentum=args.get("momentum", 0.0), foreach=False)
        if kind == "adam":
            assert set(args) <= {"lr", "beta1", "beta2", "eps"}
            return torch.optim.Adam(params, lr=args.get("lr", 0.001),
                                    betas=(args.get("beta1", 0.9), args.get("beta2", 0.999)),
                                    eps=args.get("eps", 1e-8), foreach=False)
        assert kind == "rmsprop" and set(args) <= {"lr", "rho", "eps"}
        return torch.optim.RMSprop(params, lr=args.get("lr", 0.01), alpha=args.get("rho", 0.99),
                                   eps=args.get("eps", 1e-8), foreach=False)


CASES = [
    OptCase("sgd", "sgd(lr = 0.1): lstm(5) returning sequences, linear head, mse.",
            [Rec("lstm", 5, True), Dense(2)], "mse", "sgd(lr = 0.1)"),
    OptCase("sgd_momentum", "sgd with momentum 0.9 (first step: buffer = gradient): gru(4) many-to-one, softmax head, cross_entropy.",
            [Rec("gru", 4, False), Dense(3, "softmax")], "cross_entropy", "sgd(lr = 0.1, momentum = 0.9)"),
    OptCase("adam", "adam(lr = 0.01) with the default betas and eps: lstm(6) many-to-one, softmax head, cross_entropy.",
            [Rec("lstm", 6, False), Dense(3, "softmax")], "cross_entropy", "adam(lr = 0.01)"),
    OptCase("adam_custom", "adam with every argument given: gru(5) returning sequences, linear head, mse.",
            [Rec("gru", 5, True), Dense(2)], "mse", "adam(lr = 0.01, beta1 = 0.8, beta2 = 0.99, eps = 1e-6)"),
    OptCase("rmsprop", "rmsprop(lr = 0.01) with the default rho and eps: lstm(4) returning sequences, sigmoid head, binary_cross_entropy.",
            [Rec("lstm", 4, True), Dense(2, "sigmoid")], "binary_cross_entropy", "rmsprop(lr = 0.01)"),
    OptCase("adam_clip_norm", "adam(lr = 0.01) after clip_norm = 0.1 (the norm exceeds it at every step): gru(6) returning sequences, softmax head, cross_entropy per step.",
            [Rec("gru", 6, True), Dense(3, "softmax")], "cross_entropy", "adam(lr = 0.01)", clip_norm="0.1"),
    OptCase("sgd_clip_value", "sgd(lr = 0.1) after clip_value = 0.001 (most elements are clamped): lstm(5) many-to-one, linear head, mse.",
            [Rec("lstm", 5, False), Dense(2)], "mse", "sgd(lr = 0.1)", clip_value="0.001"),
    OptCase("sgd_momentum_clip_norm", "sgd with momentum after clip_norm = 0.1 (SGD is not scale-invariant, so the rescaling shows): gru(4) returning sequences, linear head, mse.",
            [Rec("gru", 4, True), Dense(2)], "mse", "sgd(lr = 0.1, momentum = 0.9)", clip_norm="0.1"),
    OptCase("sgd_clip_value_then_norm", "sgd(lr = 0.5) with clip_value = 0.01 and clip_norm = 0.02: values are clamped first, then the clamped gradients rescaled: lstm(4) many-to-one, softmax head, cross_entropy.",
            [Rec("lstm", 4, False), Dense(3, "softmax")], "cross_entropy", "sgd(lr = 0.5)", clip_value="0.01", clip_norm="0.02"),
    OptCase("var_rmsprop", "Variable lengths (trainStep with lengths): rmsprop with every argument given, lstm(5) returning sequences, softmax head, cross_entropy over the real steps.",
            [Rec("lstm", 5, True), Dense(3, "softmax")], "cross_entropy", "rmsprop(lr = 0.005, rho = 0.9, eps = 1e-6)",
            lengths=[5, 2]),
]


def run(case):
    torch.manual_seed(zlib.crc32(("optimizer:" + case.name).encode("ascii")))
    model = mf.build(case)  # PyTorch's default uniform initialization
    x = torch.randn(case.batch, case.steps, case.input_size)
    with torch.no_grad():
        y, _, seq = mf.forward(case, model, x)
    labels = targets = None
    if case.loss == "cross_entropy":
        labels = torch.randint(0, y.shape[-1], y.shape[:-1])
    elif case.loss == "mse":
        targets = torch.randn(y.shape)
    else:
        targets = torch.bernoulli(torch.full(y.shape, 0.5))
    if seq and case.lengths is not None:
        mask = mf.step_mask(case)
        if labels is not None:
            labels = torch.where(mask, labels, torch.zeros_like(labels))
        if targets is not None:
            targets = torch.where(mask.unsqueeze(-1), targets, torch.zeros_like(targets))

    params = list(model.state_dict(keep_vars=True).items())
    assert [id(p) for _, p in params] == [id(p) for p in model.parameters()]
    tensors = [p for _, p in params]
    initial = [mf.tensor_doc(name, p) for name, p in params]
    optimizer = case.torch_optimizer(tensors)
    updates, notes = [], []
    for _ in range(UPDATES):
        optimizer.zero_grad(set_to_none=False)
        y, logits, seq = mf.forward(case, model, x)
        loss = mf.loss_of(case, y, logits, seq, labels, targets)
        loss.backward()
        grads = torch.cat([p.grad.reshape(-1) for p in tensors])
        note = "min|g| %.2e" % float(grads.abs().min())
        if case.clip_value is not None:
            limit = float(case.clip_value)
            clamped = int((grads.abs() > limit).sum())
            assert clamped > grads.numel() // 4, "clip_value should clamp many elements"
            assert clamped < grads.numel(), "clip_value should leave some elements alone"
            note += ", %d/%d clamped" % (clamped, grads.numel())
            torch.nn.utils.clip_grad_value_(tensors, limit)
        if case.clip_norm is not None:
            norm = float(torch.nn.utils.clip_grad_norm_(tensors, float(case.clip_norm)))
            assert norm > 1.5 * float(case.clip_norm), "clip_norm should rescale at every step"
            note += ", norm %.3g" % norm
        optimizer.step()
        updates.append([("loss", mf.Float(loss)),
                        ("parameters", [mf.tensor_doc(name, p) for name, p in params])])
        notes.append(note)

    doc = [
        ("name", case.name),
        ("description", case.description),
        ("spec", case.spec()),
        ("batch", case.batch),
        ("steps", case.steps),
        ("input_size", case.input_size),
        ("lengths", case.lengths),
        ("x", mf.Floats(x)),
        ("loss", case.loss),
    ]
    if labels is not None:
        doc.append(("labels", [int(v) for v in labels.reshape(-1).tolist()]))
    if targets is not None:
        doc.append(("targets", mf.Floats(targets)))
    doc += [("parameters", initial), ("updates", updates)]
    return doc, [u[0][1].v for u in updates], notes


def emit_document(doc):
    """make_fixtures' layout, with each update as an indented object of its own."""
    fields = []
    for key, value in doc:
        if key == "updates":
            body = "[\n" + ",\n".join("    " + mf.emit_object(u, 4) for u in value) + "\n  ]"
        else:
            body = mf.emit(value, 2)
        fields.append("  " + mf.json_string(key) + ": " + body)
    return "{\n" + ",\n".join(fields) + "\n}\n"


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
    for case in CASES:
        doc, losses, notes = run(case)
        text = emit_document(doc)
        with open(os.path.join(OUT_DIR, case.name + ".json"), "w", encoding="ascii", newline="\n") as f:
            f.write(text)
        total += len(text)
        print("%-26s %-48s losses %s  %7d bytes" % (case.name, case.optimizer_spec,
                                                    " ".join("%.6g" % v for v in losses), len(text)))
        for i, note in enumerate(notes):
            print("    step %d: %s" % (i + 1, note))
    print("%d fixtures, %d bytes in %s" % (len(CASES), total, OUT_DIR))
    if total > 1024 * 1024:
        sys.exit("fixtures exceed 1 MB")


if __name__ == "__main__":
    main()
