"""The learning-curve plot and the loss table: nats and bits agree, the best epoch is found."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from helpers.plots import BITS_LABEL, best_epoch, bits_axis, loss_table, plot_learning_curve

HISTORY = {"loss": [2.5, 1.9, 1.6, 1.4, 1.3], "val_loss": [2.2, 1.8, 1.55, 1.6, 1.7]}


class FakeHistory:
    """What model.fit returns, as far as the plot cares: a .history dict."""

    def __init__(self, logs):
        self.history = logs


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_best_epoch_is_the_lowest_validation_loss_counted_from_one():
    assert best_epoch(HISTORY) == (3, 1.55)
    assert best_epoch(FakeHistory(HISTORY), key="loss") == (5, 1.3)


def test_best_epoch_names_the_missing_key_and_refuses_an_empty_history():
    with pytest.raises(KeyError, match="validation_data"):
        best_epoch({"loss": [1.0]})
    with pytest.raises(ValueError, match="empty"):
        best_epoch({"val_loss": []})
    with pytest.raises(TypeError, match="History"):
        best_epoch([1.0, 2.0])


def test_plot_draws_both_curves_marks_the_best_epoch_and_titles_it_in_nats_and_bits():
    ax = plot_learning_curve(FakeHistory(HISTORY), label="GRU")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines["GRU: training"].get_ydata()) == HISTORY["loss"]
    assert list(lines["GRU: validation"].get_ydata()) == HISTORY["val_loss"]
    assert list(lines["GRU: validation"].get_xdata()) == [1, 2, 3, 4, 5]
    best = lines["GRU: best: 1.550 nats, epoch 3"]
    assert (list(best.get_xdata()), list(best.get_ydata())) == ([3], [1.55])
    assert "1.550 nats" in ax.get_title() and f"{1.55 / math.log(2):.3f} bits" in ax.get_title()


def test_bits_axis_converts_nats_to_bits_and_is_added_once_per_axes():
    ax = plot_learning_curve(HISTORY)
    plot_learning_curve({"loss": [3.0, 2.0], "val_loss": [2.9, 2.1]}, ax=ax, label="second")
    bits = [child for child in ax.child_axes if child.get_ylabel() == BITS_LABEL]
    assert len(bits) == 1 and bits_axis(ax) is bits[0]
    ax.figure.canvas.draw()
    low, high = ax.get_ylim()
    assert bits[0].get_ylim() == pytest.approx((low / math.log(2), high / math.log(2)))
    assert bits_axis(plt.subplots()[1]) is None


def test_plot_without_validation_draws_only_training_and_keeps_a_given_title():
    ax = plot_learning_curve({"loss": [2.0, 1.5]}, title="training only")
    assert [line.get_label() for line in ax.get_lines()] == ["training"]
    assert ax.get_title() == "training only"


def test_plot_draws_reference_lines_at_their_loss():
    ax = plot_learning_curve(HISTORY, reference={"uniform guess": math.log(66)})
    flat = [line for line in ax.get_lines() if list(line.get_ydata()) == [math.log(66)] * 2]
    assert len(flat) == 1


def test_plot_refuses_histories_it_cannot_draw():
    with pytest.raises(KeyError, match="loss"):
        plot_learning_curve({"val_loss": [1.0]})
    with pytest.raises(ValueError, match="empty"):
        plot_learning_curve({"loss": []})
    with pytest.raises(ValueError, match="one value per epoch"):
        plot_learning_curve({"loss": [2.0, 1.0], "val_loss": [1.5]})


def test_loss_table_gives_bits_and_perplexity_of_each_loss():
    table = loss_table([("uniform guess", math.log(66)), ("perfect", 0.0)])
    header, uniform, perfect = table.splitlines()
    assert header.split() == ["model", "nats", "bits", "perplexity"]
    assert uniform.split()[-3:] == ["4.190", f"{math.log2(66):.3f}", "66.00"]
    assert perfect.split()[-3:] == ["0.000", "0.000", "1.00"]


def test_loss_table_refuses_negative_or_missing_losses():
    with pytest.raises(ValueError, match="finite and >= 0"):
        loss_table([("broken", float("nan"))])
    with pytest.raises(ValueError, match="finite and >= 0"):
        loss_table([("negative", -0.1)])
    with pytest.raises(ValueError, match="empty"):
        loss_table([])
