"""In: companion.toml and feeds/*.toml. Out: a `Site` and `FeedDefinition`s, validated
(a problem names the file, the setting and the fix); the scaffold of a new project."""
