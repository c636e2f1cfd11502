"""EPC QR code ("GiroCode", EPC069-12): the SEPA credit-transfer payload and its QR matrix (segno)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from itertools import pairwise
from typing import Any

import segno.consts
import segno.encoder

from invoicer.core.money import format_minor

#: segno's encoder, untyped: the steps of its ``_encode`` used here, pinned by the constraints and by a test
#: that compares every module with ``segno.make``
encoder: Any = segno.encoder
consts: Any = segno.consts

MAX_NAME = 70
MAX_REMITTANCE = 140
MAX_AMOUNT_MINOR = 99_999_999_999  # EUR 999,999,999.99, the largest amount EPC069-12 allows


def epc_payload(name: str, iban: str, amount_minor: int, remittance: str, bic: str | None = None) -> str | None:
    """The EPC069-12 version 002 text for a EUR credit transfer, or None when no valid code is possible.

    Lines: service tag, version, character set (1 = UTF-8), SCT, BIC, beneficiary name, IBAN,
    ``EUR`` + amount with a dot, purpose, structured reference, unstructured remittance text.
    Empty trailing elements are left out, as the standard allows.
    """
    name = " ".join(name.split())[:MAX_NAME]
    iban = "".join(iban.split()).upper()
    if not name or not iban or not 1 <= amount_minor <= MAX_AMOUNT_MINOR:
        return None
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        "".join((bic or "").split()).upper(),
        name,
        iban,
        f"EUR{format_minor(amount_minor, 'EUR')}",
        "",
        "",
        remittance.strip()[:MAX_REMITTANCE],
    ]
    return "\n".join(lines).rstrip("\n")


def qr_modules(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR symbol as rows of dark (True) / light modules, without the quiet zone.

    EPC069-12 asks for error correction level M, so segno must not raise it. The symbol is segno's own, module
    for module (a frozen PDF re-rendered to restore a lost file must give the recorded bytes): segno builds it,
    and only its choice of the data mask (ISO/IEC 18004 7.8.3, the lowest of eight penalty scores) is computed
    here, with the same scores on whole rows at once, in a tenth of the time of segno's module-by-module loop.
    """
    segments = encoder.prepare_data(payload, None, "utf-8")
    error = consts.ERROR_LEVEL_M
    version = encoder.find_version(segments, error, eci=False, micro=False)
    matrix, width = _unmasked(segments, error, version)
    mask, masked = best_mask(matrix, width)
    for row, values in zip(matrix, masked, strict=True):
        row[:] = values
    encoder.add_format_info(matrix, version, error, mask)
    encoder.add_version_info(matrix, version)
    return tuple(tuple(bool(cell) for cell in row) for row in matrix)


def _unmasked(segments: Any, error: int, version: int) -> tuple[Any, int]:
    """The symbol before masking, as segno's ``_encode`` makes it for a QR Code (not Micro, no Structured Append,
    no ECI, no error level boost)."""
    buff = encoder.Buffer()
    ver_range = encoder.version_range(version)
    for segment in segments:
        encoder.write_segment(buff, segment, None, ver_range, False)
    capacity = consts.SYMBOL_CAPACITY[version][error]
    encoder.write_terminator(buff, capacity, None, len(buff))
    encoder.write_padding_bits(buff, version, len(buff))
    encoder.write_pad_codewords(buff, version, capacity, len(buff))
    buff = encoder.make_final_message(version, error, buff)
    width = encoder.calc_matrix_size(version)
    matrix = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(matrix, width, width)
    encoder.add_alignment_patterns(matrix, width, width)
    encoder.add_codewords(matrix, buff, version)
    return matrix, width


@cache
def _mask_lines(width: int) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """Per mask pattern, the XOR of each row and of each column as one integer (a byte per module, 1 where the
    mask flips a module of segno's encoding region)."""
    region = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(region, width, width)
    encoder.add_alignment_patterns(region, width, width)
    region[-8][8] = 0x1
    masks = []
    for pattern in encoder.get_data_mask_functions(False):
        flips = [bytes(int(region[i][j] > 0x1 and bool(pattern(i, j))) for j in range(width)) for i in range(width)]
        masks.append((_integers(flips), _integers(zip(*flips, strict=True))))
    return tuple(masks)


