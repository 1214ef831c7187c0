"""compliant_artwork: Apple's artwork rules, fixed deterministically."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import make_article, make_site
except ImportError:
    from _fixtures_pair import make_article, make_site  # type: ignore[no-redef]

from companion import Episode, FeedError, YouTubeVideo
from companion._config.feeds import load_feeds
from companion._config.project import load_site
from companion._pair import artwork as _artwork
from companion._pair.artwork import (
    artwork_file,
    clear_memory,
    compliant_artwork,
    episode_artwork,
    image_facts,
    show_artwork,
)

REPO = Path(__file__).resolve().parent.parent


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_compliant(data: bytes) -> Image.Image:
    image = opened(data)
    assert image.format in ("JPEG", "PNG")
    assert image.mode == "RGB"
    assert image.width == image.height
    assert 1400 <= image.width <= 3000
    return image


def test_compliant_image_is_returned_unchanged() -> None:
    source = encode(Image.new("RGB", (1400, 1400), (10, 20, 30)), "PNG")
    data, ext, problems = compliant_artwork(source, "x.png")
    assert (data, ext, problems) == (source, "png", [])


def test_youtube_thumbnail_is_padded_and_scaled() -> None:
    source = encode(Image.new("RGB", (1280, 720), (200, 0, 0)), "JPEG", quality=80)
    data, ext, problems = compliant_artwork(source, "thumb.jpg")
    image = assert_compliant(data)
    assert (ext, image.size, image.format) == ("jpg", (1400, 1400), "JPEG")
    assert problems
    assert all(p.severity == "info" for p in problems)
    assert any("not square" in p.message for p in problems)
    assert all(p.where == "thumb.jpg" for p in problems)


def test_nearly_square_is_cropped() -> None:
    source = encode(Image.new("RGB", (1600, 1500), (0, 90, 0)), "PNG")
    data, _, _ = compliant_artwork(source, "x")
    assert assert_compliant(data).size == (1500, 1500)


def test_cmyk_jpeg_becomes_rgb() -> None:
    source = encode(Image.new("CMYK", (1500, 1500), (0, 100, 100, 0)), "JPEG")
    data, ext, problems = compliant_artwork(source, "cmyk.jpg")
    assert_compliant(data)
    assert ext == "jpg"
    assert any("CMYK" in p.message for p in problems)


def test_huge_png_with_alpha_is_scaled_down() -> None:
    source = encode(Image.new("RGBA", (5000, 5000), (0, 0, 255, 128)), "PNG")
    data, _, problems = compliant_artwork(source, "big.png")
    assert assert_compliant(data).size == (3000, 3000)
    assert any("RGBA" in p.message for p in problems)
    assert any("outside" in p.message for p in problems)


def test_palette_image_is_converted() -> None:
    source = encode(Image.new("P", (1400, 1400), 3), "PNG")
    data, _, problems = compliant_artwork(source, "p.png")
    assert_compliant(data)
    assert problems


def test_output_is_deterministic_and_has_no_exif() -> None:
    image = Image.new("RGB", (1280, 720), (1, 2, 3))
    exif = Image.Exif()
    exif[0x0132] = "2024:01:01 00:00:00"  # DateTime
    source = encode(image, "JPEG", exif=exif)
    first, _, _ = compliant_artwork(source, "a")
    second, _, _ = compliant_artwork(source, "a")
    assert first == second
    assert not opened(first).getexif()


def test_unreadable_image_is_an_error() -> None:
    with pytest.raises(FeedError) as info:
        compliant_artwork(b"not an image", "feeds/artwork/x.png")
    assert info.value.where == "feeds/artwork/x.png"
    assert info.value.fix


def test_artwork_file_is_content_addressed() -> None:
    source = encode(Image.new("RGB", (1280, 720)), "JPEG")
    out, problems = artwork_file(source, "x")
    assert out.path.startswith("artwork/")
    assert out.path.endswith(".jpg")
    assert out.content_type == "image/jpeg"
    assert out.cache == "immutable"
    assert problems


def test_example_artwork() -> None:
    for lang in ("ka", "ar", "es"):
        data = (REPO / "feeds" / "artwork" / f"{lang}.png").read_bytes()
        assert len(data) < 100_000
        facts = image_facts(data, lang)
        assert facts.faults() == []
    jpeg = (REPO / "feeds" / "artwork" / "en.jpeg").read_bytes()
    assert image_facts(jpeg, "en").faults()  # deliberately non-compliant


def test_show_artwork_for_example_feeds() -> None:
    site = load_site(REPO)
    for feed in load_feeds(site).feeds:
        art = show_artwork(feed, site)
        assert art.image is not None
        assert art.image.file is not None
        assert art.image.url == site.url(art.image.file.path)
        assert_compliant(art.image.file.data or b"")
        assert bool(art.problems) == (feed.slug == "en")
        assert all(p.severity == "info" for p in art.problems)


# --- an episode's image ------------------------------------------------------------------------

def _episode(site_root: Path, image: str | None, thumbnail: Path | None) -> Episode:
    site = make_site(site_root)
    video = YouTubeVideo("vid1", "T", "", 10.0, None, None, None,
                         "https://www.youtube.com/watch?v=vid1", thumbnail_file=thumbnail)
    return Episode(make_article(site, "ep", image=image, youtube_id="vid1"), "g", youtube=video)


def test_episode_artwork_from_the_cached_thumbnail(tmp_path: Path) -> None:
    thumb = tmp_path / "thumb.jpg"
    thumb.write_bytes(encode(Image.new("RGB", (1280, 720), (200, 0, 0)), "JPEG", quality=80))
    site = make_site(tmp_path / "p")
    art = episode_artwork(_episode(site.root, None, thumb), site)
    assert art.image is not None
    assert art.image.file is not None
    assert art.image.file.data is not None
    assert art.problems == ()  # a thumbnail is never square: nothing to tell
    assert art.image.url == site.url(art.image.file.path)
    assert art.image.file.path.startswith("artwork/")
    assert art.image.size == assert_compliant(art.image.file.data).size == (1400, 1400)


def test_episode_image_wins_over_the_thumbnail(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    thumb = tmp_path / "thumb.jpg"
    thumb.write_bytes(encode(Image.new("RGB", (1280, 720), (200, 0, 0)), "JPEG"))
    (site.root / "cover.png").write_bytes(encode(Image.new("RGB", (1500, 1500), (0, 9, 0)),
                                                 "PNG"))
    local = episode_artwork(_episode(site.root, "cover.png", thumb), site).image
    assert local is not None
    assert local.file is not None
    assert local.file.data is not None
    assert local.size == (1500, 1500)
    assert opened(local.file.data).getpixel((0, 0)) == (0, 9, 0)
    remote = episode_artwork(_episode(site.root, "https://cdn.example.org/a.jpg", thumb),
                             site).image
    assert remote is not None
    assert (remote.url, remote.file) == ("https://cdn.example.org/a.jpg", None)


def test_episode_without_image_or_thumbnail_has_none(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    assert episode_artwork(_episode(site.root, None, None), site).image is None


def test_unusable_episode_images_are_warnings(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    (tmp_path / "outside.png").write_bytes(encode(Image.new("RGB", (1400, 1400)), "PNG"))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image")
    art = episode_artwork(_episode(site.root, "../outside.png", broken), site)
    assert art.image is None
    assert [p.severity for p in art.problems] == ["warning", "warning"]
    assert "outside the project" in art.problems[0].message
    assert "companion fetch --refresh ep" in art.problems[1].fix


# --- the content-addressed cache -----------------------------------------------------------

class PillowWork:
    """Counts decodes, resizes and encodes done by `_artwork`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        for name in ("_open", "_fit", "_jpeg"):
            real = getattr(_artwork, name)

            def counted(*args: object, _real: object = real, _name: str = name) -> object:
                self.calls.append(_name)
                return _real(*args)  # type: ignore[operator]

            monkeypatch.setattr(_artwork, name, counted)


