#!/usr/bin/env bash
# Writes the size-sweep specs of the benchmarks into src/main/rnn/sweep/ (committed; run again after changing the
# sizes). One network per cell and size, mirroring what benchmarks/pytorch/bench_torch.py builds:
#   input x[H]; <cell>(H, return_sequences = true); dense(H); mse; Adam(lr = 0.001)
# i.e. torch.nn.<RNN|LSTM|GRU>(H, H, batch_first=True) (or the MGU loop) + torch.nn.Linear(H, H) at every step.
# ConvLSTM has no sweep yet: its code generation does not exist (the report lists it as "not yet generated").
set -euo pipefail
cd "$(dirname "$0")"
out=src/main/rnn/sweep
rm -rf "$out" && mkdir -p "$out"
sizes="32 64 128 256 512"
for cell in rnn lstm gru mgu; do
    for h in $sizes; do
        name="$(tr '[:lower:]' '[:upper:]' <<<"${cell:0:1}")${cell:1}H$h"
        file="$out/${cell}_h$h.rnn"
        {
            echo "// Size sweep, written by benchmarks/make-sweep-specs.sh: $cell, D = H = $h, a linear head at every step."
            if [ "$cell" = mgu ]; then
                # the minimal gated unit, exactly as generated-examples/mgu/mgu.rnn writes it
                sed -n '/^cell mgu/,/^}/p' ../generated-examples/mgu/mgu.rnn
                echo
            fi
            echo "network $name {"
            echo "    input x[$h];"
            echo "    $cell($h, return_sequences = true);"
            echo "    dense($h);"
            echo
            echo "    train {"
            echo "        loss = mse;"
            echo "        optimizer = adam(lr = 0.001);"
            echo "    }"
            echo "}"
        } >"$file"
    done
done
