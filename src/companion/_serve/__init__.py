"""In: the project, watched. Out: the built site served on 127.0.0.1, rebuilt on every
change (`companion serve`): the build's own, into a folder of its own; never publishes."""
