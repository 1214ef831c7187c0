"""The version of companion (one place: the package, the user agent, the CLI)."""

__version__ = "0.2.0"
