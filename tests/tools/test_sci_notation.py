"""Números en notación científica tipografiados (``_ext/sci_notation.py``, ``pidl_book.sci_notation``)."""

import sci_notation  # _ext/sci_notation.py
from pidl_book.sci_notation import split, typeset


def test_split_mantissa_and_exponent():
    assert split(format(1e-3, ".1E")) == ("1.0", "−3")
    assert split(format(-2.5e4, ".2E")) == ("−2.50", "4")
    assert split("3E+00") == ("3", "0")
    assert split("1.0e-03") is None  # «e» minúscula: se deja como está
    assert split("0.25") is None


def test_typeset_plain_text():
    assert typeset("1.0E-03") == "1.0 × 10⁻³"
    assert typeset("4E-26") == "4 × 10⁻²⁶"
    assert typeset("texto") == "texto"


def test_transform_writes_a_superscript():
    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    document = new_document("prueba", get_default_settings(Parser))
    paragraph = nodes.paragraph()
    paragraph += nodes.inline("1.2E-04", "1.2E-04", classes=["pasted-text"])
    paragraph += nodes.inline("1.2e-04", "1.2e-04", classes=["pasted-text"])
    document += paragraph
    transform = sci_notation.TypesetScientific(document)
    transform.apply()
    first, second = paragraph.children
    assert first.astext() == "1.2\u202f×\u202f10−4"
    assert isinstance(first.children[-1], nodes.superscript)
    assert second.astext() == "1.2e-04"
