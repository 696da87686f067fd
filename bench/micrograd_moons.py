#!/usr/bin/env python3
"""Reference benchmark: karpathy/micrograd "moons" demo workload (demo.ipynb).

micrograd is only imported (pip install micrograd), never copied.

Workload:
  data  : sklearn.datasets.make_moons(n_samples=100, noise=0.1, random_state=1), y -> y*2-1
  model : MLP(2, [16, 16, 1]) after random.seed(1337); np.random.seed(1337)  (337 params)
  loss  : mean_i relu(1 - y_i*score_i) + 1e-4 * sum(p*p)
  train : full batch, 100 steps, lr = 1.0 - 0.9*k/100, plain SGD

Timing covers forward + zero_grad + backward + update of every step
(time.perf_counter); data generation, imports, CSV writing and printing are excluded.

By default inputs/labels are converted to plain Python float/int (micrograd's
intended scalar engine speed). --numpy-scalars keeps them as numpy float64/int64
scalars exactly as the notebook does (which makes every Value.data an np.float64
and is slower); the arithmetic results are the same float64 values.
"""
import argparse
import json
import os
import platform
import random
import sys
import time

import numpy as np
from sklearn.datasets import make_moons

from micrograd.engine import Value
from micrograd.nn import MLP

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--numpy-scalars", action="store_true",
                    help="keep numpy scalars in the graph, as the notebook literally does")
    ap.add_argument("--csv", default=None, help="also write the 100 points as CSV (x1,x2,y with y 0/1) to this path")
    args = ap.parse_args()

    # ---- data (not timed) ----
    X, y01 = make_moons(n_samples=100, noise=0.1, random_state=1)
    if args.csv:
        with open(args.csv, "w") as f:
            f.write("x1,x2,y\n")
            for (a, b), lab in zip(X.tolist(), y01.tolist()):
                f.write(f"{a!r},{b!r},{int(lab)}\n")
    y = y01 * 2 - 1  # labels -1 / +1
    if args.numpy_scalars:
        Xs, ys = X, y
    else:
        Xs, ys = X.tolist(), y.tolist()

    # ---- model ----
    random.seed(1337)
    np.random.seed(1337)
    model = MLP(2, [16, 16, 1])
    params = model.parameters()
    nparams = len(params)
    assert nparams == 337, nparams

    def loss():
        inputs = [list(map(Value, xrow)) for xrow in Xs]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum((p * p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(ys, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    report = set(range(0, 11)) | set(range(20, 100, 10)) | {99, args.steps - 1}
    total = 0.0
    step_times = []
    final_loss = final_acc = None
    for k in range(args.steps):
        t0 = time.perf_counter()
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        dt = time.perf_counter() - t0
        total += dt
        step_times.append(dt)
        final_loss, final_acc = float(total_loss.data), float(acc)
        if k in report:
            print(f"step {k} loss {final_loss!r}, accuracy {final_acc*100}%  ({dt:.3f}s)",
                  flush=True)

    out = {
        "steps": args.steps,
        "seconds": total,
        "seconds_per_step": total / args.steps,
        "final_loss": final_loss,
        "final_accuracy": final_acc,
        "parameters": nparams,
        "min_step_seconds": min(step_times),
        "max_step_seconds": max(step_times),
        "mode": "numpy-scalars" if args.numpy_scalars else "python-floats",
        "python": platform.python_version(),
        "note": "final_loss/final_accuracy are from the forward pass of the last step "
                "(before its update), as in the notebook",
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
