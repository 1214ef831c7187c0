"""In: the command line. Out: calls to the public API (`companion.load_project`) and what
they return, printed; the only place that prints."""
