/*
 * Figuras a tamaño completo con un toque (issue #24, punto 2).
 *
 * En un teléfono (390 px) una figura de varios paneles se dibuja a una fracción
 * de su tamaño y sus rótulos no se leen. Cada imagen de una salida de celda o de
 * una figura del texto pasa a ser un enlace a su propio archivo: un toque la
 * abre sola, a tamaño natural, donde el navegador deja ampliarla y desplazarla;
 * «atrás» vuelve al capítulo. El enlace se nombra con el texto alternativo de la
 * imagen (que sigue dentro), así que el lector de pantalla dice lo mismo que antes
 * y además que es un enlace. Sin JavaScript las imágenes quedan como estaban.
 */
(function () {
  "use strict";

  var SELECTOR = "article .cell_output img, article figure img, article .figure img";

  function enlazar() {
    document.querySelectorAll(SELECTOR).forEach(function (img) {
      if (img.closest("a")) {
        return; // ya es (o está dentro de) un enlace
      }
      var enlace = document.createElement("a");
      enlace.href = img.getAttribute("src");
      enlace.className = "pidl-figura-completa";
      enlace.title = "Abrir la figura a tamaño completo";
      img.parentNode.insertBefore(enlace, img);
      enlace.appendChild(img);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enlazar);
  } else {
    enlazar();
  }
})();
