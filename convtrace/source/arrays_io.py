"""NumPy .npy / .npz files -> arrays for the document's keys (images, kernels, bias, grad_output).

    --images x.npy --kernels w.npy          one array per file
    --images data.npz                       arrays named images, kernels (and bias, grad_output)
    --images data.npz:x --kernels data.npz:w   arrays picked by name

Files are read with allow_pickle=False: an .npy can hold pickled Python
objects, and unpickling runs code, so only plain numeric arrays are accepted.
Each array's header is read first, so a file too large for the size cap is
refused before its data is loaded.
"""

from __future__ import annotations

import difflib
import math
import os
import zipfile
import zlib

import numpy as np

from ..errors import DataError, UsageError
from .limits import check_elements

ARRAY_KEYS = ("images", "kernels", "bias", "grad_output")
NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"  # a zip with no members: numpy.savez(path) with no arrays
NAMES_SHOWN = 5  # an archive's array names listed in a message; the rest are counted


def split_spec(spec: str) -> tuple[str, str | None]:
    """'data.npz:w' -> ('data.npz', 'w'); 'x.npy' -> ('x.npy', None). A path that exists wins over a split."""
    if os.path.exists(spec):
        return spec, None
    path, sep, name = spec.rpartition(":")
    if sep and path and name and not name.startswith(("\\", "/")):
        return path, name
    return spec, None


def load_arrays(specs: dict[str, str | None], max_elements: int | None = None) -> dict[str, np.ndarray]:
    """{'images': 'data.npz', 'kernels': None, ...} -> {'images': array, 'kernels': array, ...}.

    An .npz given without an array name acts as a whole document: the keys
    not given by their own option are filled from its arrays of the same name.
    """
    arrays: dict[str, np.ndarray] = {}
    archives = []
    for key, spec in specs.items():
        if not spec:
            continue
        path, name = split_spec(spec)
        option = "--" + key.replace("_", "-")
        kind = _kind(path, option)
        if kind == "npy":
            if name is not None:
                raise UsageError(f"{option} {spec}: only an .npz holds named arrays; give {option} {path}")
            arrays[key] = _read_npy(path, key, max_elements)
        else:
            with _open_zip(path, option) as archive:
                names = _npz_names(archive, path)
                chosen = name if name is not None else _default_name(names, key, path, option)
                arrays[key] = _read_member(archive, path, chosen, names, key, option, max_elements)
                if name is None and chosen == key:
                    archives.append((path, names))
    for path, names in archives:
        _fill_from_archive(path, names, arrays, specs, max_elements)
    return arrays


def _kind(path: str, option: str) -> str:
    """'npy' or 'npz', told by the file's first bytes (not its name)."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(6)
    except FileNotFoundError:
        raise UsageError(f"{option}: file {path!r} does not exist; check the path") from None
    except IsADirectoryError:
        raise UsageError(f"{option}: {path!r} is a directory; give a .npy or .npz file") from None
    except OSError as err:
        raise UsageError(f"{option}: cannot read {path!r}: {err.strerror}") from None
    if start == NPY_MAGIC:
        return "npy"
    if start[:4] in (ZIP_MAGIC, EMPTY_ZIP_MAGIC):
        return "npz"
    looks = " (it looks like JSON: pass it as FILE instead)" if start.lstrip()[:1] in (b"{", b"[") else ""
    raise DataError(
        f"{option} {path}: not a .npy or .npz file{looks}; save arrays with numpy.save or numpy.savez"
    )


def _read_npy(path: str, key: str, max_elements: int | None) -> np.ndarray:
    with open(path, "rb") as handle:
        _check_header(handle, path, key, max_elements)
        handle.seek(0)
        return _read_array(handle, path, key)


def _check_header(handle, where: str, key: str, max_elements: int | None) -> None:
    """Read an .npy header: refuse object and structured dtypes and arrays over the size cap."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(handle)
    except (ValueError, EOFError, OSError):
        raise DataError(f"{where} is not a readable .npy array (its first bytes are damaged); save it again with numpy.save") from None
    if version not in ((1, 0), (2, 0), (3, 0)):
        raise DataError(f"{where} is an .npy file of format version {version[0]}.{version[1]}, which NumPy does not "
                        f"define; save it again with numpy.save")
    try:
        # version 3.0 differs from 2.0 only in allowing UTF-8 field names (structured arrays, refused below)
        header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, _, dtype = header(handle)
    except (ValueError, EOFError, OSError, SyntaxError, TypeError, UnicodeDecodeError):
        # the message would quote the header's own text (or Python's parse of it): say it plainly instead
        raise DataError(f"{where} is not a readable .npy array (its header is not a valid .npy header); "
                        f"save it again with numpy.save") from None
    if dtype.names is not None:
        raise DataError(f"{where} holds a structured array (fields {', '.join(dtype.names[:NAMES_SHOWN])}); "
                        f"save a plain numeric array")
    if dtype.hasobject:
        raise DataError(
            f"{where} holds Python objects (dtype object), which are not loaded for safety "
            f"(allow_pickle=False); save a numeric array, e.g. numpy.save(path, numpy.asarray(x, dtype=float))"
        )
    check_elements(math.prod(shape), f"{key} in {where} {tuple(shape)}", max_elements, "check the file", "holds")


