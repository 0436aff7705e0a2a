"""kyc_ocr.io on raster images: formats by magic bytes, pages, EXIF, guards with one-line InputErrors."""

from __future__ import annotations

import hashlib
import io
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kyc_ocr.config import Settings
from kyc_ocr.errors import InputError
from kyc_ocr.io import load, load_one


def _rgb(w: int = 60, h: int = 40) -> np.ndarray:
    """Left half red, right half blue: orientation and colour order are visible."""
    arr = np.zeros((h, w, 3), np.uint8)
    arr[:, : w // 2] = (220, 20, 20)
    arr[:, w // 2 :] = (20, 20, 220)
    return arr


def _encode(arr: np.ndarray, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, fmt, **kw)
    return buf.getvalue()


def _tiff_pages(n: int) -> bytes:
    frames = [Image.fromarray(np.full((30, 50, 3), 40 * k, np.uint8)) for k in range(n)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


@pytest.mark.parametrize("fmt, media", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("TIFF", "image/tiff"),
                                        ("WEBP", "image/webp"), ("BMP", "image/bmp")])
def test_formats_decode_to_rgb(tmp_path, fmt, media):
    data = _encode(_rgb(), fmt, **({"quality": 95} if fmt in ("JPEG", "WEBP") else {}))
    path = tmp_path / f"doc.{fmt.lower()}"
    path.write_bytes(data)
    (page,) = load(path)
    assert page.image.dtype == np.uint8 and page.image.shape == (40, 60, 3)
    assert page.image.flags.c_contiguous
    assert (page.source, page.page, page.media_type) == (str(path), 1, media)
    assert page.sha256 == hashlib.sha256(data).hexdigest()
    assert page.orig_size == (60, 40) and np.allclose(page.transform, np.eye(3)) and page.text_layer is None
    red, blue = page.image[20, 10].astype(int), page.image[20, 50].astype(int)
    assert red[0] > 180 and red[2] < 70 and blue[2] > 180 and blue[0] < 70  # RGB, not BGR


def test_type_comes_from_bytes_not_name(tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(_encode(_rgb(), "PNG"))
    assert load(fake)[0].media_type == "image/png"
    text = tmp_path / "x.jpg"
    text.write_text("Dear customer,\nplease find my passport attached.\n")
    with pytest.raises(InputError) as err:
        load(text)
    assert str(err.value) == f"{text}: not a supported image or PDF (looks like text)"
    with pytest.raises(InputError, match="looks like a ZIP archive"):
        load(b"PK\x03\x04" + bytes(100))


def test_bytes_sources_and_sequences(tmp_path):
    png = _encode(_rgb(), "PNG")
    path = tmp_path / "a.png"
    path.write_bytes(png)
    pages = load([png, bytearray(png), memoryview(png), path, str(path)])
    digest = hashlib.sha256(png).hexdigest()
    assert [p.source for p in pages] == [f"<bytes:{digest[:12]}>"] * 3 + [str(path)] * 2
    assert all(p.sha256 == digest for p in pages)
    assert load_one(png)[0].source == f"<bytes:{digest[:12]}>"
    assert load([]) == []


def test_multipage_tiff_pages_and_limit():
    data = _tiff_pages(3)
    pages = load(data)
    assert [p.page for p in pages] == [1, 2, 3]
    assert [int(p.image[0, 0, 0]) for p in pages] == [0, 40, 80]
    with pytest.raises(InputError, match=r"3 pages, more than the limit of 2"):
        load(data, Settings(max_pages=2))


def test_exif_orientation_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # stored image is shown turned 90 degrees clockwise
    data = _encode(_rgb(60, 40), "JPEG", quality=95, exif=exif.tobytes())
    (page,) = load(data)
    assert page.image.shape == (60, 40, 3)  # width and height swapped
    top, bottom = page.image[10, 20].astype(int), page.image[50, 20].astype(int)
    assert top[0] > 180 and bottom[2] > 180  # the red left half is now on top


def test_dpi_and_modes():
    (page,) = load(_encode(_rgb(), "PNG", dpi=(300, 300)))
    assert page.dpi == pytest.approx(300, abs=0.01)
    assert load(_encode(_rgb(), "PNG"))[0].dpi is None
    grey16 = Image.fromarray(np.full((10, 10), 65535, np.uint16))
    buf = io.BytesIO()
    grey16.save(buf, "PNG")
    assert int(load(buf.getvalue())[0].image.min()) == 255
    rgba = np.zeros((10, 10, 4), np.uint8)  # fully transparent black -> white paper
    rgba[:5, :, 3] = 255  # top half opaque black
    img = load(_encode(rgba, "PNG"))[0].image
    assert img[2].max() == 0 and img[8].min() == 255
    one_bit = Image.new("1", (16, 8), 1)
    buf = io.BytesIO()
    one_bit.save(buf, "PNG")
    assert load(buf.getvalue())[0].image.shape == (8, 16, 3)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims ``width`` x ``height`` pixels (a decompression bomb's header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(bytes(1000)))
            + _png_chunk(b"IEND", b""))


@pytest.mark.parametrize("size", [(9000, 9000), (100_000, 100_000)])
def test_decompression_bomb_refused_from_header(size):
    start = time.perf_counter()
    with pytest.raises(InputError, match="decompression bomb|too large to decode"):
        load(_png_header_only(*size))
    assert time.perf_counter() - start < 1.0


def test_pixel_limit_from_settings():
    with pytest.raises(InputError, match=r"60x40 = 2,400 pixels exceeds the limit of 1,000"):
        load(_encode(_rgb(), "PNG"), Settings(max_pixels=1000))


def test_truncated_images_are_refused():
    jpeg = _encode(np.random.default_rng(1).integers(0, 255, (80, 80, 3), dtype=np.uint8), "JPEG")
    with pytest.raises(InputError, match="truncated"):
        load(jpeg[: len(jpeg) // 2])
    png = _encode(np.random.default_rng(2).integers(0, 255, (80, 80, 3), dtype=np.uint8), "PNG")
    with pytest.raises(InputError, match="truncated"):
        load(png[: len(png) // 2])
    # a PNG that lost only its 12-byte IEND trailer still holds every pixel: accepted as is
    assert load(png[:-12])[0].image.shape == (80, 80, 3)


def test_file_guards(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    cases: list[tuple[object, str]] = [
        (empty, r"empty\.png: empty file \(0 bytes\)"),
        (tmp_path, r": is a directory, not a file"),
        (tmp_path / "missing.pdf", r"missing\.pdf: no such file"),
        (b"", r"<bytes:e3b0c44298fc>: empty file"),
        ("", r"empty path"),
        (42, r"unsupported source of type int"),
        ([b"\x89PNG", None], r"unsupported source of type NoneType"),
        ({"a": 1}, r"unsupported source of type dict"),
    ]
    for source, message in cases:
        with pytest.raises(InputError, match=message) as err:
            load(source)  # type: ignore[arg-type]
        assert "\n" not in str(err.value)
    big = tmp_path / "big.png"
    big.write_bytes(_encode(_rgb(), "PNG"))
    with pytest.raises(InputError, match=r"big\.png: \d+ bytes, over the limit of 100"):
        load(big, Settings(max_file_bytes=100))
    with pytest.raises(InputError, match=r"over the limit of 100"):
        load(big.read_bytes(), Settings(max_file_bytes=100))


def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.png"
    path.write_bytes(_encode(_rgb(), "PNG"))
    path.chmod(0)
    try:
        with Path(path).open("rb"):  # running as root: permissions do not apply
            pytest.skip("file permissions are not enforced for this user")
    except PermissionError:
        with pytest.raises(InputError, match=r"locked\.png: cannot read \(Permission denied\)"):
            load(path)
    finally:
        path.chmod(0o600)
