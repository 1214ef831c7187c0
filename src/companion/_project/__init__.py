"""In: the project and the command's words. Out: the commands' project operations:
`check` (every problem, without a build), `new` (an article from a template), `notes`
(the paste-ready texts) and `clean` (the build's outputs and state removed). The API
and the CLI ask them; they use the build and the stages below it."""
