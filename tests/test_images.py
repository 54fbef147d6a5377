"""Responsive photos (images.py): WebP sizes of each article's own picture, content-addressed and
shared, cached so a rebuild never encodes them again, the right way up, without metadata; a picture
that cannot be read is a build error at its image: line; and the photo credit (credit:)."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import struct
import tempfile
import zlib
from pathlib import Path

import frontmatter
import pytest
from PIL import Image

from conftest import make_fixture_site
from importer.importer_support import SEED_EN, SITE_TOML, Project
from newsdigest import images
from newsdigest.builder import build, gather
from newsdigest.content import load_stories
from newsdigest.errors import BuildError, Problem
from newsdigest.fingerprint import Fingerprinter
from newsdigest.pages import plan
from newsdigest.serve import SiteBuilder

STORY = "content/2026/01/harbour"
PAGE = "en/2026/01/05/harbour-reopens/"


def article(title: str = "Harbour reopens", image: str | None = "photo.jpg", extra: str = "",
            day: str = "2026-01-05") -> str:
    picture = f"image: {image}\n" if image else ""
    return f"---\ntitle: {title}\ndate: {day}\n{picture}{extra}---\nThe harbour reopened on Monday.\n"


def picture(width: int, height: int, kind: str = "JPEG", exif: Image.Exif | None = None, shade: int = 0) -> bytes:
    """A picture whose left half is red and right half blue (to see which way up it ends)."""
    image = Image.new("RGB", (width, height), (0, 0, 200 + shade))
    image.paste((200 + shade, 0, 0), (0, 0, width // 2, height))
    buffer = io.BytesIO()
    image.save(buffer, kind, **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares a size and holds no pixels worth the name: what a decompression bomb
    looks like to a header reader."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def photos_in(site) -> list[str]:
    folder = site.out / "assets/photos"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def site(tmp_path):
    return make_fixture_site(tmp_path / "p", None)


@pytest.fixture
def encodes(monkeypatch):
    """How many WebP files Pillow has written since the test started."""
    count = [0]
    save = Image.Image.save

    def counting(self, fp, format=None, **params):
        if (format or "").upper() == "WEBP":
            count[0] += 1
        return save(self, fp, format, **params)
    monkeypatch.setattr(Image.Image, "save", counting)
    return count


def prepared(site):
    gathered, _ = gather(site.config())
    return gathered, images.prepare(gathered, site.root / "made")


def test_a_large_photo_gets_three_webp_sizes_named_by_its_bytes(site):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x013B] = "Anna Meier"  # Artist: what a camera knows is never published
    data = picture(2000, 1000, exif=exif)
    assert Image.open(io.BytesIO(data)).getexif()[0x013B] == "Anna Meier"
    site.write(f"{STORY}/photo.jpg", data)
    site.write(f"{STORY}/en.md", article())
    site.build()
    name = digest(data)
    assert photos_in(site) == [f"{name}-1600.webp", f"{name}-480.webp", f"{name}-960.webp"]
    for width in (480, 960, 1600):
        with Image.open(site.out / f"assets/photos/{name}-{width}.webp") as made:
            assert (made.format, made.size) == ("WEBP", (width, width // 2))
            assert "exif" not in made.info and "xmp" not in made.info and not made.getexif()
            left, right = made.getpixel((width // 8, width // 4)), made.getpixel((width - width // 8, width // 4))
            assert left[0] > 150 > left[2] and right[2] > 150 > right[0]
    assert (site.out / PAGE / "photo.jpg").read_bytes() == data  # the original, as before


def test_the_photo_api(site):
    data = picture(2000, 1000)
    site.write(f"{STORY}/photo.jpg", data)
    site.write(f"{STORY}/en.md", article())
    site.write(f"{STORY}/fr.md", article("Le port rouvre"))
    gathered, result = prepared(site)
    name = digest(data)
    sources = ((480, f"assets/photos/{name}-480.webp"), (960, f"assets/photos/{name}-960.webp"),
               (1600, f"assets/photos/{name}-1600.webp"))
    assert result.photos[("2026/01/harbour", "en")] == images.Photo(f"{PAGE}photo.jpg", 2000, 1000, sources)
    assert result.photos[("2026/01/harbour", "fr")].src == "fr/2026/01/05/le-port-rouvre/photo.jpg"
    assert result.photos[("2026/01/harbour", "fr")].sources == sources  # one set for both languages
    assert result.photos[("2026/01/harbour", "en")].srcset(lambda path: "/base/" + path) == (
        f"/base/assets/photos/{name}-480.webp 480w, /base/assets/photos/{name}-960.webp 960w, "
        f"/base/assets/photos/{name}-1600.webp 1600w")
    assert [c.path for c in result.copies] == [path for _, path in sources]
    assert result.made == 3


def test_a_picture_is_never_made_larger(site):
    small, medium = picture(300, 200, "PNG"), picture(1000, 500, shade=20)
    site.write(f"{STORY}/photo.png", small)
    site.write(f"{STORY}/en.md", article(image="photo.png"))
    site.write("content/2026/01/medium/medium.jpg", medium)
    site.write("content/2026/01/medium/en.md", article("Medium", image="medium.jpg"))
    site.build()
    # The medium one also at its own width: a wide screen gets every pixel there is, and no more.
    assert photos_in(site) == sorted([f"{digest(small)}-300.webp", f"{digest(medium)}-480.webp",
                                      f"{digest(medium)}-960.webp", f"{digest(medium)}-1000.webp"])
    with Image.open(site.out / f"assets/photos/{digest(small)}-300.webp") as made:
        assert made.size == (300, 200)


def test_the_same_picture_in_two_stories_is_published_once(site):
    data = picture(2000, 1000)
    for story, title in (("content/2026/01/one", "One"), ("content/2026/01/two", "Two")):
        site.write(f"{story}/photo.jpg", data)
        site.write(f"{story}/en.md", article(title))
        site.write(f"{story}/fr.md", article(title + " fr"))
    gathered, result = prepared(site)
    assert len({photo.sources for photo in result.photos.values()}) == 1 and len(result.photos) == 4
    assert len(result.copies) == 3
    site.build()  # and no collision
    assert len(photos_in(site)) == 3


def test_a_rebuild_encodes_nothing_again(site, encodes):
    site.write(f"{STORY}/photo.jpg", picture(2000, 1000))
    site.write(f"{STORY}/en.md", article())
    site.build()
    assert encodes[0] == 3
    cached = {p: p.stat().st_mtime_ns for p in (site.root / ".newsdigest-cache/photos").iterdir()}
    assert len(cached) == 3
    site.write(f"{STORY}/en.md", article("Harbour reopens at last"))
    site.build()
    os.utime(site.root / STORY / "photo.jpg")  # touched, not changed
    site.build()
    assert encodes[0] == 3
    assert {p: p.stat().st_mtime_ns for p in (site.root / ".newsdigest-cache/photos").iterdir()} == cached
    assert len(photos_in(site)) == 3


def test_a_damaged_or_planted_cache_file_is_made_again(site, encodes):
    data = picture(2000, 1000)
    site.write(f"{STORY}/photo.jpg", data)
    site.write(f"{STORY}/en.md", article())
    site.build()
    cached = sorted((site.root / ".newsdigest-cache/photos").iterdir())
    cached[0].write_bytes(cached[0].read_bytes()[:-10])  # truncated
    cached[1].unlink()
    cached[1].symlink_to(cached[2])  # a link (to a WebP of another size)
    secret = site.root / "secret.webp"
    secret.write_bytes(cached[2].read_bytes())
    cached[2].write_bytes(cached[2].read_bytes().replace(b"VP8", b"XXX", 1))  # not a WebP any more
    site.write(f"{STORY}/en.md", article("Harbour reopens at last"))
    site.build()
    assert encodes[0] == 6
    for path in cached:
        assert not path.is_symlink()
        with Image.open(path) as made:
            made.load()
    for name in photos_in(site):
        with Image.open(site.out / "assets/photos" / name) as made:
            assert made.width == int(name.rsplit("-", 1)[1].removesuffix(".webp"))


def test_a_changed_picture_gets_new_names_and_the_old_ones_go(site):
    old, new = picture(2000, 1000), picture(2000, 1000, shade=30)
    site.write(f"{STORY}/photo.jpg", old)
    site.write(f"{STORY}/en.md", article())
    site.build()
    site.write(f"{STORY}/photo.jpg", new)
    report = site.build()
    assert photos_in(site) == [f"{digest(new)}-1600.webp", f"{digest(new)}-480.webp", f"{digest(new)}-960.webp"]
    assert report.written  # the pages showing the photo are rendered again: its sizes are new
    assert digest(old) not in site.page(PAGE)


def test_a_pages_fingerprint_includes_its_articles_photo(site):
    site.write(f"{STORY}/photo.jpg", picture(2000, 1000))
    site.write(f"{STORY}/en.md", article())
    gathered, result = prepared(site)
    with_photo = dataclasses.replace(gathered, photos=result.photos)
    pages, _ = plan(with_photo)
    other = {key: images.Photo(photo.src, photo.width, photo.height, photo.sources[:1])
             for key, photo in result.photos.items()}
    changed = dataclasses.replace(gathered, photos=other)
    for path in (PAGE, "en/", ""):  # the article, its language's front page, the bilingual home (stories)
        page = next(p for p in pages if p.path == path)
        assert Fingerprinter(with_photo, b"k").page(page) != Fingerprinter(changed, b"k").page(page), path


def test_a_picture_that_cannot_be_read_is_an_error_at_its_line_and_the_site_stays(site):
    site.write(f"{STORY}/photo.jpg", picture(2000, 1000))
    site.write(f"{STORY}/en.md", article())
    site.write(f"{STORY}/fr.md", article("Le port rouvre", extra="caption: Le port\n"))
    site.build()
    before = tree(site.out)
    good = picture(2000, 1000, shade=40)
    site.write(f"{STORY}/photo.jpg", b"not a picture at all")
    site.write("content/2026/01/cut/cut.jpg", good[:len(good) // 2])  # the header, half the data
    site.write("content/2026/01/cut/en.md", article("Cut", image="cut.jpg", extra="summary: Cut short.\n"))
    with pytest.raises(BuildError) as caught:
        site.build()
    unreadable = ("image 'photo.jpg' is not a picture the build can read (JPEG, PNG, WebP, GIF, AVIF, TIFF or "
                  "BMP); save it in one of those formats, or name another file.")
    problems = caught.value.problems
    assert [(p.path, p.line) for p in problems] == [
        (site.root / "content/2026/01/cut/en.md", 4), (site.root / STORY / "en.md", 4),
        (site.root / STORY / "fr.md", 4)]
    assert problems[0].message.startswith("image 'cut.jpg' is damaged or incomplete (")
    assert problems[0].message.endswith("); save it again from the original, or name another file.")
    assert problems[1:] == [Problem(site.root / STORY / "en.md", unreadable, 4),
                            Problem(site.root / STORY / "fr.md", unreadable, 4)]
    assert tree(site.out) == before
    assert site.run() == 1  # the command line prints the problems, no traceback


@pytest.mark.parametrize("width, height, why", [
    (9000, 9000, "is 9,000×9,000 pixels (81 megapixels), more than the 80 megapixels a build decodes"),
    (10000, 9000, "is too large to decode safely, more than the 80 megapixels a build decodes"),  # Pillow warns
    (20000, 20000, "is too large to decode safely, more than the 80 megapixels a build decodes"),  # Pillow refuses
])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(site, width, height, why):
    site.write(f"{STORY}/photo.png", png_header(width, height))
    site.write(f"{STORY}/en.md", article(image="photo.png"))
    with pytest.raises(BuildError) as caught:
        site.build()
    assert caught.value.problems == [Problem(site.root / STORY / "en.md", f"image 'photo.png' {why}; save a "
                                             "smaller copy (4,000 pixels wide is plenty on the web) and name that.", 4)]


def test_an_exif_rotated_photo_is_turned_the_right_way_up(site):
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: show it a quarter turn clockwise
    site.write(f"{STORY}/photo.jpg", picture(1200, 600, exif=exif))
    site.write(f"{STORY}/en.md", article())
    gathered, result = prepared(site)
    photo = result.photos[("2026/01/harbour", "en")]
    assert (photo.width, photo.height) == (600, 1200)
    assert [w for w, _ in photo.sources] == [480, 600]
    site.build()
    name = next(name for name in photos_in(site) if name.endswith("-480.webp"))
    with Image.open(site.out / "assets/photos" / name) as made:
        assert made.size == (480, 960)
        assert not made.getexif().get(0x0112)
        top, bottom = made.getpixel((240, 100)), made.getpixel((240, 860))
        assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]  # the red left half is now on top


def test_vector_and_animated_pictures_are_kept_as_they_are(site):
    site.write(f"{STORY}/chart.svg", '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
                                     'width="640" height="360px" viewBox="0 0 64 36"><rect/></svg>')
    site.write(f"{STORY}/en.md", article(image="chart.svg"))
    frames = [Image.new("RGB", (600, 300), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    site.write("content/2026/01/moving/loop.gif", buffer.getvalue())
    site.write("content/2026/01/moving/en.md", article("Moving", image="loop.gif"))
    gathered, result = prepared(site)
    assert result.photos[("2026/01/harbour", "en")] == images.Photo(f"{PAGE}chart.svg", 640, 360, ())
    assert result.photos[("2026/01/moving", "en")] == images.Photo("en/2026/01/05/moving/loop.gif", 600, 300, ())
    assert result.copies == []
    site.build()
    assert photos_in(site) == []


def test_remote_and_site_images_have_no_photo(site):
    site.write(f"{STORY}/en.md", article(image="https://example.org/a.jpg"))
    site.write("content/2026/01/other/en.md", article("Other", image="/assets/logo.png"))
    gathered, result = prepared(site)
    assert result.photos == {} and result.copies == []


def test_without_the_cache_the_sizes_are_made_in_a_folder_that_goes(site, monkeypatch, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    site.write(f"{STORY}/photo.jpg", picture(2000, 1000))
    site.write(f"{STORY}/en.md", article())
    build(site.config(), use_cache=False)
    assert len(photos_in(site)) == 3
    assert not (site.root / ".newsdigest-cache/photos").exists()
    assert list(scratch.iterdir()) == []


def test_the_dev_server_builds_the_sizes(site, tmp_path):
    site.write(f"{STORY}/photo.jpg", picture(2000, 1000))
    site.write(f"{STORY}/en.md", article())
    out = tmp_path / "preview"
    SiteBuilder(site.config_path, out)()
    assert len(list((out / "assets/photos").glob("*.webp"))) == 3


def test_webp_size_reads_the_header_of_each_kind():
    for mode in ("RGB", "RGBA"):
        for lossless in (False, True):
            buffer = io.BytesIO()
            Image.new(mode, (123, 45), (1, 2, 3, 128)[:len(mode)]).save(buffer, "WEBP", lossless=lossless)
            data = buffer.getvalue()
            assert images.webp_size(data[:30], len(data)) == (123, 45)
            assert images.webp_size(data[:30], len(data) - 1) is None  # truncated


def test_credit_is_read_and_typographed_and_needs_no_image(site):
    extra = 'caption: The harbour.\ncredit: Anna Meier for "The Times"\n'
    site.write(f"{STORY}/en.md", article(image=None, extra=extra))
    site.write(f"{STORY}/fr.md", article("Le port rouvre", image=None, extra='credit: Photo "archives" AFP\n'))
    [story] = load_stories(site.config())
    assert story.articles["en"].credit == "Anna Meier for “The Times”"
    assert story.articles["fr"].credit == "Photo «\u202farchives\u202f» AFP"
    assert story.articles["fr"].caption is None
    site.build()


def test_the_importer_writes_the_photo_credit_as_credit(tmp_path):
    (tmp_path / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    (tmp_path / "content").mkdir()
    project = Project(tmp_path)
    assert project.import_(SEED_EN).code == 0
    [text] = [t for name, t in project.files().items() if name.endswith("/en.md")]
    post = frontmatter.loads(text)
    assert post["credit"] == "Yonhap" and post["import"]["photo_credit"] == "Yonhap"
    assert list(post.keys()).index("credit") == list(post.keys()).index("caption") + 1
    [story] = project.stories()
    assert story.articles["en"].credit == "Yonhap"
