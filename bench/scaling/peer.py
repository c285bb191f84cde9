"""SciPy peer for bench/scaling/grid.ts: the replication's Approach-3 grid fit (Besiroglu et al. 2024).

Minimises sum_i Huber_delta(log L_i - LSE(a - alpha log N_i, b - beta log D_i, e)) with
scipy.optimize.minimize(method='L-BFGS-B') from every start of the 4500-point grid, keeping the
best successful result, and prints one JSON line. `--jac numeric` (the replication's choice:
finite-difference gradients) or `--jac analytic` (the same gradient our TypeScript code uses).
Usage: python3 peer.py --csv FILE [--drop 5] [--jac numeric|analytic] [--limit K] [--delta 1e-3]
"""
import argparse
import itertools
import json
import time

import numpy as np
from scipy.optimize import minimize


def load(path, drop):
    import csv

    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    n = np.array([float(r["Model Size"]) for r in rows])
    c = np.array([float(r["Training FLOP"]) for r in rows])
    loss = np.array([float(r["loss"]) for r in rows])
    d = c / (6.0 * n)
    if drop > 0:
        keep = loss < np.sort(loss)[-drop]
        n, d, loss = n[keep], d[keep], loss[keep]
    return np.log(n), np.log(d), np.log(loss)


def make_objective(log_n, log_d, log_l, delta):
    def value_and_grad(p):
        a, b, e, alpha, beta = p
        t = np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)])
        m = t.max(axis=0)
        w = np.exp(t - m)
        s = w.sum(axis=0)
        lse = m + np.log(s)
        r = log_l - lse
        small = np.abs(r) <= delta
        h = np.where(small, 0.5 * r * r, delta * (np.abs(r) - 0.5 * delta))
        dh = np.where(small, r, delta * np.sign(r))  # dHuber/dr
        p_ = w / s  # softmax weights
        g_lse = -dh  # d objective / d lse
        grad = np.array([
            np.sum(g_lse * p_[0]),
            np.sum(g_lse * p_[1]),
            np.sum(g_lse * p_[2]),
            np.sum(g_lse * p_[0] * -log_n),
            np.sum(g_lse * p_[1] * -log_d),
        ])
        return h.sum(), grad

    def value(p):
        return value_and_grad(p)[0]

    return value, value_and_grad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--drop", type=int, default=5)
    ap.add_argument("--jac", choices=["numeric", "analytic"], default="numeric")
    ap.add_argument("--limit", type=int, default=0, help="use only the first K grid starts (0 = all 4500)")
    ap.add_argument("--delta", type=float, default=1e-3)
    args = ap.parse_args()
    log_n, log_d, log_l = load(args.csv, args.drop)
    value, value_and_grad = make_objective(log_n, log_d, log_l, args.delta)
    grid = list(itertools.product(np.arange(0, 2.5, 0.5), np.arange(0, 2.5, 0.5), np.arange(-1, 1.5, 0.5),
                                  np.arange(0, 30, 5), np.arange(0, 30, 5)))
    if args.limit > 0:
        grid = grid[: args.limit]
    best, best_x, evals = np.inf, None, 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    for alpha, beta, e, a, b in grid:
        x0 = [a, b, e, alpha, beta]
        if args.jac == "analytic":
            res = minimize(value_and_grad, x0, jac=True, method="L-BFGS-B")
        else:
            res = minimize(value, x0, method="L-BFGS-B")
        evals += res.nfev
        if res.success and res.fun < best:
            best, best_x = res.fun, res.x
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    a, b, e, alpha, beta = best_x
    print(json.dumps({
        "peer": "scipy L-BFGS-B", "jac": args.jac, "starts": len(grid), "runs": int(log_n.size),
        "seconds": seconds, "cpuSeconds": cpu_seconds, "evals": int(evals), "objective": float(best),
        "A": float(np.exp(a)), "B": float(np.exp(b)), "E": float(np.exp(e)), "alpha": float(alpha), "beta": float(beta),
    }))


if __name__ == "__main__":
    main()
