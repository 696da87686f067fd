#!/usr/bin/env python3
"""Peer benchmark: GradTrace's moons job against numpy, JAX and scikit-learn, interleaved.

The job (as `gradtrace-bench moons` and the README's `gradtrace train` example):
  data  : examples/moons.csv = sklearn make_moons(n_samples=100, noise=0.1, random_state=1)
          (checked here), labels y 0/1, t = 2y - 1
  model : MLP(2, [16, 16, 1]), ReLU hidden layers, linear score (examples/moons.gt, 337 params)
  loss  : mean_i relu(1 - t_i*score_i) + 1e-4 * sum(p*p)
  train : full batch, 100 steps, lr = 1 - 0.9*k/100 (k = updates so far), plain SGD, float64

Every peer starts from GradTrace's own initial parameters, read from a reference run
`gradtrace train ... --save-every 1 -o DIR` (params-step-1.json: "the parameters step 1 used";
history.csv: the loss of each of the 100 steps, at the parameters before its update, penalty
included). numpy and JAX must reproduce those 100 losses to 1e-12 relative, in every timed run
(exit status 1 otherwise); the largest difference is printed.

Tools, one run each per round, round-robin (the starting tool rotates each round):
  gradtrace-bench      `gradtrace-bench moons`: 100 steps in-process; each round's number is the
                       median of that process's 7 runs (its printed result)
  gradtrace train      the whole process on the same job (start, parse, data, 100 steps, the
                       text report to /dev/null), wall time
  numpy                the forward and backward pass written out by hand, vectorised over the rows
  JAX, jit step x100   jax.value_and_grad of the same loss, one jitted step called 100 times
  JAX, fori_loop       the whole 100 steps in one jitted lax.fori_loop
  scikit-learn         MLPClassifier exactly as bench/sklearn_moons.py (Adam, log-loss, its own
                       initial weights): a rough reference only, not the same algorithm
Timing is time.perf_counter around the 100 steps (JAX: until block_until_ready; compilation
is timed apart, as lower() + compile()); data loading and the reference run are not timed.
BLAS (numpy, scikit-learn) is limited to 1 thread with threadpoolctl and XLA to one thread
(--xla_cpu_multi_thread_eigen=false), since GradTrace trains on one thread.

  pip install numpy jax jaxlib scikit-learn
  swift build -c release && python3 bench/moons_peers.py --rounds 15
"""
import argparse
import csv
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false").strip()

import numpy as np
import jax
import jax.numpy as jnp
import sklearn
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import sklearn_moons  # noqa: E402  (the same MLPClassifier settings as that benchmark)

STEPS = 100
LAMBDA = 1e-4
SHAPES = [("W1", (16, 2)), ("b1", (16,)), ("W2", (16, 16)), ("b2", (16,)), ("w3", (16,)), ("b3", ())]
JOB = ["examples/moons.gt", "--data", "examples/moons.csv", "--lr", "1 - 0.9*k/100",
       "--steps", str(STEPS), "--l2", "1e-4", "--classify", "score"]
TOLERANCE = 1e-12


# ---- GradTrace's reference run: initial parameters and the 100 losses (not timed) ----

def reference(gradtrace, folder):
    subprocess.run([gradtrace, "train", *JOB, "--save-every", "1", "-o", folder],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)

    def tensors(path):
        named = json.load(open(os.path.join(folder, path)))["parameters"]
        assert len(named) == 337, len(named)
        out = []
        for name, shape in SHAPES:
            a = np.empty(shape)
            for idx in np.ndindex(*shape):
                a[idx] = named[name + ("[" + ",".join(str(i + 1) for i in idx) + "]" if shape else "")]
            out.append(a)
        return tuple(out)

    with open(os.path.join(folder, "history.csv")) as f:
        history = list(csv.DictReader(f))
    assert [int(r["step"]) for r in history] == list(range(1, STEPS + 1))
    return {"initial": tensors("params-step-1.json"), "final": tensors("params-final.json"),
            "losses": np.array([float(r["loss"]) for r in history]),
            "learning_rates": [float(r["learning_rate"]) for r in history]}


def load_data():
    with open(os.path.join(ROOT, "examples", "moons.csv")) as f:
        rows = list(csv.DictReader(f))
    X = np.array([[float(r["x1"]), float(r["x2"])] for r in rows])
    y = np.array([float(r["y"]) for r in rows])
    Xs, ys = make_moons(n_samples=100, noise=0.1, random_state=1)
    assert np.array_equal(X, Xs) and np.array_equal(y, ys), "examples/moons.csv is not make_moons(100, 0.1, 1)"
    return X, y


# ---- numpy, by hand ----

