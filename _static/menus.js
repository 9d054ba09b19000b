/*
 * Botones de menú que funcionan en todos los anchos (issue #24, punto 1).
 *
 * Problema: con sphinx-book-theme 1.3.0 y pydata-sphinx-theme 0.17.1 cada página
 * tiene DOS botones ☰ (clase `primary-toggle`) y DOS de «contenido de la página»
 * (clase `secondary-toggle`): los de la barra superior de pydata, que
 * sphinx-book-theme oculta, y los de la cabecera del artículo, los únicos visibles.
 * Ambos temas buscan el botón con `document.querySelector(...)`, que devuelve el
 * primero del documento —el oculto—, y solo a ese le asignan su acción: abrir el
 * panel (un <dialog>) en pantallas estrechas y plegar la barra lateral en las
 * anchas. Tocar el botón visible no hace nada (pydata-sphinx-theme#2451,
 * sphinx-book-theme#988).
 *
 * Arreglo: un clic en cualquier otro botón de la misma clase se reenvía al botón
 * que el tema sí atiende (el primero), y así actúa el código del propio tema,
 * sin reimplementarlo. El clic se intercepta en la fase de captura del
 * documento, antes de que llegue al botón, y se detiene: el botón visible nunca
 * ejecuta sus propios manejadores, de modo que si una versión futura del tema
 * también los atiende, la acción no se hace dos veces (plegar y desplegar la
 * barra en el mismo clic). Si una versión futura dibuja un solo botón, este
 * script no hace nada. tests/test_browser.py (test_menus_*) comprueba los menús
 * a 390 px y a 1440 px, así que una actualización que los rompa no pasa en silencio.
 *
 * Jupyter Book 1 carga automáticamente todo `_static/*.js` en cada página.
 */
(function () {
  "use strict";

  // Las clases de los botones de menú: barra lateral de capítulos y contenido de la página.
  var CLASES = ["primary-toggle", "secondary-toggle"];

  document.addEventListener(
    "click",
    function (evento) {
      if (!(evento.target instanceof Element)) {
        return;
      }
      for (var i = 0; i < CLASES.length; i++) {
        var selector = "." + CLASES[i];
        var pulsado = evento.target.closest(selector);
        if (!pulsado) {
          continue;
        }
        // El botón al que el tema asignó su acción: el mismo que él busca.
        var atendido = document.querySelector(selector);
        if (!atendido || atendido === pulsado) {
          return; // ya es el botón del tema: que actúe él
        }
        evento.preventDefault();
        evento.stopImmediatePropagation();
        // Con el foco en el botón pulsado, el tema lo devuelve ahí al cerrar el panel.
        atendido.click();
        return;
      }
    },
    true, // fase de captura: antes que cualquier manejador del botón pulsado
  );

  // Los paneles (<dialog>) que abren esos botones en pantallas estrechas.
  var PANELES = ["pst-primary-sidebar-modal", "pst-secondary-sidebar-modal"];

  // Un enlace del panel a otra sección de ESTA página («contenido de la página»)
  // desplaza el texto debajo del panel, que el tema deja abierto tapándolo: se
  // cierra el panel para que el lector vea la sección elegida. Al cerrarse, el
  // tema devuelve el foco al botón del menú y el navegador desplaza la página
  // hacia él, así que después se vuelve a llevar la sección a la vista (este
  // manejador de `close` se registra después de los del tema y corre el último).
  // Los enlaces a otra página no lo necesitan (la página se reemplaza).
  document.addEventListener("click", function (evento) {
    if (!(evento.target instanceof Element)) {
      return;
    }
    var enlace = evento.target.closest("a[href]");
    var panel = enlace && enlace.closest("dialog[open]");
    if (!panel || PANELES.indexOf(panel.id) < 0) {
      return;
    }
    var mismaPagina =
      enlace.origin === location.origin && enlace.pathname === location.pathname;
    if (mismaPagina && enlace.hash) {
      var destino = document.getElementById(decodeURIComponent(enlace.hash.slice(1)));
      panel.addEventListener(
        "close",
        function () {
          if (destino) {
            destino.scrollIntoView();
          }
        },
        { once: true },
      );
      panel.close();
    }
  });
})();
