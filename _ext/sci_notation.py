"""Números en notación científica escritos como números: 1.0 × 10⁻³, no «1.0E-03».

``{glue:text}`clave:.1E``` (formato ``E`` mayúscula) pide a MyST-NB el número en
notación exponencial; esta extensión reemplaza ese texto por mantisa, «×», 10 y el
exponente como superíndice (sin ceros a la izquierda ni signo «+»), en HTML y en
LaTeX. El formato ``e`` minúscula queda como está. La exportación a Colab
(``pidl_book.glue.format_glue``) hace lo mismo en el notebook exportado con ``pidl_book.sci_notation.typeset`` (exponente con
superíndices de Unicode, que Colab muestra).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms import SphinxTransform

from pidl_book.sci_notation import split


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
