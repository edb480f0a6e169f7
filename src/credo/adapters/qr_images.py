"""Reading an attestation back from a picture of its QR code: a PNG (as `credo attest --qr`
writes it, or a screenshot) decoded here, the code found in it by zxing-cpp. Decoding happens on
the server, so the portal's `/verify` needs no script in the browser."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import zxingcpp

from credo.domain.errors import CredoError

MAX_SIDE = 4000
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class UnreadableImage(CredoError):
    status = 422
    title = "Unreadable image"


def read_qr(data: bytes) -> str:
    """The text of the QR code in a PNG image."""
    found = zxingcpp.read_barcodes(png_gray(data))
    if not found:
        raise UnreadableImage("no QR code was found in the image")
    return str(found[0].text)


def png_gray(data: bytes) -> np.ndarray:
    """A PNG as a grayscale array (0 black, 255 white): 8-bit, 16-bit or 1–4-bit, grey,
    colour, palette, with or without alpha; not interlaced."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise UnreadableImage("not a PNG image (upload the .png that credo attest --qr writes)")
    pos, idat, palette = 8, bytearray(), b""
    width = height = depth = color = interlace = 0
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE) or color not in _CHANNELS:
        raise UnreadableImage(f"an image of {width}×{height} pixels cannot be read here")
    if interlace:
        raise UnreadableImage("an interlaced PNG cannot be read here: save it without interlacing")
    channels = _CHANNELS[color]
    stride = (width * channels * depth + 7) // 8
    try:
        raw = zlib.decompress(bytes(idat))
    except zlib.error as e:
        raise UnreadableImage(f"the PNG is damaged: {e}") from None
    rows = _unfilter(raw, height, stride, max(1, channels * depth // 8))
    return _to_gray(rows, width, depth, color, channels, palette)


def _unfilter(raw: bytes, height: int, stride: int, bpp: int) -> np.ndarray:
    if len(raw) < height * (stride + 1):
        raise UnreadableImage("the PNG is damaged: its image data is short")
    out = np.zeros((height, stride), dtype=np.uint8)
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride) if kind else ():
            left = line[x - bpp] if x >= bpp else 0
            up = previous[x]
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                corner = previous[x - bpp] if x >= bpp else 0
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                near = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + near) & 0xFF
        out[y] = np.frombuffer(bytes(line), dtype=np.uint8)
        previous = line
    return out


def _to_gray(
    rows: np.ndarray, width: int, depth: int, color: int, channels: int, palette: bytes
) -> np.ndarray:
    if depth < 8:
        bits = np.unpackbits(rows, axis=1).reshape(rows.shape[0], -1, depth)
        weights = 1 << np.arange(depth - 1, -1, -1)
        values = (bits * weights).sum(axis=2)[:, :width].astype(np.uint16)
        if color == 3:
            return _from_palette(values, palette)
        return np.asarray(values * (255 // ((1 << depth) - 1)), dtype=np.uint8)
    samples = rows[:, :: depth // 8] if depth == 16 else rows
    pixels = samples.reshape(rows.shape[0], width, channels).astype(np.uint16)
    if color == 3:
        return _from_palette(pixels[:, :, 0], palette)
    if color in (2, 6):
        return (
            (pixels[:, :, 0] * 299 + pixels[:, :, 1] * 587 + pixels[:, :, 2] * 114) // 1000
        ).astype(np.uint8)
    return pixels[:, :, 0].astype(np.uint8)


def _from_palette(indexes: np.ndarray, palette: bytes) -> np.ndarray:
    table = np.frombuffer(palette, dtype=np.uint8).reshape(-1, 3).astype(np.uint16)
    gray = (table[:, 0] * 299 + table[:, 1] * 587 + table[:, 2] * 114) // 1000
    return np.asarray(gray.astype(np.uint8)[np.clip(indexes, 0, len(gray) - 1)], dtype=np.uint8)
