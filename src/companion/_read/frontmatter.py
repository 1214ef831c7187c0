"""An article file's bytes to its text and its fields: the size limit, the encoding, the
YAML front matter (safe, bounded: no alias bomb, no absurd integer) and a plain-text
article's ``<stem>.yml`` sidecar (and the sidecar with no article, reported)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml

from companion._config.project import inside, project_rel
from companion._errors import Problem, ReadError
from companion._read.files import (
    SIDECAR_SUFFIXES,
)
from companion._site_model import Site
from companion._text import clean_text

#: An article is text someone wrote: anything larger is a mistake (a pasted binary, a dump).
MAX_ARTICLE_BYTES = 2_000_000
#: Front matter is a handful of keys: a YAML alias bomb expands far beyond this.
MAX_FRONT_MATTER_NODES = 20_000
#: A YAML integer longer than this stays text: a field that wants a number says what is wrong
#: (Python refuses to read integers of more than 4,300 digits, with a message about itself).
MAX_YAML_DIGITS = 30


# -- files ---------------------------------------------------------------------------------


def orphan_sidecar(path: Path, site: Site) -> Problem | None:
    if path.suffix.lower() not in SIDECAR_SUFFIXES or path.with_suffix(".txt").exists():
        return None
    return Problem("warning", project_rel(path, site),
                   "a sidecar with no .txt article of the same name; ignored",
                   f"rename it to match its article, e.g. {path.stem}.txt")


# -- bytes to text -------------------------------------------------------------------------


def read_bytes(path: Path, where: str) -> bytes:
    """The file's bytes; a FIFO, device or folder, or a file over the size limit, is refused
    before anything is read (so neither a pipe nor a huge file can stall the read)."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ReadError("not a regular file (a pipe, device or folder)", where=where,
                        fix="remove it from episodes/")
    if info.st_size > MAX_ARTICLE_BYTES:
        raise ReadError(f"the file is too large ({info.st_size:,} bytes; at most "
                        f"{MAX_ARTICLE_BYTES:,})", where=where,
                        fix="an article is text: remove what does not belong in it")
    with path.open("rb") as handle:
        return handle.read(MAX_ARTICLE_BYTES + 1)


def decode(raw: bytes, where: str) -> str:
    fix = "save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)"
    if len(raw) > MAX_ARTICLE_BYTES:
        raise ReadError(f"the file is too large ({len(raw):,} bytes; at most "
                        f"{MAX_ARTICLE_BYTES:,})", where=where,
                        fix="an article is text: remove what does not belong in it")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("the file is UTF-16, not UTF-8", where=where, fix=fix)
    if b"\x00" in raw:
        raise ReadError("a binary file, not an article", where=where,
                        fix="remove it from episodes/ or save the article as UTF-8 text")
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = raw[exc.start:exc.start + 1].hex()
        raise ReadError(f"not UTF-8 (byte 0x{byte} at offset {exc.start}; "
                        "Latin-1 or Windows-1252?)", where=where, fix=fix) from None
    if not text.strip():
        raise ReadError("the file is empty", where=where,
                        fix="write the article, or delete the file")
    return clean_text(text.replace("\r\n", "\n").replace("\r", "\n"))


#: libyaml's parser when PyYAML was built with it (every wheel on PyPI is): 7x faster
#: than the pure-Python one, with the same answers; it also refuses nesting deeper than
#: 1,000 levels by itself.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader) \
    if yaml.__with_libyaml__ else yaml.SafeLoader


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """safe_load, but dates stay text: the date field parses them, with a good message."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


def _int_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """A YAML integer, or its text when it is absurdly long (see `MAX_YAML_DIGITS`)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    text = loader.construct_scalar(node)
    if isinstance(text, str) and len(text) > MAX_YAML_DIGITS:
        return text
    return loader.construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many nodes `node` stands for once every alias is expanded (memoized, so linear)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # a recursive alias counts once
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    sizes[id(node)] = total = min(total, MAX_FRONT_MATTER_NODES + 1)
    return total


def _load_yaml(text: str, where: str, first_line: int) -> dict[str, Any]:
    fix = ("correct the YAML; quote values that contain ': ' or start with a special "
           "character")
    loader = _Loader(text)
    try:  # composed once: the alias check and the values come from the same nodes
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_FRONT_MATTER_NODES:
            raise ReadError("front matter is too large once its YAML aliases (*name) are "
                            "expanded", where=where, field="front matter",
                            fix="write the values out instead of repeating aliases")
        data = None if node is None else loader.construct_document(node)
    except RecursionError:
        raise ReadError("front matter is nested too deeply", where=where,
                        field="front matter", fix=fix) from None
    except (yaml.YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + first_line}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ReadError(f"front matter is not valid YAML ({line}{problem})", where=where,
                        field="front matter", fix=fix) from None
    finally:
        loader.dispose()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ReadError(f"front matter must be a mapping of keys, not a {type(data).__name__}",
                        where=where, field="front matter",
                        fix="write one 'key: value' per line between the --- lines")
    return {str(key): value for key, value in data.items()}


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any] | None, str]:
    """(front matter or None, body)."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, text
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            data = _load_yaml("\n".join(lines[1:number]), where, first_line=2)
            return data, "\n".join(lines[number + 1:])
    raise ReadError("front matter is not closed", where=where, field="front matter",
                    fix="end the front matter with a line of three dashes: ---")


def sidecar(path: Path, site: Site) -> dict[str, Any]:
    found = [path.with_suffix(s) for s in SIDECAR_SUFFIXES if path.with_suffix(s).is_file()]
    if not found:
        return {}
    where = project_rel(found[0], site)
    if len(found) > 1:
        raise ReadError("two sidecars for one article", where=where,
                        fix=f"keep one of {found[0].name} and {found[1].name}")
    if found[0].is_symlink() and not inside(found[0], site.root):
        raise ReadError("a symbolic link that points outside the project; not followed",
                        where=where, fix="copy the sidecar into episodes/")
    text = decode(read_bytes(found[0], where), where)
    return _load_yaml(text, where, first_line=1)
