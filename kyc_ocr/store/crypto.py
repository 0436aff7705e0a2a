"""Encryption at rest for field values and check evidence (Fernet).

A sealed value is the text ``fernet:`` followed by a Fernet token, so a
database holds a mix of plain values (written without a key) and sealed ones
and each reads correctly. ``KYC_OCR_ENCRYPTION_KEY`` may list several keys
separated by commas: the first seals, all of them open (key rotation).

>>> from cryptography.fernet import Fernet
>>> cipher = Cipher(Fernet.generate_key().decode())
>>> sealed = cipher.seal("ERIKSSON")
>>> sealed.startswith("fernet:"), cipher.open(sealed)
(True, 'ERIKSSON')
>>> Cipher(None).open(sealed)
Traceback (most recent call last):
...
kyc_ocr.errors.StoreError: stored values are encrypted: set KYC_OCR_ENCRYPTION_KEY to read them
>>> Cipher(None).seal("plain")
'plain'
"""

from __future__ import annotations

import binascii
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from kyc_ocr.errors import ConfigError, StoreError

PREFIX = "fernet:"


class Cipher:
    """Seals and opens text; with no key it passes plain text through and refuses sealed text."""

    def __init__(self, key: str | None) -> None:
        self._fernet: MultiFernet | None = None
        if key:
            try:
                self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in key.split(",") if k.strip()])
            except (ValueError, binascii.Error) as err:
                raise ConfigError(
                    "KYC_OCR_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64-encoded bytes; "
                    "make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())')"
                ) from err

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def seal(self, text: str) -> str:
        if self._fernet is None:
            return text
        return PREFIX + self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored
        if self._fernet is None:
            raise StoreError("stored values are encrypted: set KYC_OCR_ENCRYPTION_KEY to read them")
        try:
            return self._fernet.decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
        except InvalidToken as err:
            raise StoreError("cannot decrypt stored values: KYC_OCR_ENCRYPTION_KEY is not the key they "
                             "were written with") from err

    def seal_json(self, value: Any) -> Any:
        """A JSON value, sealed into a string when a key is set."""
        if self._fernet is None:
            return value
        return self.seal(json.dumps(value, sort_keys=True, ensure_ascii=False))

    def open_json(self, stored: Any) -> Any:
        if isinstance(stored, str) and stored.startswith(PREFIX):
            return json.loads(self.open(stored))
        return stored
