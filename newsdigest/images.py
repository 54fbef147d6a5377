"""Responsive sizes of the articles' own photos, made with Pillow.

An article whose `image:` is a file of its story folder gets WebP copies 480, 960 and 1600 pixels
wide (never wider than the original), published once under assets/photos/ and named by a digest of
the original's bytes: every article and language showing one picture shares the files, and a
changed picture gets new names, so no browser or CDN keeps showing the old one. The original is
still copied beside each article page (pages.plan): it is the <img src> for browsers without srcset.

Encoding is the slow part of a build with photos, so each size is kept in the project cache
(photos/ in Cache.dir), named by the source digest, the width and the encoder settings: a rebuild
never encodes an unchanged picture again. The cache is untrusted input (see cache.py): that folder
holds only image bytes, never read as anything but a WebP header, and a file that is not a regular
WebP file of the expected size is made again.
"""
from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import re
import shutil
import stat
import struct
import tempfile
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import PIL
from PIL import Image, ImageCms, UnidentifiedImageError, features

from .cache import own_folder, stat_key
from .content import Article
from .errors import BuildError, Problem
from .pages import Copy
from .parallel import cores
from .site import Site

WIDTHS = (480, 960, 1600)
QUALITY = 80
METHOD = 4  # libwebp's default: 6 took 75% longer on a 4000-pixel photo for files 1 to 3% smaller
SETTINGS = 1  # bump when the way sizes are made changes, so that no cached size of the old way is used
# Decoding costs 3 or 4 bytes a pixel: 80 megapixels (a 61-megapixel camera's largest, and then
# some) is about 300 MB. Pillow's own bomb limit (89 MP, a warning) stays as it is: it is global.
MAX_PIXELS = 80_000_000
FOLDER = "assets/photos"  # site folder of the sizes
CACHE_FOLDER = "photos"  # below Cache.dir
TABLE = "photos"  # the cache table of what each picture file was found to be (see decode_row)
VECTOR = (".svg", ".svgz")  # published as they are: they have no pixel size to reduce
# What a build decodes: never a format whose plugin runs another program (EPS runs Ghostscript).
_WANTED_FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "GIF", "AVIF", "TIFF", "BMP")
_DRAFTABLE = ("JPEG", "MPO")  # decoders that can scale down by 1/2, 1/4, 1/8 while decoding
_MOVING = ("GIF", "PNG", "WEBP", "AVIF")  # where more than one frame is an animation (not a TIFF page)
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
              7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}  # as ImageOps.exif_transpose
_ORIENTATION = 0x0112
_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE)
_SVG_LENGTH = r"""\b{}\s*=\s*["']\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*["']"""


@dataclass(frozen=True)
class Photo:
    """An article's own photo as the templates show it."""
    src: str  # site path of the original, copied beside the article page: the <img src>
    width: int | None  # the original's intrinsic size, EXIF orientation applied (None: not known)
    height: int | None
    sources: tuple[tuple[int, str], ...] = ()  # (width, site path) of each WebP size, narrowest first

    def srcset(self, href: Callable[[str], str]) -> str:
        """The srcset attribute of the sizes, e.g. "/assets/photos/ab…-480.webp 480w, …", with
        `href` turning a site path into a link (Urls.href)."""
        return ", ".join(f"{href(path)} {width}w" for width, path in self.sources)


@dataclass(frozen=True, slots=True)
class Made(Copy):
    """A size made by prepare(). Its bytes follow from `key` (source digest, width, encoder
    settings) alone, so the key is its fingerprint: no need to look at the file."""
    key: str = ""


@dataclass(frozen=True)
class Prepared:
    photos: dict[tuple[str, str], Photo]  # (story key, lang) -> its photo, for Site.photos
    copies: list[Made]  # one per size, each path once
    known: dict[str, tuple]  # the table to store for the next build (Cache.save_table(TABLE, ...))
    made: int  # sizes encoded this time (the rest came from the folder)


