"""Which foot a shoe recording is from, when only its file name says.

Shoe sensors record the same signal on either foot (the data alone cannot tell a left from a right
foot reliably), and most apps do not store the side. People name the files instead:
``shoe_L.csv``, ``run-left.csv``, ``RightFoot.csv``, ``links.csv``. :func:`side_from_name` reads
those names; :func:`pair_sides` decides the sides of a left/right pair from the files' own side
(e.g. a Parquet file written by gaitlab), then the names, then the order given, with a warning.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence

__all__ = ["side_from_name", "pair_sides", "read_pair"]

log = logging.getLogger(__name__)

#: Whole name tokens that mean a side (English, German, French, Spanish/Italian abbreviations).
_TOKENS = {"l": "L", "lt": "L", "lft": "L", "left": "L", "links": "L", "linker": "L", "gauche": "L",
           "izq": "L", "izquierdo": "L", "sx": "L",
           "r": "R", "rt": "R", "rgt": "R", "right": "R", "rechts": "R", "rechter": "R", "droit": "R",
           "droite": "R", "der": "R", "derecho": "R", "dx": "R"}
#: Words that mean a side also when glued to another word (``leftfoot``, ``shoeRight``).
_WORDS = {"left": "L", "right": "R"}
_SUFFIXES = (".gz", ".csv", ".txt", ".parquet", ".json", ".tsv")


def _tokens(name: str) -> list[str]:
    stem = os.path.basename(name)
    while True:  # run_L.csv.gz -> run_L
        low = stem.lower()
        cut = next((s for s in _SUFFIXES if low.endswith(s)), None)
        if cut is None:
            break
        stem = stem[: -len(cut)]
    # camelCase and digits split too: shoeRight -> shoe Right, L1 -> L 1
    parts = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", stem)
    return [t.lower() for t in re.split(r"[^A-Za-z0-9]+", parts) if t]


def side_from_name(path: str | os.PathLike[str]) -> str | None:
    """``'L'`` or ``'R'`` when the file name says which foot, else None.

    A token (between ``_``, ``-``, ``.``, spaces, digits or a camelCase boundary) that is a side
    word or letter (``L``, ``left``, ``links``...), or ``left``/``right`` glued to a word
    (``leftfoot``). A name that says both sides, or neither, gives None.

    >>> side_from_name("data/shoe_R.csv.gz"), side_from_name("RunLeftFoot.csv"), side_from_name("run.csv")
    ('R', 'L', None)
    """
    found = set()
    for tok in _tokens(os.fspath(path)):
        if tok in _TOKENS:
            found.add(_TOKENS[tok])
        else:
            found.update(s for w, s in _WORDS.items() if tok.startswith(w) or tok.endswith(w))
    return found.pop() if len(found) == 1 else None


def pair_sides(paths: Sequence[str | os.PathLike[str]], stored: Sequence[str | None] = (None, None)) -> list[str]:
    """The sides of a left/right shoe pair, in the order of ``paths``.

    Parameters
    ----------
    paths : two paths
        The files, in the order the user gave them.
    stored : two of 'L', 'R' or None
        The side each file itself records (None: it does not say).

    Returns
    -------
    list of str
        ``['L', 'R']`` or ``['R', 'L']``: the files' own sides when they say; else their names;
        else the order given (left first), with a warning, since nothing tells.
    """
    from ..errors import InputError, option

    named = [side_from_name(p) for p in paths]
    sides = [s or n for s, n in zip(stored, named, strict=True)]
    if sides[0] and sides[1]:
        if sides[0] == sides[1]:
            raise InputError(f"both files of the shoe pair are the {'left' if sides[0] == 'L' else 'right'} "
                             f"foot ({os.fspath(paths[0])}, {os.fspath(paths[1])}); a pair needs one left "
                             "and one right file")
        return sides
    if sides[0] or sides[1]:
        known = sides[0] or sides[1]
        other = "R" if known == "L" else "L"
        return [known, other] if sides[0] else [other, known]
    log.warning("neither the files nor their names say which foot is which (%s, %s): taking the first as "
                "the left foot; name them with L/R or left/right (e.g. run_L.csv, run_R.csv) or give "
                "%s for the first file", os.fspath(paths[0]), os.fspath(paths[1]), option("side"))
    return ["L", "R"]


def read_pair(paths: Sequence[str | os.PathLike[str]], *, first_side: str | None = None,
              placement: str = "shoe", **read_options) -> list:
    """Read a left/right shoe pair, left first, each recording with its side.

    Parameters
    ----------
    paths : two paths
        The files, in any order.
    first_side : {'L', 'R'}, optional
        The foot of the first file, when the user says so (``--side``).
    placement : str
        Passed to :func:`gaitlab.read` (``'shoe'``).
    **read_options
        Reader options (``acc_unit=``, ``columns=``...), see :func:`gaitlab.read`.

    Returns
    -------
    list of Recording
        ``[left, right]``. Each side comes from ``first_side``, else the file itself, else its name
        (``run_L.csv``), else the order given, with a warning (:func:`pair_sides`).
    """
    from ..errors import InputError
    from . import read

    if len(paths) != 2:
        raise InputError(f"a shoe pair is two files, found {len(paths)}")
    recs = [read(p, placement=placement, **read_options) for p in paths]
    stored = [r.side for r in recs]
    if first_side is not None:
        stored = [first_side, "R" if first_side == "L" else "L"]
    sides = pair_sides(paths, stored)
    recs = [r if r.side == s else r.replace(side=s) for r, s in zip(recs, sides, strict=True)]
    return recs if sides[0] == "L" else recs[::-1]
