"""In: the article files under episodes/. Out: `Article`s (front matter, body, language,
links cleaned of tracking, slug) and their `Identity` (slug, GUID, lifecycle), or problems."""
