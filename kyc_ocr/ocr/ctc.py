"""How well a CTC recogniser's output supports a given text: forced alignment against best path.

A greedy CTC read keeps only the most likely class per frame. When two documents
disagree on a value (the application form reads ``Z09A229SH``, the passport's
MRZ says ``Z09A2293H``), the question a reviewer asks is not "what is the best
reading of the form" but "could the form say ``Z09A2293H``?". :func:`text_cost`
answers it from the recogniser's frame probabilities: the log-probability of the
best path minus that of the best alignment that spells the hypothesis (Viterbi
over the CTC state graph). 0 means the hypothesis *is* the best reading; a blurred
``3`` the model put at 30% against 60% for ``S`` costs ``ln 2 ≈ 0.7``; a crisp
wrong digit costs 10 or more.

>>> import numpy as np
>>> charset = ["", "A", "B", "3", "S"]
>>> frames = np.log(np.array([          # frames: A, blank, 3-or-S, blank
...     [0.01, 0.97, 0.01, 0.005, 0.005],
...     [0.97, 0.01, 0.01, 0.005, 0.005],
...     [0.02, 0.01, 0.01, 0.32, 0.64],
...     [0.97, 0.01, 0.01, 0.005, 0.005]]))
>>> greedy_text(frames, charset)
'AS'
>>> round(text_cost(frames, "AS", charset), 3), round(text_cost(frames, "A3", charset), 3)
(0.0, 0.693)
>>> text_cost(frames, "AB", charset) > 3.0
True
>>> text_cost(frames, "AX", charset)  # a character the model cannot output
inf
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NEG_INF = -np.inf


def greedy_text(logp: np.ndarray, charset: Sequence[str]) -> str:
    """Best-path decoding of one line's ``(T, C)`` log-probabilities (class 0 is the blank)."""
    best = logp.argmax(axis=1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    return "".join(charset[c] for c in best[keep & (best != 0)])


def alignment_logp(logp: np.ndarray, labels: Sequence[int]) -> float:
    """Log-probability of the best CTC alignment of ``labels`` (class indices, no blanks) to the frames."""
    frames = logp.shape[0]
    ext = np.zeros(2 * len(labels) + 1, dtype=np.int64)
    ext[1::2] = labels
    states = len(ext)
    if states > 2 * frames + 1:
        return float(NEG_INF)
    # a state may skip the blank before it unless it repeats the label two states back
    skip = np.zeros(states, dtype=bool)
    skip[3::2] = ext[3::2] != ext[1:-2:2]
    alpha = np.full(states, NEG_INF)
    alpha[0] = logp[0, ext[0]]
    if states > 1:
        alpha[1] = logp[0, ext[1]]
    for t in range(1, frames):
        stay = alpha
        step = np.concatenate(([NEG_INF], alpha[:-1]))
        jump = np.where(skip, np.concatenate(([NEG_INF, NEG_INF], alpha[:-2])), NEG_INF)
        alpha = np.maximum(np.maximum(stay, step), jump) + logp[t, ext]
    end = alpha[-1] if states == 1 else max(alpha[-1], alpha[-2])
    return float(end)


def text_cost(logp: np.ndarray, text: str, charset: Sequence[str]) -> float:
    """Best-path log-probability minus the best alignment's for ``text`` (>= 0; ``inf`` if unspellable)."""
    index = {ch: i for i, ch in enumerate(charset) if i}
    try:
        labels = [index[ch] for ch in text]
    except KeyError:
        return float("inf")
    best = float(logp.max(axis=1).sum())
    return max(0.0, best - alignment_logp(logp, labels))


__all__ = ["alignment_logp", "greedy_text", "text_cost"]
