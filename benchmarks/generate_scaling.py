"""How the cost of ``helpers.generate`` grows with the number of generated characters.

A 1-layer GRU character model (Embedding 64 + GRU 512 + Dense), briefly trained on a slice
of the tiny-shakespeare train split so that its output is not uniform, generates 250, 500
and 1,000 characters (best of 3 each). The stateful path feeds one character per step, so
time per character should stay flat: cost linear in length. The same seed must give the
identical 1,000-character text (the script exits 1 if it does not). For comparison, the
window fallback (re-running the model on the last ``context`` characters at every step) is
timed on a few short lengths.

Run:  python benchmarks/generate_scaling.py
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

LENGTHS = (250, 500, 1000)
REPEATS = 3
FALLBACK_LENGTHS = (25, 50, 90)  # prompt + 90 < context=100: no truncation
TRAIN_CHARS = 200_000
TRAIN_STEPS = 40
PROMPT = "ROMEO:"


def best_time(fn, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    import keras
    import numpy as np
    import tensorflow as tf

    from helpers import CharVocab, char_dataset, generate, load_splits, sampling, set_seeds

    set_seeds(0)
    train = load_splits("tinyshakespeare").train
    vocab = CharVocab.from_text(train)
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(vocab.size, 64),
            keras.layers.GRU(512, return_sequences=True),
            keras.layers.Dense(vocab.size),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    ds = char_dataset(train[:TRAIN_CHARS], vocab, seq_len=100, batch_size=32, seed=0)
    start = time.perf_counter()
    history = model.fit(ds.take(TRAIN_STEPS), epochs=1, verbose=0, shuffle=False)
    train_seconds = time.perf_counter() - start
    loss = history.history["loss"][-1]
    uniform = float(np.log(vocab.size))

    versions = f"tensorflow {tf.__version__}, keras {keras.__version__}"
    print(f"python {sys.version.split()[0]}, {versions}")
    print(f"model: Embedding(64) + GRU(512) + Dense({vocab.size}), {model.count_params():,} params")
    print(
        f"trained {TRAIN_STEPS} steps (batch 32 x 100 chars) in {train_seconds:.1f} s: "
        f"loss {loss:.2f} nats (uniform would be {uniform:.2f})"
    )
    stepper = sampling._RecurrentStepper.try_build(model, vocab.size, False)
    print(f"stateful path used: {stepper is not None}")
    print()

    generate(model, vocab, PROMPT, 10, seed=0)  # warm-up: first-call costs of TF and Keras
    rows = []
    for length in LENGTHS:
        seconds, _ = best_time(lambda n=length: generate(model, vocab, PROMPT, n, seed=1), REPEATS)
        rows.append((length, seconds))

    slope, intercept = np.polyfit([n for n, _ in rows], [s for _, s in rows], 1)
    print(f"stateful path, best of {REPEATS}")
    print(f"{'chars':>7}{'seconds':>10}{'ms/char':>10}")
    for length, seconds in rows:
        print(f"{length:>7}{seconds:>10.3f}{1000 * seconds / length:>10.2f}")
    print(
        f"least-squares fit: {1000 * slope:.2f} ms per character + {1000 * intercept:.0f} ms "
        "per call (building the stepper and feeding the prompt)"
    )
    print(f"time(1000) / time(250) = {rows[-1][1] / rows[0][1]:.2f} (4.00 is exactly linear)")
    print()

    first = generate(model, vocab, PROMPT, 1000, seed=123)
    second = generate(model, vocab, PROMPT, 1000, seed=123)
    other = generate(model, vocab, PROMPT, 1000, seed=124)
    identical = first == second
    print(f"same seed (123) twice, 1,000 chars: {'identical' if identical else 'DIFFERENT'}")
    print(f"seed 124 differs from seed 123: {other != first}")
    print(f"sample (seed 123): {first[:160]!r}")
    print()

    original = sampling._RecurrentStepper.try_build
    sampling._RecurrentStepper.try_build = classmethod(lambda *args: None)
    try:
        generate(model, vocab, PROMPT, 5, seed=0)  # warm-up of the fallback path
        print("window fallback (context=100), one run each")
        print(f"{'chars':>7}{'seconds':>10}{'ms/char':>10}")
        fallback = []
        for length in FALLBACK_LENGTHS:
            seconds, text = best_time(lambda n=length: generate(model, vocab, PROMPT, n, seed=1), 1)
            fallback.append((length, seconds, text))
            print(f"{length:>7}{seconds:>10.3f}{1000 * seconds / length:>10.2f}")
    finally:
        sampling._RecurrentStepper.try_build = original
    same_text = generate(model, vocab, PROMPT, FALLBACK_LENGTHS[-1], seed=1) == fallback[-1][2]
    print(
        f"fallback text equals the stateful text for the same seed "
        f"({FALLBACK_LENGTHS[-1]} chars, prompt + generated <= context): {same_text}"
    )
    per_char_fallback = fallback[-1][1] / fallback[-1][0]
    print(f"fallback / stateful time per character: {per_char_fallback / slope:.0f}x")
    print()
    print("PASS" if identical else "FAIL: the same seed gave different texts")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
