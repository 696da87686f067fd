#!/usr/bin/env python3
"""Optimised peer for the micrograd moons benchmark: scikit-learn MLPClassifier.

Same data as micrograd_moons.py (make_moons(n_samples=100, noise=0.1, random_state=1)),
same architecture 2-16-16-1 ReLU (337 parameters), full batch (batch_size=100),
exactly 100 epochs = 100 parameter updates (tol=0, n_iter_no_change=max_iter so
early stopping never triggers), L2 alpha=1e-4 (sklearn default, same value as the
micrograd demo). Differences from micrograd: log-loss (sigmoid output) instead of
hinge, and adam/sgd-with-momentum instead of plain SGD with a decaying lr.

Timing: time.perf_counter around fit() only. BLAS is limited to 1 thread
(threadpoolctl) so the comparison is single-threaded. --repeats R additionally
re-fits R times and reports the median (the first fit includes warm-up costs).
"""
import argparse
import json
import platform
import statistics
import time
import warnings

import sklearn
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits


def make(args):
    return MLPClassifier(hidden_layer_sizes=(16, 16), activation="relu",
                         solver=args.solver, learning_rate_init=args.lr,
                         alpha=1e-4, batch_size=100, max_iter=args.steps,
                         tol=0.0, n_iter_no_change=args.steps,
                         shuffle=True, random_state=0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100, help="epochs (= full-batch updates)")
    ap.add_argument("--solver", choices=["adam", "sgd"], default="adam")
    ap.add_argument("--lr", type=float, default=None,
                    help="learning_rate_init (default 0.05 for adam, 0.1 for sgd)")
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    if args.lr is None:
        args.lr = 0.05 if args.solver == "adam" else 0.1

    X, y = make_moons(n_samples=100, noise=0.1, random_state=1)
    warnings.simplefilter("ignore", ConvergenceWarning)

    with threadpool_limits(limits=1):
        clf = make(args)
        t0 = time.perf_counter()
        clf.fit(X, y)
        seconds = time.perf_counter() - t0
        reps = []
        for _ in range(args.repeats):
            c = make(args)
            t = time.perf_counter()
            c.fit(X, y)
            reps.append(time.perf_counter() - t)

    nparams = sum(w.size for w in clf.coefs_) + sum(b.size for b in clf.intercepts_)
    assert clf.n_iter_ == args.steps and clf.t_ == args.steps * len(X)
    out = {
        "steps": clf.n_iter_,
        "seconds": seconds,
        "seconds_per_step": seconds / clf.n_iter_,
        "final_loss": float(clf.loss_),
        "final_accuracy": float(clf.score(X, y)),
        "parameters": int(nparams),
        "median_seconds_over_repeats": statistics.median(reps) if reps else None,
        "repeats": args.repeats,
        "solver": args.solver,
        "learning_rate_init": args.lr,
        "loss_kind": "log-loss + alpha/2n*||W||^2 (sklearn), not hinge",
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
