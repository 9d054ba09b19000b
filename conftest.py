# Registra el plugin que ejecuta los capítulos MyST con nbval.
pytest_plugins = ["tests.nbval_md"]
