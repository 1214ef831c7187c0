"""Artwork that Apple accepts: square, 1400-3000 px, RGB, JPEG or PNG.

`compliant_artwork` turns any readable image (a 1280x720 YouTube thumbnail, a
CMYK JPEG, a 5000 px PNG with alpha) into such a copy, deterministically: fixed
quality, no EXIF, no timestamps. An image that already complies is returned
as it is. Each fix is reported as an `info` Problem; an unreadable image raises
`FeedError`.

`show_artwork` and `episode_artwork` place an image in the site (a `PlacedImage`):
the show's artwork; an episode's own `image:`, else the YouTube thumbnail that
`companion fetch` cached, as a compliant copy (never a hotlink to i.ytimg.com),
else none (feeds fall back to the show's artwork). Making a copy is a side effect
of the build (`_build.prepare`), never of the render.

Pages get copies of their own, since the square compliant copy is for feeds: the
episode's picture as it is (a 16:9 thumbnail stays 16:9) at 640 and 1280 px wide,
never upscaled; for a show, a 400 px square and favicons (32 and 180 px PNGs, and
an ICO). They are made and kept the same way, under a recipe of their own.

Copies are keyed by the source's content alone (its sha256): the same bytes give
the same copy, made once per process (a small in-memory cache) and kept between
builds in ``<project>/.companion/artwork/<recipe>/<source-sha256>.<ext>`` (git-ignored,
written atomically). ``<recipe>`` names the resize/encode settings, so a change to
them never reuses an old copy. ``build --force`` uses this cache too: it is exact
(content-addressed, deterministic), so a forced build gives the same bytes;
delete ``.companion/artwork/`` to make the copies again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageOps, ImageStat, UnidentifiedImageError

from companion import _paths as paths
from companion._errors import CompanionError, FeedError, Problem
from companion._files import atomic_write
from companion._model import ArtworkUrl, Credit, Episode, FeedDefinition
from companion._site_model import OutputFile, PlacedImage, Site

MIN_SIDE = 1400
MAX_SIDE = 3000
JPEG_QUALITY = 90
_CROP_RATIO = 4 / 3  # up to this aspect ratio we crop to a square; beyond it we pad
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png"}
MIME_TYPES = {"jpg": "image/jpeg", "png": "image/png"}
# Names the settings below (filters, quality, encoder options): change it whenever
# the bytes a source gives could change, so the on-disk cache is not reused.
RECIPE = "r2"
CACHE_DIR = Path(".companion") / "artwork"  # relative to the project folder
_MEMORY_ENTRIES = 64  # copies kept in memory (about 0.01-0.6 MB each)


@dataclass(frozen=True)
class ImageFacts:
    """What Apple looks at in an artwork file."""

    format: str | None
    mode: str
    width: int
    height: int

    def faults(self) -> list[str]:
        found: list[str] = []
        if self.format not in _EXTENSIONS:
            found.append(f"format {self.format or 'unknown'} is not JPEG or PNG")
        if self.mode != "RGB":
            found.append(f"colour mode {self.mode} is not RGB")
        if self.width != self.height:
            found.append(f"{self.width}x{self.height} is not square")
        side = max(self.width, self.height)
        if min(self.width, self.height) < MIN_SIDE or side > MAX_SIDE:
            found.append(f"{self.width}x{self.height} is outside {MIN_SIDE}-{MAX_SIDE} px")
        return found


def _open(source: bytes, where: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(source))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise FeedError(f"artwork is not a readable image ({exc})", where=where,
                        fix="use a JPEG or PNG file of 1400x1400 to 3000x3000 px") from None
    return image


def image_facts(source: bytes, where: str) -> ImageFacts:
    image = _open(source, where)
    return ImageFacts(image.format, image.mode, image.width, image.height)


def compliant_artwork(source: bytes, where: str) -> tuple[bytes, str, list[Problem]]:
    """A compliant copy of `source`, its extension ("jpg"/"png"), and what was fixed."""
    image = _open(source, where)
    facts = ImageFacts(image.format, image.mode, image.width, image.height)
    faults = facts.faults()
    if not faults:
        return source, _EXTENSIONS[str(facts.format)], []
    fixed = _square(_rgb(ImageOps.exif_transpose(image)))
    fixed = _fit(fixed)
    problems = [_info(where, fault) for fault in faults]
    return _jpeg(fixed), "jpg", problems


def _info(where: str, fault: str) -> Problem:
    return Problem("info", where, f"artwork {fault}; published as a compliant "
                   f"{MIN_SIDE}-{MAX_SIDE} px square RGB JPEG copy",
                   "supply a square RGB JPEG/PNG of 1400-3000 px to control the result",
                   "artwork")


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _square(image: Image.Image) -> Image.Image:
    width, height = image.size
    if width == height:
        return image
    side_long, side_short = max(width, height), min(width, height)
    if side_long / side_short <= _CROP_RATIO:
        left, top = (width - side_short) // 2, (height - side_short) // 2
        return image.crop((left, top, left + side_short, top + side_short))
    fill = tuple(round(v) for v in ImageStat.Stat(image).mean[:3])
    canvas = Image.new("RGB", (side_long, side_long), fill)
    canvas.paste(image, ((side_long - width) // 2, (side_long - height) // 2))
    return canvas


def _fit(image: Image.Image) -> Image.Image:
    """Scale to the nearest allowed side: an upscale (a 720 px thumbnail crop to 1400 px)
    with BICUBIC, which cannot add detail LANCZOS would keep and costs a quarter less;
    a downscale with LANCZOS after an integer `reduce` (Pillow's `reducing_gap`), which
    does most of the shrinking by cheap box averaging."""
    side = image.width
    target = min(max(side, MIN_SIDE), MAX_SIDE)
    if target == side:
        return image
    if target > side:
        return image.resize((target, target), Image.Resampling.BICUBIC)
    return image.resize((target, target), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False,
               subsampling=0)
    return out.getvalue()


@dataclass(frozen=True)
class _Copy:
    """A compliant copy of one source: its bytes, extension, sha256, size, and the
    source's faults (turned into Problems with each caller's `where`)."""

    data: bytes
    ext: str
    digest: str
    size: tuple[int, int]
    faults: tuple[str, ...]


_memory: OrderedDict[str, _Copy] = OrderedDict()
_memory_lock = threading.Lock()


def _recall(key: str) -> _Copy | None:
    with _memory_lock:
        found = _memory.get(key)
        if found is not None:
            _memory.move_to_end(key)
        return found


def _remember(key: str, copy: _Copy) -> _Copy:
    with _memory_lock:
        _memory[key] = copy
        while len(_memory) > _MEMORY_ENTRIES:
            _memory.popitem(last=False)
    return copy


def clear_memory() -> None:
    """Forget the in-memory copies (tests; the on-disk cache is untouched)."""
    with _memory_lock:
        _memory.clear()


#: The formats of the copies companion keeps (`_kept`), by extension: opened as that
#: format alone, so that reading a kept favicon does not load every Pillow plugin (about
#: 50 ms, most of a one-edit build's artwork time: `Image.open` tries them all for ICO).
_KEPT_FORMATS = {"jpg": ("JPEG",), "png": ("PNG",), "ico": ("ICO",)}


def _header(data: bytes, formats: tuple[str, ...] | None = None) -> ImageFacts | None:
    """Facts from the header alone (no decoding), None when it cannot be read; `formats`
    limits the formats tried (their plugins are imported here)."""
    if formats is not None:
        for name in formats:
            import_module(f"PIL.{name.capitalize()}ImagePlugin")
    try:
        with Image.open(io.BytesIO(data), formats=formats) as image:
            return ImageFacts(image.format, image.mode, image.width, image.height)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def _from_disk(folder: Path, key: str, source: bytes) -> _Copy | None:
    for ext in ("jpg", "png"):
        try:
            data = (folder / f"{key}.{ext}").read_bytes()
        except OSError:
            continue
        facts, faults = _header(data), _header(source)
        if facts is None or faults is None or facts.faults() or _EXTENSIONS.get(
                str(facts.format)) != ext:
            return None  # damaged or foreign: make it again (and overwrite it)
        return _Copy(data, ext, hashlib.sha256(data).hexdigest(),
                     (facts.width, facts.height), tuple(faults.faults()))
    return None


def _to_disk(folder: Path, key: str, copy: _Copy) -> None:
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        atomic_write(folder / f"{key}.{copy.ext}", copy.data)


def _compliant_copy(source: bytes, where: str, cache_dir: Path | None) -> _Copy:
    key = hashlib.sha256(source).hexdigest()
    found = _recall(key)
    if found is not None:
        return found
    folder = cache_dir / RECIPE if cache_dir is not None else None
    if folder is not None:
        on_disk = _from_disk(folder, key, source)
        if on_disk is not None:
            return _remember(key, on_disk)
    image = _open(source, where)
    facts = ImageFacts(image.format, image.mode, image.width, image.height)
    faults = tuple(facts.faults())
    if not faults:
        copy = _Copy(source, _EXTENSIONS[str(facts.format)], key, (image.width, image.height),
                     ())
        return _remember(key, copy)  # the source itself: nothing worth storing
    fixed = _fit(_square(_rgb(ImageOps.exif_transpose(image))))
    data = _jpeg(fixed)
    copy = _Copy(data, "jpg", hashlib.sha256(data).hexdigest(), fixed.size, faults)
    if folder is not None:
        _to_disk(folder, key, copy)
    return _remember(key, copy)


def _copy_file(copy: _Copy) -> OutputFile:
    return OutputFile(paths.artwork(copy.digest, copy.ext), MIME_TYPES[copy.ext], "immutable",
                      data=copy.data)


def artwork_file(source: bytes, where: str,
                 cache_dir: Path | None = None) -> tuple[OutputFile, list[Problem]]:
    """The compliant copy as a content-addressed site file (``artwork/<hash>.<ext>``).

    Keyed by the source's sha256 alone: made once per process, and kept in
    `cache_dir` (the project's ``.companion/artwork``) between builds when one is given."""
    copy = _compliant_copy(source, where, cache_dir)
    return _copy_file(copy), [_info(where, fault) for fault in copy.faults]


def site_cache_dir(site: Site) -> Path:
    """Where a project keeps its compliant copies between builds."""
    return site.root / CACHE_DIR


def is_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")


@dataclass(frozen=True)
class Artwork:
    """An image resolved for the site: placed (or None), its copies for pages, and what
    was said about it."""

    image: PlacedImage | None = None
    problems: tuple[Problem, ...] = ()
    picture: tuple[PlacedImage, ...] = ()  # as it is, narrowest first (an episode's page)
    video_picture: tuple[PlacedImage, ...] = ()  # the YouTube thumbnail as it is
    thumb: PlacedImage | None = None  # a small square (a show's page, the Spotify facade)
    icons: tuple[PlacedImage, ...] = ()  # favicons: PNGs by size, then an ICO


# -- copies for pages --------------------------------------------------------------------

PAGE_WIDTHS = (640, 1280)  # the picture on an episode's page, one copy per width
PAGE_QUALITY = 82
THUMB_SIDE = 400
ICON_SIDES = (32, 180)  # the favicon, and the icon phones keep on a home screen
ICO_SIDES = ((16, 16), (32, 32), (48, 48))
# Names the settings above for the on-disk copies, as RECIPE does for the compliant ones.
PAGE_RECIPE = "p1"
PAGE_TYPES = {**MIME_TYPES, "ico": "image/x-icon"}


@dataclass(frozen=True)
class _Recipe:
    """How one kind of page copy is made from a source image."""

    name: str  # also its folder in the on-disk cache
    ext: str  # jpg, png or ico
    make: Callable[[Image.Image], Image.Image]


def _width(limit: int) -> Callable[[Image.Image], Image.Image]:
    def scale(image: Image.Image) -> Image.Image:
        if image.width <= limit:
            return image
        height = max(1, round(image.height * limit / image.width))
        return image.resize((limit, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return scale


def _side(side: int) -> Callable[[Image.Image], Image.Image]:
    def scale(image: Image.Image) -> Image.Image:
        square = _square(image)
        return square.resize((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return scale


_PAGE = tuple(_Recipe(f"page{w}", "jpg", _width(w)) for w in PAGE_WIDTHS)
_THUMB = _Recipe(f"square{THUMB_SIDE}", "jpg", _side(THUMB_SIDE))
_ICONS = (*(_Recipe(f"icon{n}", "png", _side(n)) for n in ICON_SIDES),
          _Recipe("favicon", "ico", _side(max(s for s, _ in ICO_SIDES))))


def _encode(image: Image.Image, ext: str) -> bytes:
    out = io.BytesIO()
    if ext == "jpg":
        image.save(out, "JPEG", quality=PAGE_QUALITY, optimize=False, progressive=False)
    elif ext == "png":
        image.save(out, "PNG", optimize=False)
    else:
        image.save(out, "ICO", sizes=list(ICO_SIDES))
    return out.getvalue()


def _page_copy(source: bytes, recipe: _Recipe, where: str, cache_dir: Path | None) -> _Copy:
    """A page copy of `source` by `recipe`: from memory, from the copies kept on disk, or
    made (deterministically) and kept."""
    digest = hashlib.sha256(source).hexdigest()
    key = f"{recipe.name}:{digest}"
    found = _recall(key)
    if found is not None:
        return found
    path = cache_dir / f"{recipe.name}-{PAGE_RECIPE}" / f"{digest}.{recipe.ext}" \
        if cache_dir is not None else None
    kept = _kept(path) if path is not None else None
    if kept is not None:
        return _remember(key, kept)
    made = recipe.make(_rgb(ImageOps.exif_transpose(_open(source, where))))
    data = _encode(made, recipe.ext)
    copy = _Copy(data, recipe.ext, hashlib.sha256(data).hexdigest(), made.size, ())
    if path is not None:
        with contextlib.suppress(OSError):
            atomic_write(path, data)
    return _remember(key, copy)


def _kept(path: Path) -> _Copy | None:
    """A page copy from the on-disk cache; None when it is missing or damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    facts = _header(data, _KEPT_FORMATS.get(path.suffix.lstrip(".")))
    if facts is None:
        return None
    return _Copy(data, path.suffix.lstrip("."), hashlib.sha256(data).hexdigest(),
                 (facts.width, facts.height), ())


def _page_placed(copy: _Copy, site: Site) -> PlacedImage:
    file = OutputFile(paths.artwork(copy.digest, copy.ext), PAGE_TYPES[copy.ext], "immutable",
                      data=copy.data)
    return PlacedImage(site.artwork_url(file.path), copy.size, file)


def page_picture(source: bytes, where: str, site: Site) -> tuple[PlacedImage, ...]:
    """The picture as it is, one copy per width of `PAGE_WIDTHS` below the source's own
    (and one at most as wide as the source), narrowest first. The source's width comes
    from its header (nothing is decoded when every copy is kept already)."""
    facts = _header(source)
    if facts is None:
        facts = image_facts(source, where)  # raises FeedError, naming what is wrong
    recipes = [r for w, r in zip(PAGE_WIDTHS, _PAGE, strict=True) if w < facts.width]
    wider = next((r for w, r in zip(PAGE_WIDTHS, _PAGE, strict=True) if w >= facts.width),
                 None)
    recipes += [wider] if wider is not None else []
    cache = site_cache_dir(site)
    return tuple(_page_placed(_page_copy(source, r, where, cache), site) for r in recipes)


def _show_copies(copy: _Copy, where: str, site: Site) -> tuple[PlacedImage,
                                                               tuple[PlacedImage, ...]]:
    cache = site_cache_dir(site)
    thumb = _page_placed(_page_copy(copy.data, _THUMB, where, cache), site)
    icons = tuple(_page_placed(_page_copy(copy.data, r, where, cache), site) for r in _ICONS)
    return thumb, icons


def _placed(copy: _Copy, site: Site) -> PlacedImage:
    file = _copy_file(copy)
    return PlacedImage(site.artwork_url(file.path), copy.size, file)


def show_artwork(feed: FeedDefinition, site: Site) -> Artwork:
    """Resolve `feed.artwork`: a URL is used as given; a local file becomes a compliant copy
    (made, or taken from the copies kept in ``.companion/artwork/``)."""
    if not feed.artwork:
        return Artwork()
    if is_url(feed.artwork):
        return Artwork(PlacedImage(ArtworkUrl(feed.artwork)))
    where = f"feeds/{feed.slug}.toml"
    path = site.root / feed.artwork
    try:
        source = path.read_bytes()
    except OSError:
        return Artwork(None, (Problem(
            "error", where, f"artwork file {feed.artwork} cannot be read", "check the path "
            "(relative to the project folder) or give an https URL", "artwork"),))
    try:
        copy = _compliant_copy(source, where, site_cache_dir(site))
    except FeedError as exc:
        return Artwork(None, (
            Problem("error", where, f"{feed.artwork}: {exc.message}", exc.fix, "artwork"),))
    named = tuple(Problem(p.severity, p.where, f"{feed.artwork}: {p.message}", p.fix, p.field)
                  for p in (_info(where, fault) for fault in copy.faults))
    thumb, icons = _show_copies(copy, where, site)
    return Artwork(_placed(copy, site), named, thumb=thumb, icons=icons)


def episode_artwork(episode: Episode, site: Site) -> Artwork:
    """The episode's `image:` (a URL as given; a local file as a compliant copy), else its
    cached YouTube thumbnail as a compliant square copy, else no image; with the copies
    its page shows (the image, and the thumbnail for the video, as they are)."""
    art = _episode_image(episode, site)
    video = _video_picture(episode, site)
    if not art.picture and art.image is not None and art.image.file is None:
        art = Artwork(art.image, art.problems, (art.image,))  # a URL: shown as given
    return Artwork(art.image, art.problems, art.picture or video, video)


def _episode_image(episode: Episode, site: Site) -> Artwork:
    article = episode.article
    problems: list[Problem] = []
    if article.image and is_url(article.image):
        return Artwork(PlacedImage(ArtworkUrl(article.image)))
    if article.image:
        where = f"{article.relpath} (image)"
        try:
            source = _project_bytes(site, article.image)
            copy = _compliant_copy(source, where, site_cache_dir(site))
            picture = page_picture(source, where, site)
        except (OSError, CompanionError) as exc:
            problems.append(Problem("warning", article.relpath,
                                    f"image {article.image} cannot be used: {exc}",
                                    "correct the `image:` path", "image"))
        else:
            found = [_info(where, fault) for fault in copy.faults]
            return Artwork(_placed(copy, site), tuple(found), picture)
    thumb = episode.youtube.thumbnail_file if episode.youtube else None
    if thumb is not None:
        try:  # a thumbnail is never square: fixing it is expected, not worth a note
            copy = _compliant_copy(thumb.read_bytes(), f"{article.relpath} (YouTube thumbnail)",
                                   site_cache_dir(site))
        except (OSError, CompanionError) as exc:
            problems.append(Problem("warning", article.relpath,
                                    f"the cached YouTube thumbnail cannot be used: {exc}",
                                    f"run `companion fetch --refresh {article.slug}`", "image"))
        else:
            return Artwork(_placed(copy, site), tuple(problems))
    return Artwork(None, tuple(problems))


def _video_picture(episode: Episode, site: Site) -> tuple[PlacedImage, ...]:
    """The cached YouTube thumbnail as it is (its faults are reported with the image)."""
    thumb = episode.youtube.thumbnail_file if episode.youtube else None
    if thumb is None:
        return ()
    try:
        return page_picture(thumb.read_bytes(), f"{episode.article.relpath} (YouTube "
                            "thumbnail)", site)
    except (OSError, CompanionError):
        return ()


def _project_bytes(site: Site, rel: str) -> bytes:
    root = site.root.resolve()
    path = (root / rel).resolve()
    if not path.is_relative_to(root):
        raise FileNotFoundError(f"{rel} is outside the project folder")
    return path.read_bytes()


#: The side of a person's picture (`podcast:person img`, and the page's round portrait).
PERSON_SIDE = 240
_PERSON = _Recipe(f"person{PERSON_SIDE}", "jpg", _side(PERSON_SIDE))


def person_pictures(credits: Sequence[Credit], where: str, site: Site,
                    ) -> tuple[tuple[Credit, ...], tuple[PlacedImage, ...], list[Problem]]:
    """The people with their pictures placed: a picture in the project (`img` a path) becomes
    a square copy on the site, and `img` its URL; a URL stays as given. Also the copies and
    what went wrong (a picture that cannot be read is left out, with an error)."""
    people: list[Credit] = []
    placed: list[PlacedImage] = []
    problems: list[Problem] = []
    for credit in credits:
        if credit.img is None or is_url(credit.img):
            people.append(credit)
            continue
        try:
            source = _project_bytes(site, credit.img)
            image = _page_placed(_page_copy(source, _PERSON, where, site_cache_dir(site)), site)
        except (OSError, CompanionError) as exc:
            reason = exc.message if isinstance(exc, CompanionError) else "cannot be read"
            problems.append(Problem("error", where, f"the picture of {credit.name}, "
                                    f"{credit.img}: {reason}", "check the path (relative to "
                                    "the project folder) or give an https URL", "people"))
            people.append(dataclasses.replace(credit, img=None))
            continue
        placed.append(image)
        people.append(dataclasses.replace(credit, img=image.url))
    return tuple(people), tuple(placed), problems