@dataclass(frozen=True)
class _Picture:
    path: Path
    digest: str  # sha256 of the bytes, hex
    width: int | None  # as shown: after EXIF orientation
    height: int | None
    orientation: int  # EXIF orientation, 1 to 8
    still: bool  # a raster picture of one frame: the only kind that gets sizes


class _Failed(Exception):
    """Why a picture cannot be used, as the end of a sentence starting with its name."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@functools.cache
def encoder_key() -> str:
    """Changes with anything that changes the bytes of a size made from the same picture."""
    versions = (SETTINGS, QUALITY, METHOD, PIL.__version__, features.version("webp"))
    return hashlib.blake2b(repr(versions).encode(), digest_size=4).hexdigest()


@functools.cache
def _formats() -> tuple[str, ...]:
    Image.init()
    return tuple(f for f in _WANTED_FORMATS if f in Image.OPEN)  # AVIF only where Pillow has it


def widths(original: int) -> tuple[int, ...]:
    """The widths made of a picture `original` pixels wide: never wider than it (upscaling adds
    bytes, not detail), and the picture's own width when it is under the largest size, so a wide
    screen gets every pixel there is (a browser never falls back to `src` when `srcset` has widths)."""
    return tuple(w for w in WIDTHS if w < min(original, WIDTHS[-1])) + (min(original, WIDTHS[-1]),)


def site_path(digest: str, width: int) -> str:
    return f"{FOLDER}/{digest[:16]}-{width}.webp"


def _cache_name(digest: str, width: int) -> str:
    return f"{digest}-{width}-{encoder_key()}.webp"


def _height_at(picture: _Picture, width: int) -> int:
    return max(1, round(picture.height * width / picture.width))


def cache_folder(cache_dir: Path) -> Path | None:
    """The folder of cached sizes below the cache folder, made if need be; None when it cannot
    be (the builder then makes the sizes in a temporary folder)."""
    return own_folder(cache_dir, CACHE_FOLDER)


def decode_row(row) -> tuple:
    """A stored table value, checked: (stat key, digest, width, height, orientation, still)."""
    if type(row) is not tuple or len(row) != 6:
        raise ValueError("not a picture row")
    seen, digest, width, height, orientation, still = row
    if type(seen) is not tuple or len(seen) != 4 or not all(type(n) is int for n in seen):
        raise ValueError("not a stat key")
    if type(digest) is not str or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ValueError("not a digest")
    sizes_known = type(width) is int and type(height) is int and width > 0 and height > 0
    if not (sizes_known or (width is None and height is None and still is False)):
        raise ValueError("not a size")
    if type(orientation) is not int or not 1 <= orientation <= 8 or type(still) is not bool:
        raise ValueError("not a picture row")
    return row


def local_images(site: Site) -> list[tuple[Article, Path]]:
    """Each article whose image is a file of its story folder, with that file."""
    found = []
    for story in site.stories:
        assets = set(story.assets)
        for article in story.articles.values():
            image = article.image
            if not image or urlsplit(image).scheme or image.startswith("/"):
                continue
            if (path := story.folder / image) in assets:
                found.append((article, path))
    return found


def prepare(site: Site, folder: Path, *, known: dict | None = None, reuse: bool = True,
            threads: int | None = None, progress: Callable[[int], Callable[[int], None]] | None = None) -> Prepared:
    """The photo of every article whose image is its own file, with its sizes made into `folder`
    (the cache's, or a temporary one that outlives the build's copying) where they are missing.
    `known` is the table the last build stored (what each picture file was, by its stat); with
    reuse=False nothing stored is trusted and every size is made afresh. `threads` caps the
    encoding threads (default: one per core; Pillow decodes, resizes and encodes without the GIL);
    `progress(total)` gives the function to call with the number of pictures done. Raises
    BuildError naming, at its image line, every article whose picture cannot be used."""
    uses = local_images(site)
    found, table = _inspect(sorted({path for _, path in uses}), (known or {}) if reuse else {}, threads)
    pictures = {p.digest: p for p in found.values() if isinstance(p, _Picture) and p.still}
    failed, made = _make_missing(list(pictures.values()), folder, reuse, threads, progress)
    for digest, reason in failed.items():
        for path, picture in found.items():
            if isinstance(picture, _Picture) and picture.digest == digest:
                found[path] = reason
    problems = [_problem(article, found[path]) for article, path in uses if isinstance(found[path], str)]
    if problems:
        raise BuildError(sorted(problems, key=lambda p: (str(p.path), p.line or 0)))
    photos = {(article.story, article.lang): _photo(site, article, found[path]) for article, path in uses}
    return Prepared(photos, _copies(pictures.values(), folder), table, made)


def _photo(site: Site, article: Article, picture: _Picture) -> Photo:
    sources = tuple((w, site_path(picture.digest, w)) for w in widths(picture.width)) if picture.still else ()
    return Photo(site.urls.article(article) + article.image, picture.width, picture.height, sources)


def _copies(pictures, folder: Path) -> list[Made]:
    copies = []
    for picture in sorted(pictures, key=lambda p: p.digest):  # one per digest already: each path once
        for width in widths(picture.width):
            copies.append(Made(site_path(picture.digest, width), folder / _cache_name(picture.digest, width),
                               f"{picture.path} ({width} pixels wide)", f"{picture.digest}-{width}-{encoder_key()}"))
    return copies


def _problem(article: Article, reason: str) -> Problem:
    return Problem(article.path, f"image '{article.image}' {reason}", _image_line(article.path))


def _image_line(path: Path) -> int | None:
    """The file line of the front matter's image: key (the opening --- is line 1)."""
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() == "---":
            return None
        if re.match(r"image\s*:", line):
            return number
    return None


