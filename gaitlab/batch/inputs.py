"""Expanding the batch's inputs (files, folders, globs) into a sorted list of unique files.

Every file gets a *name*: its path relative to the deepest folder that holds all the inputs, in
POSIX form (``a/run.csv``). Names are unique (two ``run.csv`` in different folders keep their
folders), independent of where the data lives on disk (no absolute or temporary paths end up in
the outputs), and they fix the order of the batch and the names of its outputs.
"""

from __future__ import annotations

import glob
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

__all__ = ["BatchInput", "KNOWN_SUFFIXES", "expand_inputs"]

logger = logging.getLogger(__name__)

#: File name endings picked up when a folder is searched (case-insensitive). Files named
#: explicitly, or matched by a glob, are taken whatever their suffix (gaitlab.read sniffs content).
#: ``.txt`` is left out on purpose: folders hold READMEs and notes; pass ``'data/**/*.txt'`` instead.
KNOWN_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".parquet", ".pq")

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class BatchInput:
    """One input file of a batch.

    Attributes
    ----------
    path : str
        Absolute path of the file (where workers read it).
    name : str
        POSIX path relative to the batch root: the file's identity in outputs and the summary.
    size : int
        Size in bytes when the batch was planned.
    mtime_ns : int
        Modification time (ns since the epoch) when the batch was planned.
    """

    path: str
    name: str
    size: int
    mtime_ns: int


def natural_key(name: str) -> tuple:
    """Sort key that orders numbers by value: ``run_2`` before ``run_10`` (then by the raw name, so
    ``run_02`` and ``run_2`` keep a fixed order)."""
    parts = re.split(r"(\d+)", name)
    return tuple((0, int(p), "") if i % 2 else (1, 0, p) for i, p in enumerate(parts) if p), name


def _has_known_suffix(name: str) -> bool:
    return name.lower().endswith(KNOWN_SUFFIXES)


def _walk(folder: Path, exclude: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        # skip hidden folders (.git, our own .batch manifest) and the batch's own output folder
        dirnames[:] = [d for d in dirnames
                       if not d.startswith(".") and (here / d).resolve() not in exclude]
        found.extend(here / f for f in filenames
                     if not f.startswith(".") and _has_known_suffix(f) and (here / f).resolve() not in exclude)
    return found


def expand_inputs(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    exclude: Sequence[str | os.PathLike[str]] = (),
) -> list[BatchInput]:
    """Expand files, folders (recursively) and glob patterns into the batch's input files.

    Parameters
    ----------
    inputs : path or iterable of paths
        Files (taken whatever their suffix), folders (searched recursively for
        :data:`KNOWN_SUFFIXES`, hidden entries skipped) and glob patterns (``**`` recurses).
    exclude : sequence of paths
        Files or folders never taken from a folder search (the batch's own outputs, so that a
        re-run does not analyse its own ``summary.csv``).

    Returns
    -------
    list of BatchInput
        Unique files (a file reached twice, also through a symlink, is kept once), sorted by name (numbers by value: ``run_2`` before ``run_10``).

    Raises
    ------
    InputError
        An input that does not exist, a glob that matches nothing, or no files at all.
    """
    if isinstance(inputs, str | os.PathLike):
        inputs = [inputs]
    excluded = [Path(p).resolve() for p in exclude]
    files: list[Path] = []
    missing: list[str] = []
    for item in inputs:
        text = os.fspath(item)
        p = Path(text).expanduser()
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files.extend(_walk(p, excluded))
        elif _GLOB_CHARS & set(text):
            matches = sorted(glob.glob(os.path.expanduser(text), recursive=True))
            if not matches:
                missing.append(f"{text} (glob matched nothing)")
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    files.extend(_walk(mp, excluded))
                elif mp.is_file():
                    files.append(mp)
        else:
            missing.append(text)
    if missing:
        raise InputError("input not found: " + ", ".join(missing))

    unique: dict[str, Path] = {}
    for f in files:
        unique.setdefault(os.path.realpath(f), Path(os.path.abspath(f)))
    if not unique:
        raise InputError("no input files found; folders are searched for "
                         + ", ".join(KNOWN_SUFFIXES) + " (name other files or use a glob)")
    paths = list(unique.values())
    root = Path(os.path.commonpath([str(p.parent) for p in paths]))
    result = []
    for p in paths:
        st = p.stat()
        result.append(BatchInput(path=str(p), name=p.relative_to(root).as_posix(),
                                 size=st.st_size, mtime_ns=st.st_mtime_ns))
    result.sort(key=lambda b: natural_key(b.name))
    logger.debug("batch: %d input files under %s", len(result), root)
    return result
