"""The torch engine reads what the onnx engine reads (CPU), and runs on a GPU where there is one."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from PIL import Image, ImageDraw

torch = pytest.importorskip("torch")
if importlib.util.find_spec("onnx2torch") is None:
    pytest.skip("onnx2torch is not installed (pip install --no-deps onnx2torch)", allow_module_level=True)

from kyc_ocr.domain import PageImage  # noqa: E402
from kyc_ocr.errors import ConfigError, EngineError  # noqa: E402
from kyc_ocr.ocr.registry import create  # noqa: E402
from kyc_ocr.synth.fonts import get_font  # noqa: E402

pytestmark = pytest.mark.slow
TEXTS = ("PASSPORT ERIKSSON ANNA MARIA", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<")


@pytest.fixture(scope="module")
def page() -> PageImage:
    img = Image.new("RGB", (900, 260), "white")
    draw = ImageDraw.Draw(img)
    draw.text((30, 30), TEXTS[0], font=get_font("dejavu-sans", 34), fill="black")
    draw.text((30, 140), TEXTS[1], font=get_font("ocr-b", 26), fill="black")
    return PageImage(np.asarray(img), "card.png")


def test_torch_engine_reads_the_same_text_as_onnx_on_cpu(page):
    onnx_page = create("onnx", threads=2).read([page])[0]
    torch_page = create("torch", threads=2).read([page])[0]
    assert [line.text for line in onnx_page.lines] == list(TEXTS)
    assert [line.text for line in torch_page.lines] == [line.text for line in onnx_page.lines]
    for a, b in zip(onnx_page.lines, torch_page.lines):
        assert abs(a.confidence - b.confidence) < 1e-3
        assert np.allclose(np.array(a.quad), np.array(b.quad), atol=1.0)
    assert torch_page.engine == "torch"


def test_unknown_precision_is_a_config_error():
    with pytest.raises(ConfigError):
        create("torch", precision="int3")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised where no GPU exists")
def test_cuda_without_a_gpu_is_a_clear_engine_error():
    with pytest.raises(EngineError, match="CUDA"):
        create("torch", device="cuda")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs an NVIDIA GPU with CUDA")
def test_torch_engine_on_gpu_in_fp16_matches_cpu(page):
    gpu_page = create("torch", device="cuda", precision="fp16").read([page])[0]
    assert [line.text for line in gpu_page.lines] == list(TEXTS)
