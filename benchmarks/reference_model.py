"""The reference run of notebook 06: how good a character model gets in 30 minutes on a CPU.

Trains the stronger model of ``solutions/06_write_your_own_model.ipynb`` (same layers, same
data pipeline, same optimiser) on the tiny-shakespeare train split for a wall-clock budget,
logs the validation loss after every epoch with the elapsed time, and reports validation and
test loss in nats and bits per character (test scored by ``helpers.competition.bits_per_char``,
exactly as the leaderboard scores a submission), then samples from ``ROMEO:``.

The notebook decays the learning rate with a cosine over a planned number of steps. Here the
budget is wall-clock time on a shared machine, so the same cosine runs over *elapsed time*
(progress = seconds so far / budget): the schedule ends exactly when the budget does, however
fast the machine happens to be. Training stops at the budget; the best weights (by validation
loss) are kept.

Run (from the repository root; results are written down in benchmarks/README_05_reference_run.md):

    export TF_CPP_MIN_LOG_LEVEL=3 TF_ENABLE_ONEDNN_OPTS=0 COURSE_DATA_DIR=../shared/data
    nice -n 10 python benchmarks/reference_model.py --budget-min 30 --out build/reference

Options change the configuration for exploratory runs (``--help``); the defaults are the
reference configuration.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

PROMPT = "ROMEO:"


def build_model(vocab_size, embed_dim, units, layers, dropout, cell="gru"):
    """Embedding -> [GRU/LSTM -> Dropout] x layers -> Dense logits (cuDNN-eligible layers)."""
    import keras

    recurrent = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}[cell]
    model = keras.Sequential(name=f"{cell}_{layers}x{units}")
    model.add(keras.Input(shape=(None,), dtype="int32"))
    model.add(keras.layers.Embedding(vocab_size, embed_dim))
    for _ in range(layers):
        model.add(recurrent(units, return_sequences=True))
        model.add(keras.layers.Dropout(dropout))
    model.add(keras.layers.Dense(vocab_size))
    return model


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget-min", type=float, default=30.0, help="training wall-clock budget")
    parser.add_argument("--cell", choices=["gru", "lstm"], default="gru")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--units", type=int, default=384)
    parser.add_argument("--embed-dim", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.25)
    parser.add_argument("--seq-len", type=int, default=100)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--stride", type=int, default=1, help="characters between window starts")
    parser.add_argument("--lr", type=float, default=2e-3, help="peak learning rate")
    parser.add_argument("--final-lr-fraction", type=float, default=0.02)
    parser.add_argument("--warmup", type=float, default=0.02, help="fraction of the budget")
    parser.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")
    parser.add_argument("--clipnorm", type=float, default=1.0)
    parser.add_argument(
        "--epoch-chars",
        type=int,
        default=0,
        help="target characters per epoch (default: the train split's length)",
    )
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="budget in wall-clock minutes, or in CPU minutes of this process "
        "(for fair comparisons of exploratory runs on a shared machine)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path("build/reference"))
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import keras
    import numpy as np

    from helpers import CharVocab, char_dataset, generate, load_splits, set_seeds
    from helpers.competition import bits_per_char

    set_seeds(args.seed)
    started = time.monotonic()
    splits = load_splits("tinyshakespeare")
    vocab = CharVocab.from_text(splits.train)
    train = char_dataset(
        splits.train,
        vocab,
        args.seq_len,
        args.batch,
        stride=args.stride,
        shuffle=True,
        seed=args.seed,
    )
    val = char_dataset(
        splits.val, vocab, args.seq_len, args.batch, stride=args.seq_len, shuffle=False
    )
    epoch_chars = args.epoch_chars or len(splits.train)
    steps_per_epoch = max(1, epoch_chars // (args.batch * args.seq_len))
    model = build_model(
        vocab.size, args.embed_dim, args.units, args.layers, args.dropout, args.cell
    )
    model.compile(
        optimizer=keras.optimizers.Adam(args.lr, clipnorm=args.clipnorm or None),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    budget = args.budget_min * 60.0
    config = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    config.update(
        params=int(model.count_params()),
        steps_per_epoch=steps_per_epoch,
        vocab_size=vocab.size,
        train_chars=len(splits.train),
    )
    print(json.dumps(config), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)

    class TimeBudget(keras.callbacks.Callback):
        """Cosine learning rate over elapsed time; stop when the budget is spent."""

        def on_train_begin(self, logs=None):
            self.clock = time.process_time if args.clock == "cpu" else time.monotonic
            self.t0, self.wall0, self.cpu0 = self.clock(), time.monotonic(), time.process_time()
            self.rows = []

        def lr_at(self, progress):
            if args.schedule == "constant":
                return args.lr
            warm = min(1.0, progress / args.warmup) if args.warmup > 0 else 1.0
            floor = args.final_lr_fraction
            cosine = floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
            return args.lr * warm * cosine

        def on_train_batch_begin(self, batch, logs=None):
            progress = (self.clock() - self.t0) / budget
            self.model.optimizer.learning_rate.assign(self.lr_at(progress))
            if progress >= 1.0:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            minutes = (time.monotonic() - self.wall0) / 60
            cpu_minutes = (time.process_time() - self.cpu0) / 60
            row = {
                "epoch": epoch + 1,
                "minutes": round(minutes, 2),
                "cpu_minutes": round(cpu_minutes, 2),
                "loss": round(float(logs["loss"]), 4),
                "val_loss": round(float(logs["val_loss"]), 4),
                "val_bits": round(float(logs["val_loss"]) / math.log(2), 4),
                "lr": float(self.model.optimizer.learning_rate.numpy()),
            }
            self.rows.append(row)
            print(json.dumps(row), flush=True)

    timer = TimeBudget()
    callbacks = [
        timer,
        keras.callbacks.ModelCheckpoint(
            args.out / "best.keras", monitor="val_loss", save_best_only=True
        ),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=1000, restore_best_weights=True),
    ]
    fit_start = time.monotonic()
    model.fit(
        train,
        validation_data=val,
        epochs=100_000,
        steps_per_epoch=steps_per_epoch,
        callbacks=callbacks,
        verbose=0,
    )
    train_minutes = (time.monotonic() - fit_start) / 60

    val_score = bits_per_char(model, vocab, splits.val)
    test_score = bits_per_char(model, vocab, splits.test)
    samples = {}
    for temperature in (0.5, 1.0):
        samples[str(temperature)] = generate(
            model, vocab, PROMPT, length=600, temperature=temperature, seed=7
        )
    samples["greedy"] = generate(model, vocab, PROMPT, length=300, top_k=1)
    result = {
        "config": config,
        "epochs": timer.rows,
        "best_epoch": int(np.argmin([r["val_loss"] for r in timer.rows]) + 1),
        "train_minutes": round(train_minutes, 2),
        "total_minutes": round((time.monotonic() - started) / 60, 2),
        "val_nats": round(val_score.nats, 4),
        "val_bits": round(val_score.bits, 4),
        "test_nats": round(test_score.nats, 4),
        "test_bits": round(test_score.bits, 4),
        "test_perplexity": round(test_score.perplexity, 3),
        "samples": samples,
        "loadavg_end": open("/proc/loadavg").read().split()[:3],
    }
    (args.out / "result.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k not in ("epochs", "samples")}))
    for name, text in samples.items():
        print(f"--- sample ({name}) ---\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
