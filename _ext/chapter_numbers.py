"""Numeración por capítulo: ecuación (12.1), Figura 12.2, Ejercicio 12.3, sección 12.1.

Sin secciones numeradas en ``_toc.yml``, Sphinx numera ecuaciones, figuras, tablas
y ejercicios de corrido en todo el libro: la primera ecuación del capítulo 01 sería
la (9). Esta extensión reescribe, después de que Sphinx asigna los números, cada
número como ``(capítulo, n)``, con ``n`` contado dentro del capítulo. El prefijo
sale del nombre del archivo con la regla del libro, ``pidl_book.doc_number``
(``chapters/12-pinns-burgers`` → 12, ``chapters/A1-notacion`` → A1), la misma con la
que numera la exportación a Colab (``pidl_book.myst``), así que un notebook exportado
cita los mismos números que el libro. Las páginas fuera de ``chapters/`` no cambian.

Lo mismo con los números de sección que pide ``numbered`` en ``_toc.yml`` (la
barra lateral y los títulos: «6. Redes convolucionales», «6.2 …»): Sphinx empieza
de nuevo en 1 en cada parte del índice y cuenta la introducción como capítulo 1,
así que el capítulo 06 sería el 1 de «Arquitecturas». Aquí el primer número de cada
sección de un capítulo pasa a ser su prefijo, el mismo de «Ejercicio 6.1» y «(6.2)».
"""

from __future__ import annotations

from pidl_book import doc_number


def renumber(env) -> None:
    """Pasa los números de cada capítulo a ``(prefijo, 1), (prefijo, 2), …`` por tipo."""
    for docname, by_type in env.toc_fignumbers.items():
        if not (prefix := doc_number(docname)):
            continue
        for figtype, numbers in by_type.items():
            order = sorted(numbers, key=lambda ident: numbers[ident])
            by_type[figtype] = {ident: (prefix, i) for i, ident in enumerate(order, 1)}


def renumber_sections(env) -> None:
    """Cambia el primer número de cada sección de un capítulo por su prefijo (6, A1)."""
    for docname, numbers in env.toc_secnumbers.items():
        if not (prefix := doc_number(docname)):
            continue
        for anchor, number in numbers.items():
            if number:
                numbers[anchor] = (prefix, *number[1:])
        # Los enlaces del índice (barra lateral) y el título de la página llevan su
        # propia copia del número.
        title = env.titles.get(docname)
        nodes = [*env.tocs[docname].findall(lambda n: "secnumber" in getattr(n, "attributes", {}))]
        for node in [*nodes, *([title] if title is not None else [])]:
            if node.get("secnumber"):
                node["secnumber"] = [prefix, *node["secnumber"][1:]]


def setup(app):
    def on_env_get_updated(app, env) -> list[str]:
        renumber(env)
        renumber_sections(env)
        return []

    # Prioridad alta: corre después del colector de Sphinx que asigna los números.
    app.connect("env-get-updated", on_env_get_updated, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
