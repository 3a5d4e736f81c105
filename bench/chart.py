"""A picture of the checks: each ratio as a bar, its target as a mark across it."""

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display on a server

import matplotlib.pyplot as plt

from bench.targets import Check

COLOURS = {True: "#2e7d32", False: "#c62828", None: "#9e9e9e"}


def write(checks: Sequence[Check], path: Path, title: str) -> None:
    height = 0.9 + 0.32 * len(checks)
    figure, axes = plt.subplots(figsize=(9, height))
    rows = range(len(checks))[::-1]
    axes.barh(
        list(rows),
        [c.value for c in checks],
        color=[COLOURS[c.passed] for c in checks],
        height=0.6,
    )
    for row, check in zip(rows, checks, strict=True):
        if check.target is not None:
            axes.plot([check.target] * 2, [row - 0.4, row + 0.4], color="black", linewidth=2)
        axes.text(check.value, row, f" {check.value:.2f}", va="center", fontsize=8)
    axes.set_yticks(list(rows), [c.label for c in checks], fontsize=8)
    axes.axvline(1.0, color="#bdbdbd", linewidth=0.8, zorder=0)
    axes.set_xlabel("ratio (black mark: target; green passes, red fails, grey has no target)")
    axes.set_title(title, fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
