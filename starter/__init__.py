"""How people and systems drive Safeside: the command line (and later the HTTP API and web page)."""