# What each picture is

def _inspect(paths: list[Path], known: dict, threads: int | None) -> tuple[dict[Path, _Picture | str], dict]:
    """Each file as a _Picture, or why it cannot be used; and the table rows to store. A file whose
    stat is what the table says is not read again: hashing every photo was most of a rebuild."""
    found: dict[Path, _Picture | str] = {}
    table: dict[str, tuple] = {}
    todo = []
    for path in paths:
        try:
            seen = stat_key(os.stat(path))
        except OSError as exc:
            found[path] = f"could not be read ({exc.strerror}); check the file, then build again."
            continue
        row = known.get(str(path))
        if row is not None and row[0] == seen:
            found[path] = _Picture(path, *row[1:])
            table[str(path)] = row
        else:
            todo.append((path, seen))
    digests = _map(_sha256, [path for path, _ in todo], threads)
    # Headers are read here, one at a time: the warning filter that turns Pillow's bomb warning
    # into an error is global, so it must not be changed by several threads at once.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        for (path, seen), digest in zip(todo, digests):
            try:
                picture = _read_header(path, digest)
            except _Failed as exc:
                found[path] = exc.reason
                continue
            found[path] = picture
            table[str(path)] = (seen, picture.digest, picture.width, picture.height, picture.orientation,
                                picture.still)
    return found, table


def _sha256(path: Path) -> str | OSError:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        return exc


