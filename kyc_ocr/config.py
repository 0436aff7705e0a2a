"""Settings, from the environment (``KYC_OCR_*``) or passed in.

>>> s = Settings(engine="replay", max_pages=10)
>>> s.engine, s.max_pages
('replay', 10)
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a run can be told; one typed object instead of keyword soup."""

    model_config = SettingsConfigDict(env_prefix="KYC_OCR_", extra="forbid")

    engine: str = "onnx"
    device: str = "cpu"  # "cpu", "cuda", "cuda:1"
    threads: int = Field(default=0, ge=0, description="intra-op threads per engine; 0 = all cores")
    rec_model: str | None = Field(default=None, description="path of a fine-tuned recognizer ONNX")
    ocr_recordings: Path | None = Field(default=None, description="folder of recorded OCR pages (engine 'replay')")
    db_url: str = "sqlite:///kyc-ocr.db"
    templates_dirs: tuple[Path, ...] = ()
    extract_fast: bool = Field(default=False, description="template-guided speed path: read only the zones of "
                               "a layout whose anchors are confirmed (falls back to full-page OCR)")
    policy_file: Path | None = None
    max_pixels: int = Field(default=60_000_000, gt=0, description="decompression-bomb guard")
    max_file_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    max_pages: int = Field(default=50, gt=0)
    pdf_dpi: int = Field(default=200, ge=50, le=600)
    encryption_key: str | None = Field(default=None, description="Fernet key for field values at rest")
    blob_dir: Path | None = Field(default=None, description="content-addressed copy of the documents")
