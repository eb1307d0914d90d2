"""Desktop entry, metainfo and icons are valid; the install scripts round trip in a tmp PREFIX."""

from __future__ import annotations

import configparser
import filecmp
import os
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any, cast

import pytest

import app
from app import paths
from app.paths import APP_ID, ICON_SIZES, app_icon_files

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
ICONS = REPO / "resources" / "icons"
SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("bash"),
                                reason="the install scripts are for Linux desktops")


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    assert parser.sections() == ["Desktop Entry"]
    return parser["Desktop Entry"]


def _script_name() -> str:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (name,) = project["project"]["scripts"]
    return str(name)


def test_the_desktop_entry_has_what_launchers_need() -> None:
    entry = _desktop_entry(DESKTOP)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "MLSD Study"
    assert entry["Exec"].split()[0] == _script_name() == "mlsd-study"
    assert entry["Terminal"] == "false"
    for key in ("Categories", "Keywords"):
        assert entry[key].endswith(";"), f"{key} is a list and must end with ';'"
    assert "Education" in entry["Categories"].split(";")
    # The icon is looked up by name in the icon theme; ours ships under that name.
    assert entry["Icon"] == APP_ID
    assert (ICONS / f"{entry['Icon']}.svg").is_file()


@pytest.mark.skipif(not shutil.which("desktop-file-validate"),
                    reason="desktop-file-validate is not installed (desktop-file-utils)")
def test_the_desktop_entry_passes_desktop_file_validate() -> None:
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True,
                            text=True, check=False)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_the_metainfo_describes_this_release() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == "MLSD Study"
    assert (root.findtext("summary") or "").strip()
    description = root.find("description")
    assert description is not None and description.find("p") is not None
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert root.findtext("provides/binary") == _script_name()
    releases = root.findall("releases/release")
    assert releases, "at least one release"
    assert releases[0].get("version") == app.__version__  # the newest release comes first


@pytest.mark.skipif(not shutil.which("appstreamcli"),
                    reason="appstreamcli is not installed (appstream)")
