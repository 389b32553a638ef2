"""Op specs, one module per family. Every module here is imported by ``registry.load_specs``;
each calls ``registry.register(OpSpec(...))`` at import time."""
