/*
 * Resúmenes de la búsqueda con el texto del capítulo (issue #24).
 *
 * Para el resumen de cada resultado, la búsqueda de Sphinx (searchtools.js) descarga
 * la página y toma el texto de [role="main"]. En este tema, ese elemento empieza por
 * la barra de botones del artículo (☰, «Colab», «Repositorio», «.ipynb (sin
 * salidas)», «Libro completo (PDF)»...) y el índice solo para imprimir, así que el
 * resumen empezaba con los nombres de los botones. Aquí se quitan esas partes del
 * HTML descargado antes de que Sphinx extraiga el texto; lo demás (el fragmento
 * alrededor de la palabra buscada) lo sigue haciendo Sphinx.
 */
(function () {
  "use strict";

  var FUERA_DEL_TEXTO = [
    ".bd-header-article",       // botones del artículo (menús, ejecutar, descargar...)
    ".onlyprint",               // título e índice que solo se ven al imprimir
    ".bd-sidebar-secondary",    // «Contenido» de la página
    ".prev-next-area",          // «página anterior / siguiente»
    ".bd-footer-content",
  ].join(", ");

  function soloElTexto() {
    if (typeof Search === "undefined" || !Search.htmlToText || Search.htmlToText.pidl) return;
    var original = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(FUERA_DEL_TEXTO).forEach(function (el) { el.remove(); });
      return original(doc.documentElement.outerHTML, anchor);
    };
    Search.htmlToText.pidl = true;
  }

  // searchtools.js define Search al cargarse; los resúmenes se piden después (fetch).
  soloElTexto();
  document.addEventListener("DOMContentLoaded", soloElTexto);
})();
