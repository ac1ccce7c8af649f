"""Linear autoregressive baselines for notebook 03's El Nino forecast (least squares, NumPy).

Notebook 03 fits AR(24) on its own windows (section 3, a checked cell); this script adds the
validation split and shorter autoregressions, AR(p) on the last p months of the same 24-month
windows, to show where the skill comes from. Same data, split and standardisation as the notebook:
train 1950-1984, validation 1985-1996, test 1997-2010, z-scores with the training mean and std,
RMSE reported in deg C.

Run from the repository root::

    export COURSE_DATA_DIR=../shared/data
    python benchmarks/linear_ar_elnino.py

It exits non-zero if AR(24) does not beat the naive last-value forecast on the test years.
"""

from __future__ import annotations

import sys

import numpy as np

from helpers.data import load_elnino

WINDOW = 24


def windows(series: np.ndarray, width: int = WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """(past `width` values, next value) pairs: x (n, width), y (n,)."""
    x = np.lib.stride_tricks.sliding_window_view(series[:-1], width)
    return x, series[width:]


def main() -> int:
    table_years, table = load_elnino()
    sst = table.ravel().astype(np.float64)
    years = np.repeat(table_years, 12)
    val_start, test_start = int(np.searchsorted(years, 1985)), int(np.searchsorted(years, 1997))
    mean, std = sst[:val_start].mean(), sst[:val_start].std()
    z = (sst - mean) / std
    splits = {
        "train": windows(z[:val_start]),
        "validation": windows(z[val_start - WINDOW : test_start]),
        "test": windows(z[test_start - WINDOW :]),
    }
    print("windows: " + ", ".join(f"{name} {len(y)}" for name, (_, y) in splits.items()))

    def rmse(predict, name):
        x, y = splits[name]
        return float(np.sqrt(np.mean((predict(x) - y) ** 2)) * std)

    print(
        f"{'model':18s} {'parameters':>10s} {'train':>7s} {'val':>7s} {'test':>7s}  (RMSE, deg C)"
    )
    naive = [rmse(lambda x: x[:, -1], name) for name in splits]
    print(f"{'naive (last value)':18s} {0:10d} " + " ".join(f"{v:7.3f}" for v in naive))
    results = {}
    for p in (1, 2, 3, 6, 12, 13, 24):
        x, y = splits["train"]
        design = np.column_stack([x[:, -p:], np.ones(len(x))])
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)

        def predict(x, coef=coef, p=p):
            return x[:, -p:] @ coef[:-1] + coef[-1]

        results[p] = [rmse(predict, name) for name in splits]
        print(f"{f'linear AR({p})':18s} {p + 1:10d} " + " ".join(f"{v:7.3f}" for v in results[p]))
    beats = results[WINDOW][2] < naive[2]
    print(f"AR({WINDOW}) beats the naive forecast on the test years: {beats}")
    return 0 if beats else 1


if __name__ == "__main__":
    sys.exit(main())
