"""Undo motion blur: estimate the blur from the cepstrum, then Wiener-deconvolve.

A phone photo taken with a shaking hand is smeared along one direction. In the
image's *cepstrum* (the inverse Fourier transform of the log spectrum) a
straight smear of ``L`` pixels at angle ``a`` leaves a negative peak ``L``
pixels from the centre in direction ``a`` (Gennery 1973; Rom 1975), so the few
most negative points of the cepstrum are the likely blurs. Each guess is then
undone by Wiener deconvolution with that straight-line kernel.

Used where a blurred page loses everything, not merely a few characters: a
PDF417 barcode whose modules have run together decodes not at all (see
:func:`kyc_ocr.extract.barcode.decode_pdf417`).

>>> import numpy as np, cv2
>>> sharp = (np.random.default_rng(0).random((120, 160)) > 0.5).astype(np.float32) * 255
>>> blurred = cv2.filter2D(sharp, -1, line_kernel(9, 100), borderType=cv2.BORDER_REFLECT)
>>> motion_estimates(blurred)[0]
(9, 100)
>>> err = lambda img: round(float(np.abs(img.astype(np.float32) - sharp).mean()))
>>> err(blurred), err(deconvolve(blurred, 9, 100))
(112, 73)
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

MIN_LENGTH, MAX_LENGTH = 4, 14  # pixels of smear looked for; shorter ones the recogniser shrugs off
ANGLE_STEP = 5  # degrees between directions looked at


def line_kernel(length: int, angle: float) -> np.ndarray:
    """A straight smear of ``length`` pixels at ``angle`` degrees (counter-clockwise from the x axis), sum 1."""
    size = max(1, int(length)) | 1  # odd, so the line passes through the centre pixel
    k: np.ndarray = np.zeros((size, size), np.float32)
    k[size // 2, size // 2 - int(length) // 2: size // 2 - int(length) // 2 + int(length)] = 1.0
    rot = cv2.getRotationMatrix2D(((size - 1) / 2, (size - 1) / 2), float(angle), 1.0)
    k = cv2.warpAffine(k, rot, (size, size), flags=cv2.INTER_LINEAR)
    return k / max(float(k.sum()), 1e-6)


def motion_estimates(grey: np.ndarray, count: int = 4) -> list[tuple[int, int]]:
    """The ``count`` likeliest straight smears ``(length px, angle deg)``, likeliest first.

    Points of the cepstrum within one pixel and ``2 * ANGLE_STEP`` degrees of a
    likelier one are the same guess and are skipped.
    """
    g = np.asarray(grey, np.float32)
    g = g - float(g.mean())
    window = np.outer(np.hanning(g.shape[0]), np.hanning(g.shape[1])).astype(np.float32)
    spectrum = np.abs(np.fft.fft2(g * window))
    cep = np.fft.fftshift(np.real(np.fft.ifft2(np.log(spectrum + 1e-3))))
    cy, cx = cep.shape[0] // 2, cep.shape[1] // 2
    points = []
    for length in range(MIN_LENGTH, MAX_LENGTH + 1):
        for angle in range(0, 180, ANGLE_STEP):
            rad = np.deg2rad(angle)
            y, x = round(float(cy - length * np.sin(rad))), round(float(cx + length * np.cos(rad)))
            if 0 <= y < cep.shape[0] and 0 <= x < cep.shape[1]:
                points.append((float(cep[y, x]), length, angle))
    points.sort()
    chosen: list[tuple[int, int]] = []
    for _, length, angle in points:
        near = any(abs(length - ln) <= 1 and min(abs(angle - a), 180 - abs(angle - a)) <= 2 * ANGLE_STEP
                   for ln, a in chosen)
        if not near:
            chosen.append((length, angle))
        if len(chosen) == count:
            break
    return chosen


def deconvolve(grey: np.ndarray, length: int, angle: float, nsr: float = 0.01) -> np.ndarray:
    """``grey`` with a straight smear of ``length`` px at ``angle`` undone (Wiener filter, noise-to-signal ``nsr``)."""
    g = np.asarray(grey, np.float32)
    kernel = line_kernel(length, angle)
    pad = kernel.shape[0]
    padded = cv2.copyMakeBorder(g, pad, pad, pad, pad, cv2.BORDER_REFLECT)  # no ringing from the wrap-around
    h = np.fft.fft2(kernel, s=padded.shape)
    f = np.fft.fft2(padded) * np.conj(h) / (np.abs(h) ** 2 + nsr)
    out = np.roll(np.real(np.fft.ifft2(f)), (kernel.shape[0] // 2, kernel.shape[1] // 2), axis=(0, 1))
    return np.clip(out[pad:-pad, pad:-pad], 0, 255).astype(np.uint8)


def deblurred(grey: np.ndarray, count: int = 4, nsrs: tuple[float, ...] = (0.01, 0.05)) -> Iterator[np.ndarray]:
    """Deconvolved copies of ``grey`` for its ``count`` likeliest smears, each a pixel shorter and longer too.

    Lazy: a caller that finds what it wanted in an early copy pays for no more.
    """
    for length, angle in motion_estimates(grey, count):
        for size in (length + 1, length - 1):
            for nsr in nsrs:
                if size >= 2:
                    yield deconvolve(grey, size, angle, nsr)
