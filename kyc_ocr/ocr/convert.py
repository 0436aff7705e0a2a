"""Turn the shipped PP-OCR ONNX graphs into torch modules.

``onnx2torch`` cannot take the PP-OCR graphs as they are. Three graph fixes
make every det/rec/cls graph convert and match ONNX Runtime (< 1e-4):

1. ``Constant`` nodes become initializers (onnx2torch otherwise bakes
   weights into opaque constant modules);
2. ``auto_pad=SAME_UPPER`` on stride-1 Conv/MaxPool becomes explicit ``pads``
   (for stride 1 the padding does not depend on the input size);
3. shape inference annotates tensor ranks (BatchNormalization needs them).

A fourth, optional, drops a trailing ``Softmax`` so the recogniser returns
logits for training. onnx2torch imports torchvision for its NMS/RoIAlign
converters, which these graphs never use; torchvision is not installed here
(it would replace the CPU torch build), so a placeholder module stands in for
it during the import and raises if one of those ops were ever called.

Only onnx-level surgery lives here; what runs the modules is
:mod:`kyc_ocr.ocr.torch`.
"""

from __future__ import annotations

import sys
import types
import warnings
from pathlib import Path
from typing import Any

from kyc_ocr.errors import EngineError


def _graph_fixes(model: Any, *, drop_softmax: bool) -> Any:
    import onnx
    from onnx import helper, numpy_helper

    graph = model.graph
    keep = []
    for node in graph.node:
        if node.op_type == "Constant":
            value = next(a for a in node.attribute if a.name == "value")
            tensor = numpy_helper.to_array(value.t)
            graph.initializer.append(numpy_helper.from_array(tensor, name=node.output[0]))
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("auto_pad", b"NOTSET") in (b"SAME_UPPER", b"SAME_LOWER"):
            strides = attrs.get("strides", [1, 1])
            if any(s != 1 for s in strides):
                raise EngineError(f"cannot convert {node.name}: SAME padding with stride {strides}")
            kernel = attrs["kernel_shape"]
            total = [k - 1 for k in kernel]
            upper = attrs["auto_pad"] == b"SAME_UPPER"
            begin = [t // 2 if upper else t - t // 2 for t in total]
            end = [t - b for t, b in zip(total, begin)]
            for a in list(node.attribute):
                if a.name == "auto_pad":
                    node.attribute.remove(a)
            node.attribute.append(helper.make_attribute("pads", begin + end))
        keep.append(node)
    del graph.node[:]
    graph.node.extend(keep)
    if drop_softmax and graph.node[-1].op_type == "Softmax":
        last = graph.node[-1]
        producer_out = last.input[0]
        graph.node.remove(last)
        graph.output[0].name = producer_out
    model = onnx.shape_inference.infer_shapes(model)
    return model


def _import_onnx2torch() -> Any:
    if "torchvision" not in sys.modules:
        def _unavailable(*_args: Any, **_kwargs: Any) -> Any:
            raise EngineError("a torchvision op was called; PP-OCR graphs do not use one")

        placeholder = types.ModuleType("torchvision")
        ops = types.ModuleType("torchvision.ops")
        ops.nms = ops.roi_align = ops.box_convert = _unavailable  # type: ignore[attr-defined]
        placeholder.ops = ops  # type: ignore[attr-defined]
        sys.modules["torchvision"] = placeholder
        sys.modules["torchvision.ops"] = ops
        try:
            import onnx2torch  # type: ignore[import-untyped]
        finally:
            del sys.modules["torchvision"], sys.modules["torchvision.ops"]
    else:
        import onnx2torch
    return onnx2torch


def onnx_to_torch(path: str | Path, *, drop_softmax: bool = False) -> Any:
    """Load an ONNX file and return an equivalent ``torch.nn.Module`` (fx GraphModule).

    Raises :class:`EngineError` when torch/onnx2torch are missing or the graph cannot convert.
    """
    try:
        import onnx
    except ImportError as err:  # pragma: no cover - depends on the extra
        raise EngineError("the torch engine needs the [torch] extra: pip install 'kyc-ocr[torch]'") from err
    try:
        onnx2torch = _import_onnx2torch()
    except ImportError as err:
        raise EngineError("onnx2torch is missing: pip install --no-deps onnx2torch==1.5.15") from err
    # onnx2torch's Slice indexes with a list (a torch deprecation warning on every call); harmless here.
    warnings.filterwarnings("ignore", message="Using a non-tuple sequence for multidimensional indexing")
    model = onnx.load(str(path))
    fixed = _graph_fixes(model, drop_softmax=drop_softmax)
    try:
        return onnx2torch.convert(fixed)
    except (NotImplementedError, KeyError, ValueError) as err:
        raise EngineError(f"cannot convert {Path(path).name} to torch: {err}") from err
