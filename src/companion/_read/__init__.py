"""In: the article files under episodes/. Out: `Article`s (front matter, body, language,
links cleaned of tracking, slug) and their `Identity` (slug, GUID, lifecycle), or problems.
`articles` reads an article whole; `frontmatter` turns its bytes into text and fields
(YAML front matter, sidecars); `identity` gives its GUID and `Identity`."""