def train_numpy(params, X, t, rates):
    W1, b1, W2, b2, w3, b3 = (p.copy() for p in params)
    n = len(X)
    losses = np.empty(STEPS)
    for k in range(STEPS):
        Z1 = X @ W1.T + b1
        H1 = np.maximum(Z1, 0.0)
        Z2 = H1 @ W2.T + b2
        H2 = np.maximum(Z2, 0.0)
        S = H2 @ w3 + b3
        M = 1.0 - t * S
        losses[k] = np.maximum(M, 0.0).sum() / n + LAMBDA * (
            (W1 * W1).sum() + (b1 * b1).sum() + (W2 * W2).sum() + (b2 * b2).sum() + (w3 * w3).sum() + b3 * b3)
        dS = np.where(M > 0, -t, 0.0) / n          # d mean(relu(M)) / d score
        dZ2 = np.outer(dS, w3) * (Z2 > 0)
        dZ1 = (dZ2 @ W2) * (Z1 > 0)
        eta = rates[k]
        W1 = W1 - eta * (dZ1.T @ X + 2 * LAMBDA * W1)
        b1 = b1 - eta * (dZ1.sum(0) + 2 * LAMBDA * b1)
        W2 = W2 - eta * (dZ2.T @ H1 + 2 * LAMBDA * W2)
        b2 = b2 - eta * (dZ2.sum(0) + 2 * LAMBDA * b2)
        w3 = w3 - eta * (H2.T @ dS + 2 * LAMBDA * w3)
        b3 = b3 - eta * (dS.sum() + 2 * LAMBDA * b3)
    return losses, (W1, b1, W2, b2, w3, b3)


# ---- JAX: the loss, differentiated by jax.value_and_grad ----

def jax_loss(params, X, t):
    W1, b1, W2, b2, w3, b3 = params
    h1 = jax.nn.relu(X @ W1.T + b1)            # relu's gradient is 0 at 0, as GradTrace's
    h2 = jax.nn.relu(h1 @ W2.T + b2)
    score = h2 @ w3 + b3
    return jnp.mean(jax.nn.relu(1.0 - t * score)) + LAMBDA * sum(jnp.sum(p * p) for p in params)


def jax_step(params, eta, X, t):
    loss, grads = jax.value_and_grad(jax_loss)(params, X, t)
    return tuple(p - eta * g for p, g in zip(params, grads)), loss


def jax_loop(params, rates, X, t):
    def body(k, carry):
        params, losses = carry
        params, loss = jax_step(params, rates[k], X, t)
        return params, losses.at[k].set(loss)
    return jax.lax.fori_loop(0, STEPS, body, (params, jnp.zeros(STEPS)))


# ---- GradTrace itself ----

BENCH_LINE = re.compile(r"100 full-batch steps: ([0-9.]+) ms \(median of 7\).*final loss ([0-9.]+)")


