// Textos de la búsqueda de Sphinx en el navegador (searchtools.js y
// sphinx_highlight.js). Sphinx copia este archivo como _static/translations.js
// EN LUGAR del suyo (locale_dirs va primero): por eso están todos los mensajes
// que usan esos scripts, no solo los corregidos. El catálogo de Sphinx 7.4 dice,
// sin resultados, «Su búsqueda no coincide con ningún documentos… usted allá
// seleccionado las suficientes categorías».
Documentation.addTranslations({
  "locale": "es",
  "messages": {
    ", in ": ", en ",
    "Hide Search Matches": "Ocultar las coincidencias",
    "Preparing search...": "Preparando la búsqueda…",
    "Search Results": "Resultados de la búsqueda",
    "Search finished, found ${resultCount} page(s) matching the search query.": "Búsqueda terminada: ${resultCount} página(s) coinciden con la consulta.",
    "Searching": "Buscando",
    "Your search did not match any documents. Please make sure that all words are spelled correctly and that you've selected enough categories.": "Ninguna página contiene todas las palabras buscadas. Pruebe con menos palabras o con otras."
  },
  "plural_expr": "n == 1 ? 0 : 1"
});
