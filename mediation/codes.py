"""Voucher codes: 10 characters drawn by `secrets` from an alphabet without look-alikes.

The alphabet leaves out 0/O/D/Q, 1/I/L, 2/Z, 5/S, 6/G, 8/B and U/V: a code read aloud over
the phone or copied from a printed card is not mistaken. 19 symbols, 10 characters:
19**10 ≈ 6.1 × 10**12 codes; a guess succeeds once in billions of tries for a network of
thousands of vouchers, and guessing is rate-limited (mediation.vouchers).
"""

from __future__ import annotations

import secrets

ALPHABET = "ACEFHJKMNPRTWXY3479"  # look-alikes removed (see above)
LENGTH = 10
GROUP = 4


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str:
    """What a person typed or a scanner read (a code, or the card's URL) → the stored code.

    Spaces, dashes and dots are ignored, letters are upper-cased; a URL keeps its last part."""
    text = (typed or "").strip()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    return "".join(ch for ch in text.upper() if ch not in " -._\t")


def looks_valid(code: str) -> bool:
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)


def display(code: str) -> str:
    """"K7MPRT4WXC" → "K7MP-RT4W-XC"."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))
