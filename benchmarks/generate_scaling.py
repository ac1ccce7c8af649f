"""How fast ``helpers.generate`` writes text, against a compiled loop on the same model.

A 1-layer GRU character model (Embedding 64 + GRU 512 + Dense), briefly trained on a slice
of the tiny-shakespeare train split so that its output is not uniform, generates 250, 500
and 1,000 characters (best of 5, the paths interleaved) on four paths:

- ``generate`` (the stateful path: prompt, draws and feedback in one compiled graph);
- a reference: the whole sampling loop written directly as one ``tf.function`` (the GRU
  cell, ``tf.random.stateless_categorical``), the fastest plain TensorFlow gets here;
- ``generate(..., n_samples=3)``: three candidates in one batched pass;
- for a few short lengths, the textbook pattern of re-running the model on the whole prefix
  at every step, and the window fallback ``generate`` uses for models it cannot step.

The script exits 1 unless: the stateful path takes at most 1.5x the compiled loop's time
for 1,000 characters, three samples take less than 1.5x one sample, the same seed gives the
identical 1,000-character text, sample i of ``n_samples=3, seed=10`` equals
``generate(..., seed=10 + i)``, and the fallback writes the same text as the stateful path.

Run:  python benchmarks/generate_scaling.py
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

LENGTHS = (250, 500, 1000)
REPEATS = 5
PREFIX_LENGTH = 30  # re-running the whole prefix is quadratic: only a short text
FALLBACK_LENGTH = 60  # prompt + 60 < context=100: no truncation
TRAIN_CHARS = 200_000
TRAIN_STEPS = 40
PROMPT = "ROMEO:"
MAX_SLOWDOWN = 1.5  # stateful path / compiled loop, and 3 samples / 1 sample


def best_time(fn, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def build_model():
    """The trained benchmark model, its vocabulary and a one-line description."""
    import keras
    import numpy as np

    from helpers import CharVocab, char_dataset, load_splits, set_seeds

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
    about = (
        f"model: Embedding(64) + GRU(512) + Dense({vocab.size}), {model.count_params():,} params; "
        f"trained {TRAIN_STEPS} steps (batch 32 x 100 chars) in "
        f"{time.perf_counter() - start:.1f} s: loss {history.history['loss'][-1]:.2f} nats "
        f"(uniform would be {np.log(vocab.size):.2f})"
    )
    return model, vocab, about


def compiled_loop(model, vocab):
    """The reference: ``write(n, seed)`` runs the whole loop in one ``tf.function``."""
    import tensorflow as tf

    from helpers.vocab import UNKNOWN_ID

    embedding, gru, dense = model.layers
    forbidden = tf.one_hot(UNKNOWN_ID, vocab.size, on_value=True, off_value=False)
    signature = [tf.TensorSpec([None], tf.int32)] + [tf.TensorSpec([], tf.int32)] * 2

    @tf.function(input_signature=signature)
    def run(prompt, n, seed):
        state = tf.zeros([1, gru.units])
        h = state
        for t in tf.range(tf.shape(prompt)[0]):
            h, (state,) = gru.cell(embedding(prompt[t][None]), [state])
        ids = tf.TensorArray(tf.int32, size=n)
        for i in tf.range(n):
            logits = tf.where(forbidden, -1e9, dense(h))
            next_id = tf.cast(tf.random.stateless_categorical(logits, 1, [seed, i])[:, 0], tf.int32)
            ids = ids.write(i, next_id[0])
            h, (state,) = gru.cell(embedding(next_id), [state])
        return ids.stack()

    prompt = vocab.encode(PROMPT)
    return lambda n, seed: PROMPT + vocab.decode(run(prompt, n, seed).numpy())


def rerun_prefix(model, vocab, n: int, seed: int) -> str:
    """The textbook loop: run the model on the whole text so far for every character."""
    import numpy as np

    from helpers import sample_next
    from helpers.vocab import UNKNOWN_ID

    rng, ids = np.random.default_rng(seed), list(vocab.encode(PROMPT))
    for _ in range(n):
        logits = np.array(model(np.array([ids], np.int32), training=False))[0, -1]
        logits[UNKNOWN_ID] = -np.inf
        ids.append(sample_next(logits, rng=rng))
    return vocab.decode(np.array(ids, np.int32))


def time_paths(paths: dict) -> dict[str, dict[int, float]]:
    """Best-of-REPEATS seconds per path and length, the paths interleaved (on a shared
    machine a burst of load then hits all of them, not one); prints a table."""
    for write in paths.values():
        write(10)  # warm-up: tracing and first-call costs
    best = {label: dict.fromkeys(LENGTHS, float("inf")) for label in paths}
    for _ in range(REPEATS):
        for n in LENGTHS:
            for label, write in paths.items():
                start = time.perf_counter()
                write(n)
                best[label][n] = min(best[label][n], time.perf_counter() - start)
    print(f"best of {REPEATS}, seconds (characters per second)")
    print(f"{'chars':>7}" + "".join(f"{label:>26}" for label in paths))
    for n in LENGTHS:
        cells = [f"{best[label][n]:.3f} ({n / best[label][n]:,.0f})" for label in paths]
        print(f"{n:>7}" + "".join(f"{cell:>26}" for cell in cells))
    return best


def main() -> int:
    import keras
    import numpy as np
    import tensorflow as tf

    from helpers import generate, sampling

    model, vocab, about = build_model()
    print(
        f"python {sys.version.split()[0]}, tensorflow {tf.__version__}, keras {keras.__version__}"
    )
    print(about)
    stepper = sampling.RecurrentStepper.try_build(model, vocab.size, False)
    print(f"stateful path used: {stepper is not None}")
    print()

    write_reference = compiled_loop(model, vocab)
    timed = time_paths(
        {
            "generate": lambda n: generate(model, vocab, PROMPT, n, seed=1),
            "compiled loop": lambda n: write_reference(n, 1),
            "generate, n_samples=3": lambda n: generate(
                model, vocab, PROMPT, n, seed=1, n_samples=3
            ),
        }
    )
    ours, reference, batched = timed.values()
    slope, intercept = np.polyfit(list(ours), list(ours.values()), 1)
    print(
        f"generate, least-squares fit: {1000 * slope:.3f} ms per character + "
        f"{1000 * intercept:.0f} ms per call; time(1000) / time(250) = "
        f"{ours[1000] / ours[250]:.2f} (4.00 is linear)"
    )
    slowdown = ours[1000] / reference[1000]
    batch_cost = batched[1000] / ours[1000]
    print(f"stateful / compiled loop, 1,000 chars: {slowdown:.2f}x (at most {MAX_SLOWDOWN}x)")
    print(f"3 samples / 1 sample, 1,000 chars: {batch_cost:.2f}x (below {MAX_SLOWDOWN}x)")
    print()

    first = generate(model, vocab, PROMPT, 1000, seed=123)
    identical = first == generate(model, vocab, PROMPT, 1000, seed=123)
    other = generate(model, vocab, PROMPT, 1000, seed=124)
    trio = generate(model, vocab, PROMPT, 300, temperature=0.5, seed=10, n_samples=3)
    singles = [generate(model, vocab, PROMPT, 300, temperature=0.5, seed=s) for s in (10, 11, 12)]
    print(f"same seed (123) twice, 1,000 chars: {'identical' if identical else 'DIFFERENT'}")
    print(f"seed 124 differs from seed 123: {other != first}")
    print(f"n_samples=3, seed=10 equals seeds 10, 11, 12 one at a time: {trio == singles}")
    print(f"sample (seed 123): {first[:160]!r}")
    print()

    seconds, _ = best_time(lambda: rerun_prefix(model, vocab, PREFIX_LENGTH, 1), 1)
    print(
        f"re-running the whole prefix (textbook loop), {PREFIX_LENGTH} chars: {seconds:.2f} s, "
        f"{PREFIX_LENGTH / seconds:.1f} chars/s"
    )
    original = sampling.RecurrentStepper.try_build
    sampling.RecurrentStepper.try_build = classmethod(lambda *args: None)
    try:
        generate(model, vocab, PROMPT, 3, seed=0)  # warm-up of the fallback path
        fallback = {}
        for k in (None, 3):
            fallback[k] = best_time(
                lambda k=k: generate(model, vocab, PROMPT, FALLBACK_LENGTH, seed=1, n_samples=k), 1
            )
            print(
                f"window fallback (context=100), {FALLBACK_LENGTH} chars, n_samples={k}: "
                f"{fallback[k][0]:.2f} s, {FALLBACK_LENGTH / fallback[k][0]:.1f} chars/s"
            )
    finally:
        sampling.RecurrentStepper.try_build = original
    stateful_text = generate(model, vocab, PROMPT, FALLBACK_LENGTH, seed=1, n_samples=3)
    same_text = fallback[3][1] == stateful_text and fallback[None][1] == stateful_text[0]
    print(f"fallback texts equal the stateful texts for the same seeds: {same_text}")
    print()

    checks = {
        f"stateful path within {MAX_SLOWDOWN}x of the compiled loop": slowdown <= MAX_SLOWDOWN,
        f"n_samples=3 below {MAX_SLOWDOWN}x of one sample": batch_cost < MAX_SLOWDOWN,
        "same seed, same text": identical and other != first,
        "batched samples equal single samples": trio == singles,
        "fallback equals stateful path": same_text,
    }
    failed = [name for name, ok in checks.items() if not ok]
    print("PASS" if not failed else f"FAIL: {'; '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
