"""Bad input: each case gets a clear message naming the file, and never stops the batch."""
from __future__ import annotations

import pytest

from .importer_support import BAD, SEED_EN
from newsdigest.importer.reading import UnreadableInput, expand, read_source


def test_empty_file():
    with pytest.raises(UnreadableInput) as info:
        read_source(BAD / "empty.txt")
    assert str(info.value) == f"{BAD / 'empty.txt'}: the file is empty; nothing to import."


def test_blank_file_with_only_non_breaking_spaces():
    with pytest.raises(UnreadableInput) as info:
        read_source(BAD / "blank.txt")
    assert str(info.value) == f"{BAD / 'blank.txt'}: the file holds only blank lines; nothing to import."


def test_binary_file():
    with pytest.raises(UnreadableInput) as info:
        read_source(BAD / "photo.png")
    assert str(info.value) == (f"{BAD / 'photo.png'}: this is a binary file, not text; only plain text "
                               "copied from a news page can be imported.")


def test_cp1252_falls_back_with_a_warning(tmp_path):
    path = tmp_path / "montreal.txt"
    path.write_bytes("Première ligne.\nLe 14 février, la mairesse a défendu « son » budget.\n".encode("cp1252"))
    source = read_source(path)
    assert "Le 14 février, la mairesse a défendu « son » budget." in source.text
    assert [str(w) for w in source.warnings] == [
        f"{path}:1: not valid UTF-8 (byte 0xe8); read as Windows-1252 (cp1252) instead. Check the "
        "accented letters in the result, or re-save the file as UTF-8."]


def test_bytes_neither_utf8_nor_cp1252(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(b"Bonjour\n\x81\x8d text")
    with pytest.raises(UnreadableInput) as info:
        read_source(path)
    assert str(info.value) == f"{path}:2: not UTF-8 (byte 0x81) nor Windows-1252 text; re-save it as UTF-8."


def test_utf8_bom_and_crlf_are_normalised(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffTitle line\r\nBody.\r\n".encode("utf-8"))
    assert read_source(path).text == "Title line\nBody.\n"


def test_expand_folders_recursively_and_reports_missing_paths(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "2.txt").write_text("x")
    (tmp_path / "a" / ".hidden").write_text("x")
    (tmp_path / "1.txt").write_text("x")
    files, problems = expand([tmp_path, SEED_EN, tmp_path / "nope.txt"])
    assert files == [tmp_path / "1.txt", tmp_path / "a" / "2.txt", SEED_EN]
    assert [str(p) for p in problems] == [f"{tmp_path / 'nope.txt'}: no such file or folder; check the path."]
