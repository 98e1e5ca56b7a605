"""numpy reference for bench:aggregate: same CLI, same raw float32 file, same output.

Each method is what a numpy user would write, and the fastest such form we know:
mean(axis=0); median(axis=0); Flower's _trim_mean (np.partition); Krum and
Multi-Krum with the Gram-matrix identity ||a-b||^2 = |a|^2 + |b|^2 - 2ab, so the
n x n distances come from one BLAS call (OpenBLAS, all cores) rather than Flower's
double Python loop. Prints one JSON line; "seconds" excludes file I/O.
"""
import argparse
import json
import time

import numpy as np


def aggregate(x: np.ndarray, method: str, f: int, beta: float) -> np.ndarray:
    n = x.shape[0]
    if method == "fedavg":
        return x.mean(axis=0)
    if method == "median":
        return np.median(x, axis=0)
    if method == "trimmed-mean":
        low = int(beta * n)
        high = n - low
        part = np.partition(x, (low, high - 1), axis=0)
        return part[low:high].mean(axis=0)
    if method in ("krum", "multi-krum"):
        sq = np.einsum("ij,ij->i", x, x, dtype=np.float64)
        gram = (x @ x.T).astype(np.float64)
        dist = np.maximum(sq[:, None] + sq[None, :] - 2 * gram, 0)
        k = max(1, n - f - 2)
        scores = np.sort(dist, axis=1)[:, 1 : k + 1].sum(axis=1)
        if method == "krum":
            return x[int(np.argmin(scores))].copy()
        keep = np.argsort(scores, kind="stable")[: n - f]
        return x[keep].mean(axis=0)
    raise SystemExit(f"unknown method {method}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--method", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--d", type=int, required=True)
    p.add_argument("--f", type=int, default=1)
    p.add_argument("--beta", type=float, default=0.1)
    p.add_argument("--output")
    p.add_argument("--repeat", type=int, default=1)
    a = p.parse_args()
    x = np.fromfile(a.input, dtype="<f4", count=a.n * a.d).reshape(a.n, a.d)
    seconds = float("inf")
    for _ in range(a.repeat):
        start = time.perf_counter()
        result = aggregate(x, a.method, a.f, a.beta)
        seconds = min(seconds, time.perf_counter() - start)
    if a.output:
        result.astype("<f4").tofile(a.output)
    print(json.dumps({"implementation": "numpy", "numpy": np.__version__, "method": a.method, "n": a.n, "d": a.d, "f": a.f, "beta": a.beta, "repeat": a.repeat, "seconds": seconds}))


if __name__ == "__main__":
    main()
