/*
 * Puntajes de la búsqueda del libro (html_search_scorer, lo fija _ext/interfaz_es.py).
 *
 * Los de Sphinx 7.4, salvo la prioridad de los objetos de la API: con 5 puntos,
 * una función de pidl que se llama como la palabra buscada (11 + 5 = 16) quedaba
 * antes que el capítulo con esa palabra en el título (15): al buscar «Burgers» el
 * primer resultado era la referencia de la API y no el capítulo 12. Con 3, el
 * capítulo va primero y la API justo después.
 */
var Scorer = {
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: {
    0: 8,
    1: 3,
    2: -5,
  },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
