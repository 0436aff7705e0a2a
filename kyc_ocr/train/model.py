"""The PP-OCRv6 recogniser as a trainable torch module.

:func:`load_recognizer` converts the shipped ONNX recogniser (see
:mod:`kyc_ocr.ocr.convert`) and makes it trainable: onnx2torch leaves conv
biases, attention/MatMul weights, LayerNorm weights and the CTC head as
buffers, so every floating-point initializer with at least one dimension is
promoted to an ``nn.Parameter``. The three real BatchNorm layers keep their
running statistics frozen (:func:`freeze_batchnorm`): switching them to train
mode changes the logits a lot on small batches.

The classes are: index 0 the CTC blank, then the dictionary characters, then
a space. :func:`extend_charset` adds new characters (e.g. Cyrillic) to the
CTC head just before the space class, keeping the old weights and starting the
new classes unlikely.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kyc_ocr.errors import EngineError


@dataclass
class Recognizer:
    module: Any  # torch.fx.GraphModule returning logits (N, T, C)
    charset: list[str]  # index -> character; index 0 is the CTC blank ("")

    @property
    def num_classes(self) -> int:
        return len(self.charset)


def read_charset(onnx_path: str | Path) -> list[str]:
    """The recogniser's classes: blank, the ``character`` metadata lines, then a space."""
    import onnx

    from kyc_ocr.ocr.recognize import charset_from_metadata

    model = onnx.load(str(onnx_path), load_external_data=False)
    meta = {p.key: p.value for p in model.metadata_props}
    return charset_from_metadata(meta, None)


def _promote_buffers(module: Any) -> int:
    import torch

    holder = module.initializers
    promoted = 0
    for name, buf in list(holder.named_buffers(recurse=False)):
        if buf.is_floating_point() and buf.ndim >= 1:
            delattr(holder, name)
            holder.register_parameter(name, torch.nn.Parameter(buf.detach().clone()))
            promoted += 1
    return promoted


def freeze_batchnorm(module: Any) -> None:
    """Keep BatchNorm running statistics fixed (eval mode) while the rest trains."""
    import torch

    for sub in module.modules():
        if isinstance(sub, torch.nn.modules.batchnorm._BatchNorm):
            sub.eval()


def _head(module: Any, num_classes: int) -> tuple[str, str]:
    """Names of the CTC head's weight (D, C) and bias (C,) parameters."""
    weight = bias = None
    for name, p in module.initializers.named_parameters(recurse=False):
        if p.ndim == 2 and p.shape[1] == num_classes:
            weight = name
        elif p.ndim == 1 and p.shape[0] == num_classes:
            bias = name
    if weight is None or bias is None:
        raise EngineError(f"cannot find the CTC head ({num_classes} classes) in the recogniser")
    return weight, bias


def load_recognizer(onnx_path: str | Path) -> Recognizer:
    """Convert and prepare the recogniser for training (logits out, all weights trainable)."""
    from kyc_ocr.ocr.convert import onnx_to_torch

    charset = read_charset(onnx_path)
    module = onnx_to_torch(onnx_path, drop_softmax=True)
    _promote_buffers(module)
    _head(module, len(charset))  # fail early when the graph is not what we expect
    return Recognizer(module, charset)


def extend_charset(rec: Recognizer, new_chars: str) -> list[str]:
    """Append characters absent from the charset to the CTC head; return those added.

    Old weights are kept; new rows start at zero weight and a bias a little below
    the mean, so the model does not emit them before it has learned them.
    """
    import torch

    added = [c for c in dict.fromkeys(new_chars) if c not in rec.charset and c.strip()]
    if not added:
        return []
    w_name, b_name = _head(rec.module, rec.num_classes)
    holder = rec.module.initializers
    w, b = getattr(holder, w_name), getattr(holder, b_name)
    new_w = torch.zeros(w.shape[0], len(added), dtype=w.dtype)
    new_b = torch.full((len(added),), float(b.detach().mean()) - 2.0, dtype=b.dtype)
    # New classes go before the final space class, so the class order stays
    # "blank, dictionary, space" and the dictionary is just longer.
    w, b = w.detach(), b.detach()
    setattr(holder, w_name, torch.nn.Parameter(torch.cat([w[:, :-1], new_w, w[:, -1:]], dim=1)))
    setattr(holder, b_name, torch.nn.Parameter(torch.cat([b[:-1], new_b, b[-1:]], dim=0)))
    rec.charset[-1:-1] = added
    return added
