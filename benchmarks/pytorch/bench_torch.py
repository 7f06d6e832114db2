#!/usr/bin/env python3
"""PyTorch side of the rnnc benchmarks: the same networks, shapes and modes as the JMH benchmarks, timed with the
same discipline (warm-up iterations, then measurement iterations; each iteration repeats the call for a fixed time
and yields the mean time per call), so that benchmarks/run.sh measures the ratio in one run.

    /usr/bin/python3 bench_torch.py PLAN.tsv OUT.json --blas LABEL --threads N [--warmups 3 --warmup-time 1
                                                                               --iterations 5 --time 1]

PLAN.tsv lines: net, batch, method, blas, threads[, warm-up iterations, measurement iterations] (written by
bench.Run plan, with the iteration counts of the JMH group of the same configuration); only the lines of this
process's --blas and --threads run. Networks (benchmarks/src/main/java/bench/Nets.java has the rnnc side):
  rnn_hH, lstm_hH, gru_hH  torch.nn.RNN/LSTM/GRU(H, H, batch_first=True), then torch.nn.Linear(H, H) at every step;
                           MSE; Adam(lr=0.001)
  mgu_hH                   the minimal gated unit as a PyTorch user writes it (the input products hoisted over the
                           sequence, a Python loop over the steps), then Linear(H, H); MSE; Adam(lr=0.001)
  CharLstm                 generated-examples/char_lstm: LSTM(65, 256, num_layers=2), Linear(256, 65), softmax;
                           cross-entropy, Adam(lr=0.002), clip_grad_norm_(5), truncated BPTT in windows of 50 steps
  MguTagger                generated-examples/mgu: MGU(40, 64), Linear(64, 5), softmax; cross-entropy, RMSprop(0.001)
Methods: forward (under torch.inference_mode()), computeGradients (zero_grad, forward, loss, backward), trainStep
(computeGradients, clipping, optimizer.step()). Weights and optimizer state are reset before every iteration, as
the JMH benchmark does. T = 100 steps.
"""
import argparse
import json
import math
import os
import platform
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

STEPS = 100

# two-sided 99.9 % quantiles of Student's t, as JMH reports scoreError
T999 = {1: 636.62, 2: 31.599, 3: 12.924, 4: 8.610, 5: 6.869, 6: 5.959, 7: 5.408, 8: 5.041, 9: 4.781}