def _integers(lines: Iterable[Iterable[int]]) -> tuple[int, ...]:
    return tuple(int.from_bytes(bytes(line), "big") for line in lines)


def best_mask(matrix: Any, width: int) -> tuple[int, list[bytes]]:
    """The mask pattern segno's ``find_and_apply_best_mask`` selects for the unmasked ``matrix`` (the first of the
    lowest penalty score), and the rows it gives."""
    rows, columns = _integers(matrix), _integers(zip(*matrix, strict=True))
    best: tuple[int, int, list[bytes]] | None = None
    for mask, (row_flips, column_flips) in enumerate(_mask_lines(width)):
        values = [row ^ flip for row, flip in zip(rows, row_flips, strict=True)]
        masked = [value.to_bytes(width, "big") for value in values]
        crossing = [(column ^ flip).to_bytes(width, "big") for column, flip in zip(columns, column_flips, strict=True)]
        score = penalty(masked, crossing, values, width)
        if best is None or score < best[0]:
            best = (score, mask, masked)
    assert best is not None
    return best[1], best[2]


_RUN = re.compile(rb"\x00{5,}|\x01{5,}|\x02{5,}|\x03{5,}")  # runs of one module value (0 to 3)
_FINDER_LIKE = b"\x01\x00\x01\x01\x01\x00\x01"
_APART = b"\x07"  # between lines: no module has this value, so no run or pattern reaches across it


def penalty(rows: list[bytes], columns: list[bytes], values: list[int], width: int) -> int:
    """segno's ``evaluate_mask`` (N1 + N2 + N3 + N4 of ISO/IEC 18004 table 11) on the same module values (0 to 3),
    by rows and columns instead of module by module; ``values``: each row as one integer, a byte per module."""
    lines = (*rows, *columns)
    joined = _APART.join(lines)
    left, runs = _RUN.subn(b"", joined)
    n1 = len(joined) - len(left) - 2 * runs  # each run of five or more: its length less two
    # N2: 3 per 2x2 block of one value, found for all columns of two rows at once (bit 0 of a byte per module)
    tail = int.from_bytes(b"\xff" * (width - 1), "big")  # a row without its first module
    ones = int.from_bytes(b"\x01" * (width - 1), "big")
    n2 = 0
    same_upper = None
    for upper, lower in pairwise(values):
        if same_upper is None:
            same_upper = _equal(upper & tail, upper >> 8, ones)
        same_lower = _equal(lower & tail, lower >> 8, ones)
        n2 += 3 * (same_upper & same_lower & _equal(upper & tail, lower & tail, ones)).bit_count()
        same_upper = same_lower
    n3 = 0
    at = joined.find(_FINDER_LIKE)
    while at != -1:
        line = at // (width + 1)
        n3 += _finder_like(lines[line], width)
        at = joined.find(_FINDER_LIKE, (line + 1) * (width + 1))
    dark = sum(b"".join(rows))
    n4 = 10 * int(abs(float(dark) / (width ** 2) * 100 - 50) / 5)
    return n1 + n2 + n3 + n4


def _equal(first: int, second: int, ones: int) -> int:
    """One bit per module position (bit 0 of its byte): set where two lines hold the same value (0 to 3)."""
    differ = first ^ second
    return ~(differ | differ >> 1) & ones


def _finder_like(line: bytes, width: int) -> int:
    """segno's N3 on one row or column: 40 per 1:1:3:1:1 pattern with four light modules before or after."""
    count = 0
    at = line.find(_FINDER_LIKE)
    while at != -1:
        offset = at + 7
        if at in (0, width - 7) or not any(line[max(at - 4, 0):min(at, width)]) \
                or not any(line[max(offset, 0):min(offset + 4, width)]):
            count += 40
        else:
            offset = at + 4
        at = line.find(_FINDER_LIKE, offset)
    return count
