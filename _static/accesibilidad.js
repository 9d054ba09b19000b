/*
 * Arreglos de accesibilidad que el libro no puede hacer en las plantillas
 * (issue #24, punto 3; los comprueba axe-core en tests/test_browser.py).
 *
 * 1. Bibliografía: docutils escribe la lista de referencias como
 *    <div role="list" class="citation-list"> con hijos role="doc-biblioentry";
 *    ARIA 1.2 pide que los hijos de una lista sean role="listitem" (axe:
 *    aria-required-children, crítico). Cada entrada pasa a ser un elemento de lista.
 * 2. Bloques que se desplazan de costado (código en un teléfono, una solución que se
 *    acaba de abrir): el tema les da tabindex="0" solo si ya se desplazaban al cargar;
 *    los que empiezan ocultos quedan sin foco y no se pueden desplazar con el teclado
 *    (axe: scrollable-region-focusable, grave). Se vuelve a mirar al cargar, al
 *    cambiar el tamaño de la ventana y después de cada clic (abrir un desplegable).
 * 3. Celdas con el código oculto (hide-input): MyST-NB escribe
 *    <summary aria-label="Toggle hidden content">, en inglés y distinto del texto
 *    visible («Mostrar el código»; axe: label-content-name-mismatch). Sin aria-label,
 *    el nombre es el texto visible.
 */
(function () {
  "use strict";

  function bibliografia() {
    document.querySelectorAll('.citation-list[role="list"] > [role="doc-biblioentry"]')
      .forEach(function (entrada) {
        entrada.setAttribute("role", "listitem");
      });
  }

  function desplegablesDeCodigo() {
    document.querySelectorAll('summary[aria-label="Toggle hidden content"]').forEach(function (s) {
      s.removeAttribute("aria-label");
    });
  }

  var DESPLAZABLES = "article pre, article .pst-scrollable-table-container, " +
    "article .cell_output .output, article mjx-container, article p, article dl.py > dt.sig";

  function desplazables() {
    document.querySelectorAll(DESPLAZABLES).forEach(function (caja) {
      if (caja.scrollWidth > caja.clientWidth + 1 && caja.clientWidth > 0) {
        caja.setAttribute("tabindex", "0");
      }
    });
  }

  var pendiente = null;
  function pronto() {
    clearTimeout(pendiente);
    pendiente = setTimeout(desplazables, 150);
  }

  function iniciar() {
    bibliografia();
    desplegablesDeCodigo();
    desplazables();
    window.addEventListener("load", desplazables);
    window.addEventListener("resize", pronto);
    document.addEventListener("click", pronto);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", iniciar);
  } else {
    iniciar();
  }
})();
