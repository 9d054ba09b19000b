"""Números en notación científica escritos como números: 1.0 × 10⁻³, no «1.0E-03».

``{glue:text}`clave:.1E``` (formato ``E`` mayúscula) pide a MyST-NB el número en
notación exponencial; esta extensión reemplaza ese texto por mantisa, «×», 10 y el
exponente como superíndice (sin ceros a la izquierda ni signo «+»), en HTML y en
LaTeX. El formato ``e`` minúscula queda como está. ``tools/export_colab.py`` hace lo
mismo en el notebook exportado con :func:`typeset` (exponente con superíndices de
Unicode, que Colab muestra).
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms import SphinxTransform

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
    """El mismo número en texto plano con superíndices: ``"1.0E-03"`` → ``"1.0 × 10⁻³"``."""
    parts = split(text)
    if parts is None:
        return text
    mantissa, exponent = parts
    return f"{mantissa} × 10{exponent.replace('−', '-').translate(_SUPERSCRIPT)}"


class TypesetScientific(SphinxTransform):
    """Cambia cada texto de glue (``inline.pasted-text``) en formato ``E`` por «m × 10ⁿ»."""

    default_priority = 700

    def apply(self, **kwargs) -> None:
        for node in list(self.document.findall(nodes.inline)):
            if "pasted-text" not in node["classes"]:
                continue
            parts = split(node.astext())
            if parts is None:
                continue
            mantissa, exponent = parts
            node.children = []
            # Espacios finos que no se cortan: el número no se parte entre líneas.
            node += nodes.Text(f"{mantissa}\u202f×\u202f10")
            node += nodes.superscript(exponent, exponent)


def setup(app):
    app.add_transform(TypesetScientific)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