def test_the_metainfo_passes_appstreamcli_validate() -> None:
    # --pedantic would add one note: "cid-contains-uppercase-letter". The reverse-DNS id keeps
    # the freedesktop convention of a capitalised last part (as org.gnome.Nautilus does).
    result = subprocess.run(["appstreamcli", "validate", "--no-net", "--no-color",
                             str(METAINFO)], capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    issues = [line for line in output.splitlines() if line[:2] in ("E:", "W:", "I:")]
    assert issues == []


def _png_header(path: Path) -> tuple[int, int, int, int]:
    """Width, height, bit depth and colour type from the PNG's IHDR chunk."""
    data = path.read_bytes()[:33]
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, colour


@pytest.mark.parametrize("size", ICON_SIZES)
def test_each_png_icon_has_its_size_and_transparency(size: int) -> None:
    path = ICONS / f"{APP_ID}-{size}.png"
    # 8 bits per channel with alpha (colour type 6): the tile's rounded corners stay clear.
    assert _png_header(path) == (size, size, 8, 6)


def test_the_svg_icon_is_square_and_self_contained() -> None:
    root = ET.parse(ICONS / f"{APP_ID}.svg").getroot()
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == "0 0 256 256"
    tags = {element.tag.removeprefix(SVG_NS) for element in root.iter()}
    # Icon themes render without fonts, scripts or files beside the icon.
    assert not tags & {"text", "script", "image", "foreignObject"}
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.endswith("href"):
                assert value.startswith("#"), f"external reference {value}"


def _setuptools() -> dict[str, Any]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return cast(dict[str, Any], project["tool"]["setuptools"])


def test_the_icons_ship_with_the_app() -> None:
    files = app_icon_files()
    assert [f.name for f in files] == [f"{APP_ID}-{s}.png" for s in ICON_SIZES] + [
        f"{APP_ID}.svg"]
    assert all(f.is_file() for f in files)
    # An install gets them as package data of app.assets.icons, where app/paths.py looks.
    setuptools = _setuptools()
    folder = REPO / setuptools["package-dir"]["app.assets.icons"]
    shipped = {match for pattern in setuptools["package-data"]["app.assets.icons"]
               for match in folder.glob(pattern)}
    assert set(files) == shipped


def test_every_package_is_listed_for_the_build() -> None:
    """pyproject lists the packages (the assets are mapped in), so a new one must be added."""
    on_disk = {".".join(init.parent.relative_to(REPO).parts)
               for init in (REPO / "app").rglob("__init__.py")}
    listed = set(_setuptools()["packages"])
    assert on_disk - listed == set(), "add these packages to pyproject.toml"
    assert listed - on_disk == {"app.assets.decks", "app.assets.icons"}
    assert {name: paths.SHIPPED_FOLDERS[name.rsplit(".", 1)[1]]
            for name in listed - on_disk} == _setuptools()["package-dir"]


def test_an_install_finds_the_decks_and_icons_as_package_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wheel, --user, pipx or the bundle: app/assets/ beside the code, not the source tree."""
    package = tmp_path / "site-packages" / "app"
    for folder in ("decks", "icons"):
        (package / "assets" / folder).mkdir(parents=True)
    monkeypatch.setattr(paths, "PACKAGE", package)
    assert paths.shipped_decks_dir() == package / "assets" / "decks"
    assert paths.icons_dir() == package / "assets" / "icons"


def test_a_source_checkout_finds_the_top_level_folders() -> None:
    assert paths.shipped_decks_dir() == REPO / "decks"
    assert paths.icons_dir() == REPO / "resources" / "icons"


def test_the_wheel_carries_the_decks_and_icons(tmp_path: Path) -> None:
    """Build the wheel as pip would and list it: the decks and icons are inside app/assets/."""
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(tmp_path / "wheel"), str(REPO)], capture_output=True, text=True,
                           check=False, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "app/assets/decks/ml-system-design.yaml" in names
    assert {f"app/assets/icons/{f.name}" for f in app_icon_files()} <= names
    assert not any(name.startswith(("decks/", "resources/")) or ".data/" in name
                   for name in names)


def test_the_scripts_parse() -> None:
    for script in ("build.sh", "install-linux.sh", "uninstall-linux.sh"):
        path = PACKAGING / script
        assert os.access(path, os.X_OK), f"{script} is not executable"
        subprocess.run(["bash", "-n", str(path)], check=True)


def _run(script: str, prefix: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(PACKAGING / script), str(prefix)], capture_output=True,
                          text=True, check=False, env={"HOME": str(prefix.parent), **env})


def _files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _installed() -> set[Path]:
    share = Path("share")
    return {share / "applications" / DESKTOP.name, share / "metainfo" / METAINFO.name,
            share / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg",
            *(share / f"icons/hicolor/{s}x{s}/apps" / f"{APP_ID}.png" for s in ICON_SIZES)}


@linux_only
def test_install_and_uninstall_a_built_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "dist" / "mlsd-study"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "_internal" / "base_library.zip").write_bytes(b"bundled")
    (bundle / "mlsd-study").write_text("#!/bin/sh\necho bundled\n")
    (bundle / "mlsd-study").chmod(0o755)
    prefix = tmp_path / "prefix"
    other = prefix / "share" / "applications" / "other.desktop"  # not ours: must survive
    other.parent.mkdir(parents=True)
    other.write_text("[Desktop Entry]\n")
    env = {"PATH": os.environ["PATH"], "BUNDLE": str(bundle)}

    installed = _run("install-linux.sh", prefix, env)
    assert installed.returncode == 0, installed.stderr
    copied = {Path("lib/mlsd-study/mlsd-study"), Path("lib/mlsd-study/_internal/base_library.zip")}
    assert _files(prefix) == _installed() | copied | {other.relative_to(prefix)}
    entry = _desktop_entry(prefix / "share" / "applications" / DESKTOP.name)
    assert entry["Exec"] == str(prefix / "lib" / "mlsd-study" / "mlsd-study")
    assert subprocess.run([entry["Exec"]], capture_output=True, text=True,
                          check=True).stdout == "bundled\n"
    assert entry["Icon"] == APP_ID
    for size in ICON_SIZES:
        assert filecmp.cmp(ICONS / f"{APP_ID}-{size}.png",
                           prefix / f"share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png",
                           shallow=False)
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(prefix / "share/applications" /
                                                    DESKTOP.name)], check=True)

    removed = _run("uninstall-linux.sh", prefix, env)
    assert removed.returncode == 0, removed.stderr
    assert _files(prefix) == {other.relative_to(prefix)}


@linux_only
def test_install_falls_back_to_the_command_on_path(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    command = bin_dir / "mlsd-study"
    command.write_text("#!/bin/sh\n")
    command.chmod(0o755)
    prefix = tmp_path / "prefix"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "BUNDLE": str(tmp_path / "no-bundle")}

    assert _run("install-linux.sh", prefix, env).returncode == 0
    assert _files(prefix) == _installed()  # nothing copied to lib/
    entry = _desktop_entry(prefix / "share" / "applications" / DESKTOP.name)
    assert entry["Exec"] == str(command)
    assert _run("uninstall-linux.sh", prefix, env).returncode == 0
    assert _files(prefix) == set()


@linux_only
def test_install_without_anything_to_launch_explains(tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    env = {"PATH": "/usr/bin:/bin", "BUNDLE": str(tmp_path / "no-bundle")}
    result = _run("install-linux.sh", prefix, env)
    assert result.returncode == 1
    assert "nothing to launch: build the bundle (packaging/build.sh)" in result.stderr
    assert _files(prefix) == set()