def _read_header(path: Path, digest: str | OSError) -> _Picture:
    if isinstance(digest, OSError):
        raise _Failed(f"could not be read ({digest.strerror}); check the file, then build again.")
    if path.suffix.lower() in VECTOR:
        width, height = _svg_size(path)
        return _Picture(path, digest, width, height, 1, False)
    try:
        with Image.open(path, formats=_formats()) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _Failed(_too_large(width, height))
            orientation = _orientation(image)
            still = not (image.format in _MOVING and getattr(image, "is_animated", False))
    except _Failed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _Failed(_too_large()) from None
    except UnidentifiedImageError:
        raise _Failed("is not a picture the build can read (JPEG, PNG, WebP, GIF, AVIF, TIFF or BMP); "
                      "save it in one of those formats, or name another file.") from None
    except Exception as exc:  # noqa: BLE001 - any failure of a decoder on a bad file is that file's fault
        raise _Failed(_damaged(exc)) from None
    if orientation >= 5:  # turned a quarter: shown the other way round
        width, height = height, width
    return _Picture(path, digest, width, height, orientation, still)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 to 8) found without decoding the picture; inspection and encoding
    both use this, so they agree on the size."""
    if image.format == "PNG" and "exif" not in image.info:
        return 1  # PNG's getexif() would decode the whole picture, looking for a late eXIf chunk
    try:
        value = image.getexif().get(_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - a damaged EXIF block: the pixels are still good
        return 1
    return value if type(value) is int and 1 <= value <= 8 else 1


def _svg_size(path: Path) -> tuple[int | None, int | None]:
    """The width and height attributes of an SVG's root element, when they are plain pixel numbers."""
    if path.suffix.lower() != ".svg":
        return None, None
    try:
        with open(path, "rb") as handle:
            tag = _SVG_TAG.search(handle.read(65536))
    except OSError:
        return None, None
    text = tag.group().decode("utf-8", "replace") if tag else ""
    sizes = [re.search(_SVG_LENGTH.format(name), text) for name in ("width", "height")]
    if not all(sizes) or not all(round(float(m.group(1))) > 0 for m in sizes):
        return None, None
    return round(float(sizes[0].group(1))), round(float(sizes[1].group(1)))


def _too_large(width: int | None = None, height: int | None = None) -> str:
    size = (f"is {width:,}×{height:,} pixels ({width * height / 1e6:.0f} megapixels)" if width and height
            else "is too large to decode safely")
    return (f"{size}, more than the {MAX_PIXELS // 1_000_000} megapixels a build decodes; save a smaller "
            "copy (4,000 pixels wide is plenty on the web) and name that.")


def _damaged(exc: Exception) -> str:
    detail = str(exc).split("\n")[0][:120] or type(exc).__name__
    return (f"is damaged or incomplete ({detail}); save it again from the original, or name another "
            "file.")


# Making the sizes

def _make_missing(pictures: list[_Picture], folder: Path, reuse: bool, threads: int | None,
                  progress) -> tuple[dict[str, str], int]:
    """Encodes every size not already in `folder`; returns {digest: why it failed} and how many
    sizes were encoded."""
    jobs = []
    for picture in pictures:
        sizes = [(w, _height_at(picture, w), folder / _cache_name(picture.digest, w)) for w in widths(picture.width)]
        missing = [size for size in sizes if not (reuse and _usable(size[2], size[0], size[1]))]
        if missing:
            jobs.append((picture, missing))
    if jobs:
        _formats()  # found once, here, rather than by every thread at once
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # each size then says it could not be saved, and why
    update = progress(len(jobs)) if progress else None
    results = _map(lambda job: _encode(*job), jobs, threads, update)
    failed = {picture.digest: reason for (picture, _), reason in zip(jobs, results) if reason is not None}
    made = sum(len(missing) for (picture, missing) in jobs if picture.digest not in failed)
    return failed, made