def thumbnail(colour: tuple[int, int, int] = (200, 30, 0)) -> bytes:
    image = Image.new("RGB", (1280, 720), colour)
    image.paste(Image.new("RGB", (300, 200), (0, 0, 250)), (500, 200))
    return encode(image, "JPEG", quality=85)


def test_same_bytes_are_made_compliant_once(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_memory()
    work = PillowWork(monkeypatch)
    source = thumbnail()
    first, first_problems = artwork_file(source, "episodes/a.md")
    assert work.calls == ["_open", "_fit", "_jpeg"]
    second, second_problems = artwork_file(bytes(source), "episodes/b.md")  # another episode
    assert work.calls == ["_open", "_fit", "_jpeg"]  # no Pillow work the second time
    assert first == second
    assert [p.where for p in first_problems] == ["episodes/a.md"] * len(first_problems)
    assert [p.where for p in second_problems] == ["episodes/b.md"] * len(second_problems)
    assert [p.message for p in first_problems] == [p.message for p in second_problems]


def test_the_copy_is_kept_on_disk_between_processes(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / ".companion" / "artwork"
    source = thumbnail()
    clear_memory()
    made, problems = artwork_file(source, "x", cache)
    stored = sorted(p.name for p in (cache / _artwork.RECIPE).iterdir())
    assert stored == [f"{hashlib.sha256(source).hexdigest()}.jpg"]
    clear_memory()  # a new build: nothing in memory, the file on disk
    work = PillowWork(monkeypatch)
    again, problems_again = artwork_file(source, "x", cache)
    assert work.calls == []  # read back: no decode, resize or encode
    assert (again, problems_again) == (made, problems)
    assert again.data == compliant_artwork(source, "x")[0]


def test_a_damaged_cache_file_is_made_again(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "artwork"
    source = thumbnail((10, 20, 30))
    clear_memory()
    made, _ = artwork_file(source, "x", cache)
    entry = cache / _artwork.RECIPE / f"{hashlib.sha256(source).hexdigest()}.jpg"
    entry.write_bytes(encode(Image.new("RGB", (64, 64)), "JPEG"))  # not compliant
    clear_memory()
    work = PillowWork(monkeypatch)
    again, _ = artwork_file(source, "x", cache)
    assert work.calls == ["_open", "_fit", "_jpeg"]
    assert again == made
    assert entry.read_bytes() == made.data


def test_a_compliant_source_is_published_as_it_is_and_not_stored(tmp_path: Path) -> None:
    cache = tmp_path / "artwork"
    source = encode(Image.new("RGB", (1500, 1500), (0, 9, 0)), "PNG")
    clear_memory()
    out, problems = artwork_file(source, "x", cache)
    assert (out.data, problems) == (source, [])
    assert out.path.endswith(".png")
    assert not (cache / _artwork.RECIPE).exists()


def test_cached_copies_are_deterministic_and_compliant(tmp_path: Path) -> None:
    sources = [thumbnail(), encode(Image.new("RGBA", (800, 3000), (0, 0, 0, 0)), "PNG"),
               encode(Image.new("RGB", (4000, 4000), (9, 9, 9)), "JPEG"),
               encode(Image.new("CMYK", (1280, 720), (0, 50, 50, 0)), "JPEG")]
    for source in sources:
        clear_memory()
        fresh, _, _ = compliant_artwork(source, "x")
        cached, _ = artwork_file(source, "x", tmp_path / "a")
        clear_memory()
        from_disk, _ = artwork_file(source, "x", tmp_path / "a")
        assert fresh == cached.data == from_disk.data
        assert_compliant(fresh)


def test_episodes_sharing_a_thumbnail_resize_it_once(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "p")
    source = thumbnail((1, 2, 3))
    for name in ("a.jpg", "b.jpg"):
        (tmp_path / name).write_bytes(source)
    clear_memory()
    work = PillowWork(monkeypatch)
    first = episode_artwork(_episode(site.root, None, tmp_path / "a.jpg"), site)
    second = episode_artwork(_episode(site.root, None, tmp_path / "b.jpg"), site)
    assert work.calls.count("_fit") == 1
    assert first == second
    assert first.image is not None
    assert first.image.size == (1400, 1400)
    key = hashlib.sha256(source).hexdigest()
    assert (site.root / ".companion" / "artwork" / _artwork.RECIPE / f"{key}.jpg").is_file()
