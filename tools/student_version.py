"""Versión para estudiantes: notebooks listos para Colab sin las soluciones.

Hace lo mismo que ``tools/export_colab.py`` (mismos argumentos) y además:

- quita las soluciones de los ejercicios (los bloques ``{solution}`` y lo que
  haya entre ``{solution-start}`` y ``{solution-end}``, celdas de código incluidas);
- deja en blanco, con una marca ``# TODO``, las celdas de código que el autor
  etiquetó ``student-todo``; la celda de comprobación que sigue se conserva, así
  el estudiante verifica su propia respuesta.

    python tools/student_version.py --out alumnos/
    python tools/student_version.py chapters/02-mlp.md --out alumnos/ --build-dir _build
"""

from __future__ import annotations

import export_colab  # tools/export_colab.py (la carpeta de la orden está en sys.path)

TODO_TAG = "student-todo"
TODO_CELL = (
    "# TODO: escriba aquí su código.\n"
    "# La celda «# Comprobación» que sigue verifica su resultado.\n"
)


def blank_todo_cells(notebook) -> int:
    """Deja en blanco las celdas etiquetadas ``student-todo``; devuelve cuántas."""
    blanked = 0
    for cell in notebook.cells:
        if cell.cell_type == "code" and TODO_TAG in cell.metadata.get("tags", []):
            cell.source = TODO_CELL
            cell.outputs = []
            blanked += 1
    return blanked


def main(argv: list[str] | None = None) -> int:
    return export_colab.run(argv, __doc__, solutions=False, transform=blank_todo_cells)


if __name__ == "__main__":
    raise SystemExit(main())
