"""The front-matter keys an article may have: those companion reads (`KNOWN_KEYS`), and those
Jekyll, its themes and plugins (and Hugo) use, kept in `Article.extra` without a warning
(`THEME_KEYS`). Any other key is warned about, with the nearest known one."""

KNOWN_KEYS = frozenset({
    "layout", "title", "author", "categories", "tags", "image", "video", "spotify",
    "description", "featured", "hidden", "date", "lang", "guid", "audio", "season", "episode",
    "episode_type", "explicit", "slug", "published", "draft",
    "remote_audio",  # issue 16, item 4: an imported show's enclosure kept at its own URL
    # issue 16A: podcast:person, podcast:location, podcast:license
    "hosts", "guests", "location", "license",
    "chapters",  # the episode's chapters, for audio of the newsroom's own (no video)
    "people",  # issue 25: people with pictures (name, role, group, image, link)
})
#: Keys that Jekyll, its common themes and plugins (and Hugo) use: kept in `extra`, quietly.
THEME_KEYS = frozenset({
    "permalink", "excerpt", "excerpt_separator", "redirect_from", "redirect_to",
    "last_modified_at", "category", "comments", "share", "related", "toc", "toc_label",
    "toc_icon", "toc_sticky", "header", "teaser", "classes", "sidebar", "author_profile",
    "read_time", "show_date", "sitemap", "pin", "seo_title", "canonical_url", "subtitle",
    "summary", "keywords", "modified", "updated", "lastmod", "render_with_liquid",
    "pagination", "math", "mathjax", "image_alt", "image_caption", "caption", "credit",
    "source", "weight", "aliases", "series", "publishDate", "expiryDate",
    "thumbnail", "cover", "feature", "feature_image", "og_image", "twitter", "lang_ref",
    "translations", "ref", "type", "id", "uuid", "menu", "nav_order", "parent",
    "search", "robots", "noindex", "show_excerpts", "tagline", "overlay_image", "mermaid",
})
