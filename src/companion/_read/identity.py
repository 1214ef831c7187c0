"""An episode's lasting identity: its GUID (explicit, or derived from its video, audio or
slug: never changes once published), its old addresses, and the `Identity` of an
article read whole."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from companion._model import Article
from companion._site_model import Identity
from companion._text import clean_text

#: companion's own namespace for episode GUIDs (UUIDv5). Never change it.
GUID_NAMESPACE = uuid.UUID("89b64a9b-cf28-4b0a-b902-a9f7ffea180c")


def guid_for(explicit: str | None, youtube_id: str | None, spotify_id: str | None,
             slug: str) -> str:
    """Explicit `guid:` wins; else UUIDv5 of youtube:<id>, spotify:<id>, or slug:<slug>."""
    if explicit:
        return explicit
    if youtube_id:
        name = f"youtube:{youtube_id}"
    elif spotify_id:
        name = f"spotify:{spotify_id}"
    else:
        name = f"slug:{slug}"
    return str(uuid.uuid5(GUID_NAMESPACE, name))


def article_guid(article: Article) -> str:
    return guid_for(article.guid, article.youtube_id, article.spotify_id, article.slug)


def redirect_from(data: Mapping[str, Any]) -> tuple[str, ...]:
    """`redirect_from:` (jekyll-redirect-from): one old address of the page, or a list."""
    value = data.get("redirect_from")
    values = value if isinstance(value, list) else [value]
    found = (clean_text(str(v)).strip() for v in values
             if v is not None and not isinstance(v, (dict, list)))
    return tuple(dict.fromkeys(v for v in found if v))


def story_ref(data: Mapping[str, Any]) -> str | None:
    """`ref:` (as Jekyll's multilingual plugins write it): the key the languages of one
    story share."""
    value = data.get("ref")
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    return clean_text(str(value)).strip() or None


def translations_of(data: Mapping[str, Any]) -> tuple[str, ...]:
    """`translations:` (a sidecar's): the slugs of the same story in other languages."""
    value = data.get("translations")
    values = value if isinstance(value, list) else [value]
    found = (clean_text(str(v)).strip() for v in values
             if v is not None and not isinstance(v, (dict, list, bool)))
    return tuple(dict.fromkeys(v for v in found if v))


def identity_of(article: Article) -> Identity:
    """The identity of an article that was read whole (the same as `read_identity`'s)."""
    files = tuple(f for f in (article.audio, article.image) if f and "://" not in f)
    return Identity(article.slug, article_guid(article), article.draft, article.date,
                    article.hidden, files, redirect_from(article.extra),
                    story_ref(article.extra), translations_of(article.extra))
