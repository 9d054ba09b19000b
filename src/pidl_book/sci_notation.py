"""Números en notación científica escritos como números: «1.0E-03» → 1.0 × 10⁻³.

Lo usan la extensión ``_ext/sci_notation.py`` (HTML y LaTeX) y la exportación a
Colab (texto con superíndices de Unicode).
"""

from __future__ import annotations

import re

# Lo que escribe format(x, ".NE"): 1.0E-03, -2.50E+04, 3E-07.
SCI = re.compile(r"^(?P<mantissa>[-−]?\d+(?:\.\d+)?)E(?P<exponent>[+-]\d+)$")
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def split(text: str) -> tuple[str, str] | None:
    """``"1.0E-03"`` → ``("1.0", "−3")``; ``None`` si no es un número en formato ``E``."""
    match = SCI.match(text.strip())
    if not match:
        return None
    mantissa = match["mantissa"].replace("-", "−")
    exponent = int(match["exponent"])
    return mantissa, f"−{-exponent}" if exponent < 0 else str(exponent)


def typeset(text: str) -> str:
    """El mismo número en texto plano con superíndices: ``"1.0E-03"`` → ``"1.0 × 10⁻³"``.

    >>> typeset("2.50E+04"), typeset("0.5")
    ('2.50 × 10⁴', '0.5')
    """
    parts = split(text)
    if parts is None:
        return text
    mantissa, exponent = parts
    return f"{mantissa} × 10{exponent.replace('−', '-').translate(_SUPERSCRIPT)}"
