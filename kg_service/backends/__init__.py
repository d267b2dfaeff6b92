"""Store backends: ``oxigraph`` (embedded pyoxigraph, the default), ``rdflib``, ``remote``."""