def _usable(path: Path, width: int, height: int) -> bool:
    """Whether a cached size is a whole WebP file of this size. Cheap (its first 30 bytes), so it
    is checked on every build; never followed through a link."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return False
            head = handle.read(30)
        except OSError:
            return False
    return webp_size(head, info.st_size) == (width, height)


def webp_size(head: bytes, file_size: int) -> tuple[int, int] | None:
    """The pixel size a WebP file's first 30 bytes declare, or None when they are not a WebP
    header or the RIFF length is not the file's (a truncated or padded file)."""
    if len(head) < 30 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return None
    if struct.unpack_from("<I", head, 4)[0] + 8 != file_size:
        return None
    chunk = head[12:16]
    if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":  # lossy: 14-bit sizes after the start code
        width, height = struct.unpack_from("<HH", head, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and head[20] == 0x2F:  # lossless: 14-bit sizes minus one, packed
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":  # extended (alpha): 24-bit canvas sizes minus one
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    return None


def _encode(picture: _Picture, sizes: list[tuple[int, int, Path]]) -> str | None:
    """Decodes a picture once and saves each of `sizes` (width, height, file); returns why it
    could not, or None."""
    try:
        with Image.open(picture.path, formats=_formats()) as opened:
            image = _decoded(opened, picture, max(width for width, _, _ in sizes))
            for width, height, target in sizes:
                _save(target, _webp(image, width, height))
    except _Failed as exc:
        return exc.reason
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _too_large()
    except UnidentifiedImageError:
        return "changed while the build was reading it; build again."
    except Exception as exc:  # noqa: BLE001 - a decoder failing on a bad file: that file's fault
        return _damaged(exc)
    return None


def _decoded(image: Image.Image, picture: _Picture, largest: int) -> Image.Image:
    """The picture's pixels the right way up, in 8-bit sRGB, at least `largest` pixels wide."""
    orientation = _orientation(image)
    stored = image.size
    if (stored[::-1] if orientation >= 5 else stored) != (picture.width, picture.height):
        raise _Failed("changed while the build was reading it; build again.")
    if image.format in _DRAFTABLE:  # a 4000-pixel JPEG decoded at half size: twice as fast, same result
        scale = largest / picture.width
        image.draft(None, (math.ceil(stored[0] * scale), math.ceil(stored[1] * scale)))
    image.load()
    if orientation in _TRANSPOSE:
        image = image.transpose(_TRANSPOSE[orientation])
    return _srgb(image)


def _srgb(image: Image.Image) -> Image.Image:
    """8-bit RGB (RGBA if any pixel is transparent) in sRGB, what a browser assumes of a WebP
    without a profile: an embedded ICC profile is applied, not dropped, so colours stay right
    (a wide-gamut phone photo, a CMYK scan)."""
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        image = image.point(lambda v: v / 256).convert("L")  # 16-bit greys: convert() alone would clip them
    mode = "RGBA" if image.has_transparency_data else "RGB"
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            image = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                              ImageCms.createProfile("sRGB"), outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile lcms cannot use: its numbers taken as sRGB, as a browser would
    if image.mode != mode:
        image = image.convert(mode)
    if mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")  # transparency declared, none used: smaller without alpha
    return image


def _webp(image: Image.Image, width: int, height: int) -> bytes:
    if image.size != (width, height):
        # reducing_gap: a box reduction first, then Lanczos; indistinguishable at 3, and faster.
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=QUALITY, method=METHOD)  # no exif= or xmp=: no metadata
    return buffer.getvalue()


def _save(target: Path, data: bytes) -> None:
    """Writes by a rename, so no build sees half a file, whatever a damaged cache left there."""
    tmp = None
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{target.name}", dir=target.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)  # a folder where the file belongs: not ours to keep
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise _Failed(f"could not be saved as {target} ({exc.strerror}); free some space there or make "
                      "the folder writable, then build again.") from None


def _map(function, items: Sequence, threads: int | None, update: Callable[[int], None] | None = None) -> list:
    """function(item) for each item, in order, over `threads` threads (default: one per core)."""
    count = min(threads or cores(), len(items))
    report = update or (lambda done: None)
    if count <= 1:
        results = []
        for item in items:
            results.append(function(item))
            report(len(results))
        return results
    pool = ThreadPoolExecutor(count, thread_name_prefix="newsdigest-photos")
    try:
        futures = [pool.submit(function, item) for item in items]
        for done, _ in enumerate(as_completed(futures), start=1):
            report(done)
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # Ctrl-C: no queued picture is started