def _read_array(handle, where: str, key: str) -> np.ndarray:
    try:
        return np.lib.format.read_array(handle, allow_pickle=False)
    except (ValueError, EOFError, OSError, zipfile.BadZipFile, zlib.error) as err:
        raise DataError(f"{where} is damaged or truncated ({_first_line(err)}); save it again with numpy.save") from None


def _open_zip(path: str, option: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise DataError(f"{option} {path}: not a readable .npz archive ({err}); save it with numpy.savez") from None


def _npz_names(archive: zipfile.ZipFile, path: str) -> list[str]:
    names = [n[:-4] for n in archive.namelist() if n.endswith(".npy")]
    if not names:
        raise DataError(f"{path} holds no arrays; save some with numpy.savez({path!r}, images=..., kernels=...)")
    return names


def _default_name(names: list[str], key: str, path: str, option: str) -> str:
    """The array an unnamed --images data.npz means: the one named 'images', or the only one."""
    if key in names:
        return key
    if len(names) == 1:
        return names[0]
    return _missing(path, key, names, option)


def _missing(path: str, name: str, names: list[str], option: str) -> str:
    guess = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    pick = guess[0] if guess else names[0]
    raise DataError(
        f"{path} has no array named {name!r} (it holds {some(names)}); "
        f"name the one to use: {option} {path}:{pick}"
    )


def _read_member(archive, path, name, names, key, option, max_elements) -> np.ndarray:
    if name not in names:
        _missing(path, name, names, option)
    where = f"{path}:{name}"
    try:
        with archive.open(name + ".npy") as member:
            _check_header(member, where, key, max_elements)
        with archive.open(name + ".npy") as member:
            return _read_array(member, where, key)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as err:  # a damaged compressed member
        raise DataError(f"{where} is damaged ({_first_line(err)}); save the archive again with numpy.savez") from None


def _fill_from_archive(path, names, arrays, specs, max_elements) -> None:
    """An .npz used as a whole document: take its other known arrays; refuse unknown ones (like unknown keys)."""
    for name in names:
        if name in ARRAY_KEYS:
            if name not in arrays and not specs.get(name):
                with _open_zip(path, "--images") as archive:
                    arrays[name] = _read_member(archive, path, name, names, name, "--" + name, max_elements)
            continue
        guess = difflib.get_close_matches(name, ARRAY_KEYS, n=1, cutoff=0.6)
        if guess:
            fix = f"did you mean {guess[0]!r}? Rename it, or pick it by name: --{guess[0].replace('_', '-')} {path}:{name}"
        else:
            fix = f"remove it, or pick arrays by name: --images {path}:images --kernels {path}:kernels"
        raise DataError(
            f"{path} holds an array named {name!r}, which is not one of {', '.join(ARRAY_KEYS)}; {fix}"
        )


def some(names: list[str]) -> str:
    """A few names and how many more: an archive can hold thousands."""
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return f"{shown} and {more:,} more" if more > 0 else shown


def _first_line(err: Exception) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:120] if lines else type(err).__name__