class MGU(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        k = 1.0 / math.sqrt(h)
        self.h = h
        self.W_f = nn.Parameter(torch.empty(h, d).uniform_(-k, k))
        self.U_f = nn.Parameter(torch.empty(h, h).uniform_(-k, k))
        self.b_f = nn.Parameter(torch.zeros(h))
        self.W_h = nn.Parameter(torch.empty(h, d).uniform_(-k, k))
        self.U_h = nn.Parameter(torch.empty(h, h).uniform_(-k, k))
        self.b_h = nn.Parameter(torch.zeros(h))

    def forward(self, x):
        b, t, _ = x.shape
        xf = F.linear(x, self.W_f, self.b_f)
        xh = F.linear(x, self.W_h, self.b_h)
        h = x.new_zeros(b, self.h)
        outs = []
        for s in range(t):
            f = torch.sigmoid(xf[:, s] + F.linear(h, self.U_f))
            hc = torch.tanh(xh[:, s] + F.linear(f * h, self.U_h))
            h = (1 - f) * h + f * hc
            outs.append(h)
        return torch.stack(outs, 1)


class Seq(nn.Module):
    """A recurrent layer (or stack) with a linear head at every step."""

    def __init__(self, rnn, head, softmax, truncate=None):
        super().__init__()
        self.rnn = rnn
        self.head = head
        self.softmax = softmax
        self.truncate = truncate

    def recurrent(self, x):
        if isinstance(self.rnn, MGU):
            return self.rnn(x)
        if self.truncate is None or not torch.is_grad_enabled():
            return self.rnn(x)[0]
        # truncated BPTT: gradients flow back at most `truncate` steps (windows, state carried and detached)
        outs, state = [], None
        for s in range(0, x.shape[1], self.truncate):
            out, state = self.rnn(x[:, s:s + self.truncate], state)
            outs.append(out)
            state = tuple(v.detach() for v in state)
        return torch.cat(outs, 1)

    def forward(self, x):
        y = self.head(self.recurrent(x))
        if self.softmax and not torch.is_grad_enabled():
            return torch.softmax(y, -1)
        return y  # logits for the loss (cross_entropy applies log-softmax itself)


def build(net):
    """(model, input size, output size, labels?, optimizer factory, clip_norm)"""
    if net == "CharLstm":
        model = Seq(nn.LSTM(65, 256, num_layers=2, batch_first=True), nn.Linear(256, 65), True, truncate=50)
        return model, 65, 65, True, lambda p: torch.optim.Adam(p, lr=0.002), 5.0
    if net == "MguTagger":
        model = Seq(MGU(40, 64), nn.Linear(64, 5), True)
        return model, 40, 5, True, lambda p: torch.optim.RMSprop(p, lr=0.001), None
    cell, h = net.split("_h")
    h = int(h)
    rnn = {"rnn": lambda: nn.RNN(h, h, batch_first=True), "lstm": lambda: nn.LSTM(h, h, batch_first=True),
           "gru": lambda: nn.GRU(h, h, batch_first=True), "mgu": lambda: MGU(h, h)}[cell]()
    return Seq(rnn, nn.Linear(h, h), False), h, h, False, lambda p: torch.optim.Adam(p, lr=0.001), None


def operation(net, batch, method):
    """Returns (reset, call): reset restores the weights and a fresh optimizer; call runs one operation."""
    torch.manual_seed(0)
    model, d, o, labels, make_optimizer, clip = build(net)
    x = torch.empty(batch, STEPS, d).uniform_(-1, 1)
    if labels:
        target = torch.randint(0, o, (batch, STEPS))
        loss_fn = lambda y: F.cross_entropy(y.reshape(-1, o), target.reshape(-1))
    else:
        target = torch.empty(batch, STEPS, o).uniform_(-1, 1)
        loss_fn = lambda y: F.mse_loss(y, target)
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    state = {"opt": make_optimizer(model.parameters())}

    def reset():
        model.load_state_dict(initial)
        state["opt"] = make_optimizer(model.parameters())

    def forward():
        with torch.inference_mode():
            return model(x)

    def gradients():
        state["opt"].zero_grad()
        loss = loss_fn(model(x))
        loss.backward()
        return loss

    def train_step():
        loss = gradients()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        state["opt"].step()
        return loss

    return reset, {"forward": forward, "computeGradients": gradients, "trainStep": train_step}[method]


def measure(reset, call, seconds):
    reset()
    count = 0
    start = time.perf_counter()
    while True:
        call()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / count * 1e6


def blas_libraries():
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "blas" in path.lower() or "lapack" in path.lower():
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(found)


def config_line(prefix):
    for line in torch.__config__.show().splitlines():
        if line.strip().lstrip("- ").startswith(prefix):
            return line.strip().lstrip("- ")
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("plan")
    parser.add_argument("out")
    parser.add_argument("--blas", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--warmup-time", type=float, default=1.0)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--time", type=float, default=1.0)
    parser.add_argument("--smoke", action="store_true", help="ignore the plan's iteration counts")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    rows = []
    with open(args.plan) as plan:
        for line in plan:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.split()
            net, batch, method, blas, threads = fields[:5]
            warmups, iterations = (int(fields[5]), int(fields[6])) if len(fields) >= 7 else (None, None)
            if blas == args.blas and int(threads) == args.threads:
                rows.append((net, int(batch), method, warmups, iterations))
    results = []
    for net, batch, method, warmups, iterations in rows:
        if args.smoke or warmups is None:
            warmups, iterations = args.warmups, args.iterations
        reset, call = operation(net, batch, method)
        for _ in range(warmups):
            measure(reset, call, args.warmup_time)
        scores = [measure(reset, call, args.time) for _ in range(iterations)]
        mean = sum(scores) / len(scores)
        if len(scores) > 1:
            sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / (len(scores) - 1))
            error = T999.get(len(scores) - 1, 3.29) * sd / math.sqrt(len(scores))
        else:
            error = float("nan")
        results.append({"net": net, "batch": batch, "method": method, "micros": mean, "error": error,
                        "iterations": scores})
        print(f"torch {args.blas} {args.threads}T {net:>10} b{batch:<3} {method:<17} {mean:12.1f} us", flush=True)
    with open(args.out, "w") as out:
        json.dump({"torch": torch.__version__, "python": platform.python_version(), "blas": args.blas,
                   "blas_libraries": blas_libraries(), "threads": args.threads,
                   "num_threads": torch.get_num_threads(), "config": config_line("CPU capability usage"),
                   "timing": f"iterations of {args.warmup_time} s warm-up / {args.time} s measurement, counts as JMH's",
                   "results": results}, out, indent=1)


if __name__ == "__main__":
    sys.exit(main())
