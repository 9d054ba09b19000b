"""Las piezas de la edición en PDF (``_ext/latex_edition.py``) que no necesitan un PDF:
el enlace del menú de descarga, las tablas HTML convertidas en tablas de docutils y el
contador de capítulos de LaTeX. El PDF construido lo miran los tests de
``tests/book/test_pdf.py``."""

from __future__ import annotations

import latex_edition


def table_rows(nodes_):
    from docutils import nodes

    table = next(n for n in nodes_ if isinstance(n, nodes.table))
    head = [[e.astext() for e in row] for row in table.findall(nodes.row)
            if isinstance(row.parent, nodes.thead)]
    body = [[e.astext() for e in row] for row in table.findall(nodes.row)
            if isinstance(row.parent, nodes.tbody)]
    return table, head, body


def test_the_pdf_link_only_when_the_pdf_will_exist(tmp_path, monkeypatch):
    class App:
        outdir = str(tmp_path / "html")

    def context():
        return {"header_buttons": [{"label": "download-buttons", "buttons": []}],
                "pathto": lambda name, _: f"../{name}"}

    monkeypatch.delenv("PIDL_PDF_LINK", raising=False)
    ctx = context()
    latex_edition.add_pdf_link(App, "x", "page.html", ctx, None)
    assert ctx["header_buttons"][0]["buttons"] == []
    monkeypatch.setenv("PIDL_PDF_LINK", "1")
    ctx = context()
    latex_edition.add_pdf_link(App, "x", "page.html", ctx, None)
    assert ctx["header_buttons"][0]["buttons"][0]["url"] == f"../{latex_edition.PDF_NAME}"


def test_an_html_table_becomes_a_table_with_its_formatting():
    from docutils import nodes

    html = ("<table><tr><th>paso</th><th><b>x</b><sub><i>i</i></sub></th></tr>"
            "<tr><td>1</td><td>(0.50, -1.00)</td></tr><tr><td>2</td><td>(1.00, 2.00)</td></tr></table>")
    result = latex_edition.html_table(html)
    table, head, body = table_rows(result)
    assert head == [["paso", "xi"]]
    assert body == [["1", "(0.50, -1.00)"], ["2", "(1.00, 2.00)"]]
    assert table.next_node(nodes.subscript).astext() == "i"
    assert table.next_node(nodes.strong).astext() == "x"


def test_a_pandas_styler_table_keeps_its_caption_and_spans():
    html = """<style type="text/css">\n</style>
<table id="T_1"><caption>Mejor tasa (3 semillas)</caption>
<thead><tr><th class="blank">&nbsp;</th><th colspan="2">pérdida</th></tr>
<tr><th>opt</th><th>train</th><th>val</th></tr></thead>
<tbody><tr><th rowspan="2">SGD</th><td>0.1</td><td>0.2</td></tr>
<tr><td>0.3</td><td>0.4</td></tr></tbody></table>"""
    result = latex_edition.html_table(html)
    assert result[0].astext() == "Mejor tasa (3 semillas)"
    table, head, body = table_rows(result)
    assert table.next_node(lambda n: n.tagname == "tgroup")["cols"] == 3
    assert head == [["", "pérdida"], ["opt", "train", "val"]]
    assert body == [["SGD", "0.1", "0.2"], ["0.3", "0.4"]]


def test_html_without_a_table_is_left_alone():
    assert latex_edition.html_table("<div><b>hola</b></div>") is None


def test_chapter_counters_follow_the_book_numbering():
    assert latex_edition.chapter_counter("0") == r"\setcounter{chapter}{-1}"
    assert latex_edition.chapter_counter("12") == r"\setcounter{chapter}{11}"
    code = latex_edition.chapter_counter("A1")
    assert r"\renewcommand{\thechapter}{A\arabic{chapter}}" in code
    assert code.endswith(r"\setcounter{chapter}{0}")
    assert latex_edition.chapter_counter("") is None
