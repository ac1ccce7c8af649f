"""Peak memory of the training pipeline for the full tiny-shakespeare train split.

Builds ``char_dataset(train, vocab, seq_len=100, batch_size=64, one_hot=True, shuffle=True)``
and iterates 200 batches. Measures how much the process's resident-set high-water mark
(VmHWM) rises above the resident memory it had after importing TensorFlow and loading the
text, so the number isolates the dataset. The bound is 200 MB; materialising every one-hot
window instead would take about 29 GB (printed for contrast).

Run:  python benchmarks/dataset_memory.py          (exits 1 if the 200 MB bound fails)
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

SEQ_LEN = 100
BATCH = 64
BATCHES = 200
BOUND_MB = 200.0


def _status_mb(field: str) -> float:
    """Read a VmRSS/VmHWM line of /proc/self/status, in MB (10^6 bytes)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"{field} not found in /proc/self/status")


def _reset_high_water_mark() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); return False if not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def main() -> int:
    import keras
    import tensorflow as tf

    from helpers import CharVocab, char_dataset, load_splits
    from helpers.windows import count_windows

    train = load_splits("tinyshakespeare").train
    vocab = CharVocab.from_text(train)
    tf.constant(0)  # make sure the TF runtime is up before the baseline

    reset = _reset_high_water_mark()
    baseline = _status_mb("VmRSS")
    hwm_before = _status_mb("VmHWM")

    start = time.perf_counter()
    ds = char_dataset(train, vocab, SEQ_LEN, BATCH, one_hot=True, shuffle=True, seed=0)
    built = time.perf_counter() - start
    shapes = None
    for x, y in ds.take(BATCHES):
        shapes = (tuple(x.shape), tuple(y.shape))
    iterated = time.perf_counter() - start - built

    peak = _status_mb("VmHWM")
    rise = peak - (baseline if reset else hwm_before)
    windows = count_windows(len(train), SEQ_LEN)
    materialised_gb = windows * SEQ_LEN * vocab.size * 4 / 1e9
    corpus_windows = count_windows(1_115_394, SEQ_LEN)
    corpus_gb = corpus_windows * SEQ_LEN * vocab.size * 4 / 1e9

    versions = f"tensorflow {tf.__version__}, keras {keras.__version__}"
    print(f"python {sys.version.split()[0]}, {versions}")
    print(f"train split: {len(train):,} characters, vocab.size={vocab.size}")
    print(f"batches: {BATCHES} x {shapes[0]} float32 inputs, {shapes[1]} int32 targets")
    print(f"high-water mark reset via /proc/self/clear_refs: {'yes' if reset else 'no'}")
    print()
    print(f"{'quantity':<58}{'value':>14}")
    print("-" * 72)
    rows = [
        ("RSS after TF import + text load (baseline)", f"{baseline:,.1f} MB"),
        ("peak RSS while building + iterating (VmHWM)", f"{peak:,.1f} MB"),
        ("rise of the peak over the baseline", f"{rise:,.1f} MB"),
        ("bound", f"{BOUND_MB:,.0f} MB"),
        ("time to build the dataset", f"{built:,.2f} s"),
        (f"time to iterate {BATCHES} batches", f"{iterated:,.2f} s"),
        (f"materialising all {windows:,} train windows (one-hot)", f"{materialised_gb:,.1f} GB"),
        (f"materialising all {corpus_windows:,} corpus windows", f"{corpus_gb:,.1f} GB"),
    ]
    for name, value in rows:
        print(f"{name:<58}{value:>14}")
    ok = rise < BOUND_MB
    print()
    print(f"{'PASS' if ok else 'FAIL'}: peak rose by {rise:.1f} MB (bound {BOUND_MB:.0f} MB).")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
