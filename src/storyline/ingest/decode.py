"""Bytes to text: tell binary files apart, then decode with a recorded guess.

UTF-8 is tried first (strictly: valid UTF-8 of any length is almost never an
accident), then the encoding the document declares, then cp1252 (the most
common legacy encoding of Western news sites) when the non-ASCII bytes stand
alone, then charset_normalizer's guess, then cp1252 in any case.
Only bytes that none of these decode, or that look binary, are refused.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["DecodeError", "declared_charset", "decode_bytes", "sniff_binary"]

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip data (name it .gz)"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an MS Office document"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"(\xb5/\xfd", "zstd data"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
    (b"wOFF", "a WOFF font"),
    (b"wOF2", "a WOFF2 font"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HIGH_RUN = re.compile(rb"[\x80-\xff]{2}")
_CONTROL = frozenset(range(0, 32)) - {9, 10, 12, 13, 27}
_DECLARED = re.compile(
    rb"""(?:<meta[^>]{0,200}?charset\s*=\s*["']?\s*|<\?xml[^>]{0,100}?encoding\s*=\s*["'])([A-Za-z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can tell."""


def _bom(data: bytes) -> str | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def sniff_binary(data: bytes, sample: int = 8192) -> str | None:
    """What the bytes are when they are not text (``"a PNG image"``), else None."""
    head = data[:sample]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if _bom(head):
        return None
    if b"\x00" in head:
        return "binary data (NUL bytes)"
    if head and sum(b in _CONTROL for b in head) / len(head) > 0.05:
        return "binary data (control characters)"
    return None


def declared_charset(data: bytes) -> str | None:
    """The encoding an HTML or XML document declares in its first few kilobytes, if it names a known codec."""
    m = _DECLARED.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Text and the encoding it was read with. Raises :class:`DecodeError` for undecodable bytes."""
    bom = _bom(data)
    if bom:
        try:
            return data.decode(bom), bom
        except UnicodeDecodeError as exc:
            raise DecodeError(f"starts with a {bom} byte-order mark but does not decode as {bom}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    tried = ["utf-8"]
    for enc in (declared, "cp1252" if _isolated_high_bytes(data) else None, _guess(data)):
        if enc and enc not in tried:
            tried.append(enc)
            try:
                return data.decode(enc), enc
            except (UnicodeDecodeError, LookupError):
                continue
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not text in any encoding tried ({', '.join([*tried, 'cp1252'])})") from exc


def _isolated_high_bytes(data: bytes) -> bool:
    """True when no two bytes >= 0x80 are adjacent: the mark of a single-byte encoding.

    Multi-byte encodings (UTF-8, GBK, Big5, Shift-JIS...) write non-ASCII characters
    as runs of high bytes; statistical detection on a handful of isolated ones is a
    coin toss (``l\xe9st`` reads as Big5), while cp1252 is right for Western text.
    """
    return _HIGH_RUN.search(data) is None


def _guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with trafilatura
        return None
    best = from_bytes(data[:200_000]).best()
    return best.encoding if best is not None else None
