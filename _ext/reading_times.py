"""Rol ``{tiempo-estimado}`02-mlp``` : el tiempo estimado de lectura y ejecución del capítulo.

Lo calcula ``pidl_book.reading_time`` a partir del texto fuente del capítulo (palabras de
prosa, ecuaciones, líneas de código visibles) y de los segundos de ejecución medidos en
``tools/execution_seconds.json``, con la misma fórmula para todos los capítulos
(véase {doc}`A5-tiempos`). Así ningún recuadro de objetivos lleva un tiempo escrito a mano.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes

from pidl_book import CHAPTERS_DIR, reading_time


def setup(app):
    def role(name, rawtext, text, lineno, inliner, options=None, content=None):
        stem = text.strip()
        try:
            value = reading_time.estimate(stem, root=Path(app.srcdir)).text()
        except FileNotFoundError as err:
            msg = inliner.reporter.error(str(err), line=lineno)
            return [inliner.problematic(rawtext, rawtext, msg)], [msg]
        env = inliner.document.settings.env
        # si cambia el capítulo contado o los tiempos medidos, la página se recalcula
        env.note_dependency(str(Path(app.srcdir) / CHAPTERS_DIR / f"{stem}.md"))
        env.note_dependency(str(reading_time.times_file(app.srcdir)))
        return [nodes.Text(value)], []

    app.add_role("tiempo-estimado", role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
