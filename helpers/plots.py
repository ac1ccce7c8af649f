"""Plots the notebooks share: the learning curve of a character model, in nats and bits.

Keras reports the cross-entropy in **nats** (natural logarithm). A character model is
usually judged in **bits per character** (log base 2), the competition's score. One
nat is ``1 / ln 2 = 1.4427`` bits, so the two are the same curve on two scales;
:func:`plot_learning_curve` draws nats on the left axis and bits on the right.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

NATS_TO_BITS = 1 / math.log(2)
"""Multiply a loss in nats by this to get bits."""
BITS_LABEL = "bits per character"


def _losses(history) -> dict[str, list[float]]:
    """Return ``history.history`` (a ``keras.callbacks.History``) or the mapping itself."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(
            f"history must be a keras.callbacks.History or a dict of lists, got "
            f"{type(history).__name__}; pass what model.fit returned."
        )
    return {key: list(values) for key, values in logs.items()}


def best_epoch(history, key: str = "val_loss") -> tuple[int, float]:
    """Return ``(epoch, loss)`` of the lowest ``key`` in a history; epochs count from 1.

    Args:
        history: what ``model.fit`` returned, or a dict such as ``{"val_loss": [2.1, 1.9]}``.
        key: the logged quantity to minimise.

    Raises:
        KeyError: ``key`` was not logged (e.g. ``val_loss`` without ``validation_data``).
        ValueError: ``key`` holds no values.
    """
    logs = _losses(history)
    if key not in logs:
        raise KeyError(
            f"key={key!r} is not in the history (it holds {sorted(logs)}); "
            "pass validation_data to fit() to log val_loss."
        )
    values = logs[key]
    if not values:
        raise ValueError(f"history[{key!r}] is empty; train for at least one epoch.")
    index = min(range(len(values)), key=values.__getitem__)
    return index + 1, float(values[index])


def plot_learning_curve(
    history,
    ax=None,
    label: str = "",
    title: str | None = None,
    reference: Mapping[str, float] | None = None,
):
    """Plot training and validation loss per epoch, nats on the left axis, bits on the right.

    The best validation epoch is marked. Call it again with the same ``ax`` and
    another ``label`` to compare two models on one figure.

    Args:
        history: what ``model.fit`` returned, or a dict with ``"loss"`` (and optionally
            ``"val_loss"``) lists of per-epoch losses in nats, each of length ``epochs``.
        ax: matplotlib axes to draw into; a new figure when None.
        label: prefix for the legend entries (e.g. the model's name).
        title: figure title; by default it states the best validation loss in nats and bits.
        reference: horizontal reference lines, ``{"name": loss_in_nats}``
            (e.g. the uniform guess ``ln(vocab.size)``).

    Returns:
        The matplotlib ``Axes`` (nats); the bits axis is its secondary y-axis.

    Raises:
        KeyError: the history has no ``"loss"``.
        ValueError: the losses are empty, or ``val_loss`` has another length than ``loss``.

    Example:
        >>> history = model.fit(train, validation_data=val, epochs=20)
        >>> plot_learning_curve(history, label="GRU 512")
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    logs = _losses(history)
    if "loss" not in logs:
        raise KeyError(f"history has no 'loss' (it holds {sorted(logs)}); pass model.fit's result.")
    train = logs["loss"]
    if not train:
        raise ValueError("history['loss'] is empty; train for at least one epoch.")
    val = logs.get("val_loss")
    if val is not None and len(val) != len(train):
        raise ValueError(
            f"history has {len(train)} training losses but {len(val)} validation losses; "
            "they must have one value per epoch each."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    epochs = list(range(1, len(train) + 1))
    prefix = f"{label}: " if label else ""
    (line,) = ax.plot(epochs, train, linestyle="--", label=f"{prefix}training")
    if val is not None:
        ax.plot(
            epochs,
            val,
            color=line.get_color(),
            marker="o",
            markersize=3,
            label=f"{prefix}validation",
        )
        epoch, loss = best_epoch(logs)
        ax.plot(
            [epoch],
            [loss],
            marker="*",
            markersize=14,
            color=line.get_color(),
            linestyle="none",
            label=f"{prefix}best: {loss:.3f} nats, epoch {epoch}",
        )
        if title is None:
            title = (
                f"Best validation loss {loss:.3f} nats = {loss * NATS_TO_BITS:.3f} "
                f"bits/char (epoch {epoch})"
            )
    for name, value in (reference or {}).items():
        ax.axhline(value, color="grey", linewidth=1, linestyle=":")
        ax.annotate(
            f"{name}: {value:.2f} nats",
            (1, value),
            xytext=(2, 3),
            textcoords="offset points",
            fontsize=8,
            color="grey",
        )
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("cross-entropy (nats per character)")
    if bits_axis(ax) is None:
        bits = ax.secondary_yaxis(
            "right", functions=(lambda n: n * NATS_TO_BITS, lambda b: b / NATS_TO_BITS)
        )
        bits.set_ylabel(BITS_LABEL)
    if title is not None:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


def bits_axis(ax):
    """Return the bits-per-character axis :func:`plot_learning_curve` added to ``ax`` (or None)."""
    return next((c for c in ax.child_axes if c.get_ylabel() == BITS_LABEL), None)


def loss_table(rows: Sequence[tuple[str, float]]) -> str:
    """Format ``(name, nats)`` pairs as a table of nats, bits per character and perplexity.

    Example:
        >>> print(loss_table([("uniform guess", math.log(66))]))
        model            nats   bits  perplexity
        uniform guess   4.190  6.044       66.00
    """
    if not rows:
        raise ValueError("rows is empty; pass (name, loss in nats) pairs.")
    width = max(len("model"), *(len(name) for name, _ in rows))
    lines = [f"{'model':<{width}}  {'nats':>6} {'bits':>6}  {'perplexity':>10}"]
    for name, nats in rows:
        if not math.isfinite(nats) or nats < 0:
            raise ValueError(f"the loss of {name!r} is {nats}; a cross-entropy is finite and >= 0.")
        lines.append(
            f"{name:<{width}}  {nats:6.3f} {nats * NATS_TO_BITS:6.3f}  {math.exp(nats):10.2f}"
        )
    return "\n".join(lines)
