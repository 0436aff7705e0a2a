"""ONNX Runtime sessions: threads, memory policy and execution provider in one place.

``device`` is ``"cpu"``, ``"cuda"`` or ``"cuda:N"``. CUDA needs the
``onnxruntime-gpu`` package and a visible GPU; when either is missing we
raise :class:`~kyc_ocr.errors.EngineError` instead of silently running on CPU.

>>> parse_device("cuda:1")
('cuda', 1)
>>> parse_device("cpu")
('cpu', 0)
>>> parse_device("tpu")
Traceback (most recent call last):
...
kyc_ocr.errors.ConfigError: unknown device 'tpu'; use cpu, cuda or cuda:N
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from kyc_ocr.errors import ConfigError, EngineError

log = logging.getLogger(__name__)


def _ort_errors() -> tuple[type[BaseException], ...]:
    """The exception classes onnxruntime raises (they derive from ``Exception`` directly)."""
    try:
        from onnxruntime.capi import onnxruntime_pybind11_state as state  # type: ignore[import-untyped]
    except ImportError:
        return (RuntimeError,)
    names = ("Fail", "InvalidArgument", "NoSuchFile", "NoModel", "EngineError", "RuntimeException",
             "InvalidProtobuf", "ModelLoaded", "NotImplemented", "InvalidGraph", "EPFail")
    found = tuple(getattr(state, n) for n in names if isinstance(getattr(state, n, None), type))
    return (*found, RuntimeError)


ORT_ERRORS = _ort_errors()


def parse_device(device: str) -> tuple[str, int]:
    """Split ``cuda:N`` into its kind and index."""
    kind, _, index = device.strip().lower().partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()) or (kind == "cpu" and index):
        raise ConfigError(f"unknown device {device!r}; use cpu, cuda or cuda:N")
    return kind, int(index or 0)


def resolve_threads(threads: int) -> int:
    """Intra-op threads: ``0`` means every core this process may use.

    >>> resolve_threads(3)
    3
    >>> resolve_threads(0) >= 1
    True
    """
    if threads < 0:
        raise ConfigError(f"threads must be >= 0, got {threads}")
    if threads:
        return threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def session(path: Path, device: str = "cpu", threads: int = 0) -> Any:
    """An ``onnxruntime.InferenceSession`` for ``path`` on ``device``.

    CPU sessions run one operator at a time on ``threads`` intra-op threads,
    without the CPU memory arena (it grows to the largest input ever seen and
    keeps it), and without busy-wait spinning between operators so several
    worker processes can share a small machine.
    """
    try:
        import onnxruntime as ort  # type: ignore[import-untyped]
    except ImportError as err:
        raise EngineError("onnxruntime is not installed; run: pip install onnxruntime") from err
    kind, index = parse_device(device)
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.intra_op_num_threads = resolve_threads(threads)
    opts.inter_op_num_threads = 1
    opts.enable_cpu_mem_arena = False
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    providers: list[Any] = ["CPUExecutionProvider"]
    if kind == "cuda":
        if "CUDAExecutionProvider" not in ort.get_available_providers():
            raise EngineError(
                "device 'cuda' needs the onnxruntime-gpu package (pip install onnxruntime-gpu) and an NVIDIA GPU; "
                f"this onnxruntime offers only {', '.join(ort.get_available_providers())}"
            )
        cuda_opts = {"device_id": index, "arena_extend_strategy": "kSameAsRequested",
                     "cudnn_conv_algo_search": "HEURISTIC"}
        providers = [("CUDAExecutionProvider", cuda_opts), "CPUExecutionProvider"]
    try:
        sess = ort.InferenceSession(str(path), sess_options=opts, providers=providers)
    except ORT_ERRORS as err:
        raise EngineError(f"cannot load ONNX model {path.name}: {str(err).splitlines()[0]}") from err
    if kind == "cuda" and sess.get_providers()[0] != "CUDAExecutionProvider":
        raise EngineError(f"CUDA was requested but onnxruntime could not start it for {path.name} "
                          "(check the CUDA/cuDNN libraries onnxruntime-gpu needs)")
    log.debug("loaded %s on %s with %d threads", path.name, device, opts.intra_op_num_threads)
    return sess
