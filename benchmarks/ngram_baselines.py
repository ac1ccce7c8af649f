"""Counting baselines for notebook 05: n-gram models with add-k and interpolated Kneser-Ney.

The notebook computes the validation column of this table live (section 4); this script adds the
test split, the choice of k, and timings, so that the numbers quoted in notebooks 05 and 06 and in
``benchmarks/README_05_reference_run.md`` can be reproduced.

Every model is scored exactly as ``helpers.competition.bits_per_char`` scores a network: the text
is cut into consecutive windows of 100 targets (``EVAL_SEQ_LEN``), and a target near the start of
a window sees only the characters of its window, so an order-n model falls back to the shorter
model when fewer than n - 1 characters precede the target. (Scored with full context instead,
the numbers are lower by up to 0.03 nats; see ``--full-context``.)

Run from the repository root::

    export COURSE_DATA_DIR=../shared/data
    python benchmarks/ngram_baselines.py            # orders 1-8, k = 0.03
    python benchmarks/ngram_baselines.py --k-grid   # the validation search for k

It exits non-zero when a smoothed distribution does not sum to 1 (checked on random contexts).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from helpers import CharVocab, load_splits
from helpers.competition import EVAL_SEQ_LEN


class Counts:
    """n-gram counts of one training text, stored sparsely (sorted int64 keys in base V)."""

    def __init__(self, ids: np.ndarray, vocab_size: int):
        self.ids, self.V = ids.astype(np.int64), vocab_size

    def keys(self, ids: np.ndarray, n: int) -> np.ndarray:
        out = np.zeros(len(ids) - n + 1, dtype=np.int64)
        for i in range(n):
            out = out * self.V + ids[i : len(ids) - n + 1 + i]
        return out

    def tables(self, order: int, kneser_ney: bool) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """{k: (sorted keys, counts)}; below the top order, Kneser-Ney counts left contexts."""
        keys, counts = np.unique(self.keys(self.ids, order), return_counts=True)
        tables = {order: (keys, counts)}
        for k in range(order - 1, 0, -1):
            if kneser_ney:
                keys, counts = np.unique(keys % self.V**k, return_counts=True)
            else:
                keys, counts = np.unique(self.keys(self.ids, k), return_counts=True)
            tables[k] = (keys, counts)
        return tables


def _lookup(keys, values, query):
    at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[at] == query, values[at], 0)


def probabilities(
    counts: Counts,
    order: int,
    kneser_ney: bool,
    add_k: float,
    eval_ids,
    targets: np.ndarray,
    context: np.ndarray,
) -> np.ndarray:
    """p(eval_ids[t] | what precedes it) for every t in targets, context[i] characters back."""
    V = counts.V
    p = np.full(len(targets), 1.0 / V)
    for k, (keys, cnt) in sorted(counts.tables(order, kneser_ney).items()):
        contexts, which = np.unique(keys // V, return_inverse=True)
        query = np.zeros(len(targets), dtype=np.int64)
        for back in range(k - 1, -1, -1):
            query = query * V + eval_ids[np.maximum(targets - back, 0)]
        seen = _lookup(keys, cnt, query)
        total = _lookup(contexts, np.bincount(which, weights=cnt), query // V)
        usable = (context >= k - 1) & (total > 0)
        if kneser_ney:
            n1, n2 = np.sum(cnt == 1), np.sum(cnt == 2)
            discount = n1 / (n1 + 2 * n2)
            kinds = _lookup(contexts, np.bincount(which).astype(float), query // V)
            mixed = (np.maximum(seen - discount, 0) + discount * kinds * p) / np.maximum(total, 1)
        else:
            mixed = (seen + add_k) / (total + add_k * V)
        p = np.where(usable, mixed, p)
    return p


def scored_positions(n: int, full_context: bool) -> tuple[np.ndarray, np.ndarray]:
    """Targets and their available context, as bits_per_char scores a text of n characters."""
    if full_context:
        targets = np.arange(1, n)
        return targets, targets.copy()
    windows = (n - EVAL_SEQ_LEN - 1) // EVAL_SEQ_LEN + 1
    targets = (np.arange(windows)[:, None] * EVAL_SEQ_LEN + np.arange(1, EVAL_SEQ_LEN + 1)).ravel()
    return targets, np.tile(np.arange(1, EVAL_SEQ_LEN + 1), windows)


def nats(counts, order, kneser_ney, add_k, eval_ids, full_context=False) -> float:
    targets, context = scored_positions(len(eval_ids), full_context)
    p = probabilities(counts, order, kneser_ney, add_k, eval_ids, targets, context)
    return float(-np.log(p).mean())


def sums_to_one(counts, order, kneser_ney, add_k, eval_ids, rng, trials=5) -> bool:
    """Score every possible next id after random contexts: the probabilities must add up to 1."""
    for _ in range(trials):
        start = int(rng.integers(0, len(eval_ids) - order))
        context = eval_ids[start : start + order - 1]
        candidates = np.concatenate(
            [np.tile(context, (counts.V, 1)), np.arange(counts.V)[:, None]], axis=1
        )
        total = 0.0
        for row in candidates:
            p = probabilities(
                counts, order, kneser_ney, add_k, row, np.array([order - 1]), np.array([order - 1])
            )
            total += float(p[0])
        if abs(total - 1.0) > 1e-9:
            print(f"order {order}, {'Kneser-Ney' if kneser_ney else 'add-k'}: sums to {total}")
            return False
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-order", type=int, default=8)
    parser.add_argument("--k", type=float, default=0.03, help="add-k smoothing constant")
    parser.add_argument("--k-grid", action="store_true", help="search k on validation")
    parser.add_argument(
        "--full-context",
        action="store_true",
        help="score every target with all characters before it",
    )
    parser.add_argument(
        "--no-sum-check",
        action="store_true",
        help="skip the (slow) check that the probabilities sum to 1",
    )
    args = parser.parse_args(argv)

    splits = load_splits()
    vocab = CharVocab.from_text(splits.train)
    counts = Counts(vocab.encode(splits.train), vocab.size)
    val, test = (vocab.encode(s).astype(np.int64) for s in (splits.val, splits.test))

    if args.k_grid:
        print("validation nats of add-k by k (rows: order)")
        grid = (0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3, 1.0)
        print("order  " + "  ".join(f"{k:>6g}" for k in grid))
        for order in range(2, args.max_order + 1):
            row = [nats(counts, order, False, k, val, args.full_context) for k in grid]
            print(f"{order:5d}  " + "  ".join(f"{v:6.3f}" for v in row))
        return 0

    print(
        f"scored like bits_per_char ({'full context' if args.full_context else 'windows of 100'})"
        f", add-k with k = {args.k:g}; nats per character"
    )
    print(
        f"{'order':>5} {'add-k val':>10} {'add-k test':>10} {'KN val':>8} {'KN test':>8} "
        f"{'n-grams':>10} {'seconds':>8}"
    )
    ok, rng = True, np.random.default_rng(0)
    for order in range(1, args.max_order + 1):
        start = time.perf_counter()
        row = [
            nats(counts, order, kn, args.k, ids, args.full_context)
            for kn in (False, True)
            for ids in (val, test)
        ]
        seconds = time.perf_counter() - start
        stored = sum(len(keys) for keys, _ in counts.tables(order, False).values())
        print(
            f"{order:5d} {row[0]:10.4f} {row[1]:10.4f} {row[2]:8.4f} {row[3]:8.4f} "
            f"{stored:10,} {seconds:8.2f}"
        )
        if order in (3, 6) and not args.no_sum_check:
            ok &= all(sums_to_one(counts, order, kn, args.k, val, rng) for kn in (False, True))
    print("smoothed distributions sum to 1:", "not checked" if args.no_sum_check else ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