def run_bench(bench):
    out = subprocess.run([bench, "moons"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    m = BENCH_LINE.search(out)
    if not m:
        sys.exit(f"gradtrace-bench moons printed no result line:\n{out}")
    return float(m.group(1)) / 1000, float(m.group(2))


def run_train(gradtrace):
    t0 = time.perf_counter()
    subprocess.run([gradtrace, "train", *JOB], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def machine():
    model = "unknown"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--gradtrace", default=os.path.join(ROOT, ".build", "release", "gradtrace"))
    ap.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "gradtrace-bench"))
    args = ap.parse_args()

    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_data()
    t = 2 * y - 1
    rates = [1 - 0.9 * k / 100 for k in range(STEPS)]
    with tempfile.TemporaryDirectory(prefix="moons-peers-") as folder:
        ref = reference(args.gradtrace, os.path.join(folder, "run"))
    assert ref["learning_rates"] == rates, "GradTrace's learning rates differ from 1 - 0.9*k/100"
    init, want = ref["initial"], ref["losses"]

    agreement = {}      # tool -> largest relative loss difference over every run

    def check(tool, losses):
        rel = float(np.max(np.abs(np.asarray(losses) - want) / np.abs(want)))
        agreement[tool] = max(agreement.get(tool, 0.0), rel)

    # JAX: inputs on the device, then compile (timed apart) and warm up (not timed).
    jparams = tuple(jnp.asarray(p) for p in init)
    jX, jt, jrates = jnp.asarray(X), jnp.asarray(t), jnp.asarray(rates)
    step = jax.jit(jax_step)
    loop = jax.jit(jax_loop)
    compile_time = {}
    c0 = time.perf_counter()
    step_exe = step.lower(jparams, jrates[0], jX, jt).compile()
    c1 = time.perf_counter()
    loop_exe = loop.lower(jparams, jrates, jX, jt).compile()
    c2 = time.perf_counter()
    compile_time["JAX, jit step ×100"] = c1 - c0
    compile_time["JAX, fori_loop"] = c2 - c1
    eta = [jrates[k] for k in range(STEPS)]    # device scalars, made once

    def numpy_run():
        t0 = time.perf_counter()
        losses, final = train_numpy(init, X, t, rates)
        dt = time.perf_counter() - t0
        check("numpy (by hand)", losses)
        return dt, final

    def jax_step_run():
        p = jparams
        t0 = time.perf_counter()
        out = []
        for k in range(STEPS):
            p, loss = step_exe(p, eta[k], jX, jt)
            out.append(loss)
        jax.block_until_ready((p, out))
        dt = time.perf_counter() - t0
        check("JAX, jit step ×100", [float(v) for v in out])
        return dt, p

    def jax_loop_run():
        t0 = time.perf_counter()
        p, losses = jax.block_until_ready(loop_exe(jparams, jrates, jX, jt))
        dt = time.perf_counter() - t0
        check("JAX, fori_loop", np.asarray(losses))
        return dt, p

    sk_args = argparse.Namespace(solver="adam", lr=0.05, steps=STEPS)
    sk_accuracy = []

    def sklearn_run():
        clf = sklearn_moons.make(sk_args)
        t0 = time.perf_counter()
        clf.fit(X, y)
        dt = time.perf_counter() - t0
        assert clf.n_iter_ == STEPS
        sk_accuracy.append(clf.score(X, y))
        return dt, None

    bench_final = []

    def bench_run():
        dt, final_loss = run_bench(args.bench)
        bench_final.append(final_loss)
        return dt, None

    tools = [("GradTrace, in-process (gradtrace-bench moons)", bench_run),
             ("GradTrace, whole process (gradtrace train)", lambda: (run_train(args.gradtrace), None)),
             ("numpy (by hand)", numpy_run),
             ("JAX, jit step ×100", jax_step_run),
             ("JAX, fori_loop", jax_loop_run),
             ("scikit-learn MLPClassifier (Adam, log-loss)", sklearn_run)]
    with threadpool_limits(limits=1):
        for _, run in tools[2:]:
            run()                                  # warm-up, not counted
        times = {name: [] for name, _ in tools}
        finals = {}
        for r in range(args.rounds):
            for i in range(len(tools)):
                name, run = tools[(r + i) % len(tools)]
                dt, final = run()
                times[name].append(dt)
                if final is not None:
                    finals[name] = final
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)

    # The final parameters against GradTrace's params-final.json, and the final loss
    # gradtrace-bench prints (6 decimals) against the one the peers' final parameters give.
    param_diff = {name: max(float(np.max(np.abs(np.asarray(a) - b))) for a, b in zip(p, ref["final"]))
                  for name, p in finals.items()}
    W1, b1, W2, b2, w3, b3 = ref["final"]
    H2 = np.maximum(np.maximum(X @ W1.T + b1, 0) @ W2.T + b2, 0)
    final_loss = np.maximum(1 - t * (H2 @ w3 + b3), 0).mean() + LAMBDA * sum(float((p * p).sum()) for p in ref["final"])
    assert all(abs(v - final_loss) <= 5e-7 for v in bench_final), (bench_final, final_loss)

    base = statistics.median(times[tools[0][0]])
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"moons job, 100 full-batch steps, float64; {args.rounds} interleaved rounds; {now}; {machine()} "
          f"(load average at the end {load})")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, JAX {jax.__version__}, "
          f"scikit-learn {sklearn.__version__}; 1 BLAS/XLA thread")
    print()
    print("| tool | 100 steps, median | min | max | time ÷ GradTrace in-process |")
    print("|---|---:|---:|---:|---:|")
    for name, _ in tools:
        ts = times[name]
        med = statistics.median(ts)
        print(f"| {name} | {med * 1000:.1f} ms | {min(ts) * 1000:.1f} ms | {max(ts) * 1000:.1f} ms | {med / base:.2f}× |")
    print()
    print("JAX compile (lower + compile, once): " +
          ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in compile_time.items()))
    print(f"scikit-learn final training accuracy {statistics.median(sk_accuracy) * 100:.0f}% (its own algorithm)")
    print()
    print(f"Loss agreement with GradTrace's 100 losses (largest |peer − GradTrace| / |GradTrace|, "
          f"over every run; tolerance {TOLERANCE:g}):")
    ok = True
    for name, rel in agreement.items():
        good = rel <= TOLERANCE
        ok &= good
        print(f"  {name}: {rel:.2e} {'ok' if good else 'FAILED'}; "
              f"final parameters within {param_diff[name]:.1e} of params-final.json")
    print(f"  gradtrace-bench's final loss {bench_final[0]:.6f} = {final_loss:.6f} at params-final.json")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
