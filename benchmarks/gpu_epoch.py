"""How long one full-mode epoch of the competition model takes, and whether it fits its budget.

The model is the pack's baseline, ``helpers.models.char_model`` (Embedding 64 -> GRU 512 ->
Dense), trained for one epoch on the whole tiny-shakespeare train split in non-overlapping
windows of 100 characters, batch 64 (156 steps), as notebook 05 does in full mode.

On a GPU the epoch must finish within ``GPU_BUDGET_S`` (a T4 with cuDNN takes a few seconds;
the budget is generous, and is there to catch a model that silently fell off the cuDNN path,
which is roughly ten times slower). On a CPU the time is only reported.

    python benchmarks/gpu_epoch.py          # exit 1 if a GPU epoch is over budget
"""

from __future__ import annotations

import sys
import time

import keras
import tensorflow as tf

from helpers import CharVocab, char_dataset, load_splits, set_seeds
from helpers.models import char_model, cudnn_blockers

GPU_BUDGET_S = 60.0
SEQ_LEN, BATCH = 100, 64


def main() -> int:
    set_seeds(0)
    train = load_splits().train
    vocab = CharVocab.from_text(train)
    data = char_dataset(train, vocab, SEQ_LEN, BATCH, stride=SEQ_LEN)
    model = char_model(vocab.size)
    blockers = [
        b
        for layer in model.layers
        if isinstance(layer, keras.layers.RNN)
        for b in cudnn_blockers(layer)
    ]
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(data.take(3), epochs=1, verbose=0)  # build and trace outside the timing

    start = time.perf_counter()
    history = model.fit(data, epochs=1, verbose=0)
    seconds = time.perf_counter() - start

    gpus = tf.config.list_physical_devices("GPU")
    device = gpus[0].name if gpus else "CPU"
    print(f"device                 {device}")
    print(f"TensorFlow / Keras     {tf.__version__} / {keras.__version__}")
    print(f"cuDNN blockers         {blockers or 'none'}")
    print(f"one epoch              {seconds:.1f} s (loss {history.history['loss'][0]:.3f})")
    if not gpus:
        print("no GPU: the budget applies to GPUs only; this number is for comparison.")
        return 0
    verdict = "PASS" if seconds <= GPU_BUDGET_S else "FAIL"
    print(f"budget                 {GPU_BUDGET_S:.0f} s on a GPU: {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
