"""Check a submitted ``model.keras`` before Keras sees it: the archive, the config, the size.

A ``.keras`` file is a ZIP archive of ``config.json`` (which classes to build, with which
arguments), ``metadata.json`` and ``model.weights.h5``. Keras builds what the config names,
which is how the published safe-mode bypasses work (CVE-2025-1550: any module; CVE-2025-9906: a
``Lambda`` calling ``keras.config.enable_unsafe_deserialization``, then one with bytecode;
CVE-2025-8747: ``keras.utils.get_file``; CVE-2026-1462: ``TFSMLayer``). Nothing here imports
Keras; :func:`check_model_file` refuses, with a one-line reason naming the culprit:

* archives (with :mod:`instructor.competition.archives`): not a ZIP, ZIP64, more than
:data:`MAX_MEMBERS`
  members (counted from the end record, before :mod:`zipfile` parses the directory), absolute
  names, ``..``, backslashes, NULs, symbolic links, duplicates, members other than
  :data:`MEMBERS`, a member declaring more than the limit or expanding more than
  :data:`MAX_RATIO` times (a ZIP bomb), or whose actual size or CRC differs from what it
  declares (every member is read in bounded chunks);
* configs: anything but a ``Functional``/``Sequential`` model at the top, a model inside it,
  any object not in :data:`ALLOWED` (by module and class; ``registered_name`` empty or the
  class name), so no ``Lambda``, functions, ``__lambda__`` bytecode, arrays, custom classes;
  names that are not plain identifiers (``relu``); call arguments other than tensors, numbers,
  booleans and ``None``;
* settings that let one scored window see another (:data:`FIXED`): attention across the
  batch axis (``attention_axes``), any other axis-like argument (``axis``, ``*_axes``) that is
  not the last axis, ``data_format`` other than ``channels_last``, ``stateful`` layers and
  calls with ``training=True`` (batch statistics);
* calls: a positional argument that is not a tensor (``training=True`` written positionally);
* look-ahead, by construction (:func:`instructor.competition.causal_reach.check_causal`): a layer
graph in
  which an output position can depend on a later input position (``Bidirectional``, a centred or
  ``valid`` ``Conv1D``, a shift such as ``ZeroPadding1D((0, 1))`` then ``Cropping1D((1, 0))``,
  attention and masks, which no config can prove causal, a ``go_backwards`` or whole-sequence
  RNN), and any layer, setting or call the causal analysis has no rule for;
* sizes: more than ``max_params`` parameters, computed from the config alone
  (:mod:`instructor.competition.model_params`).

The dynamic probe (:func:`helpers.competition.looks_ahead`) and the scoring's twins stay as a
second line of defence, should a causal rule be wrong.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from instructor.competition import archives
from instructor.competition.model_config import check_config
from instructor.competition.model_params import ModelRefused, declared_params, error_line

MAX_MEMBERS = 16
MAX_RATIO = 200
"""Largest expansion of a member larger than 1 MiB (Keras stores members uncompressed: 1)."""
MAX_CONFIG_BYTES = 8 * 2**20
MEMBERS = {"config.json", "metadata.json", "model.weights.h5", "model.weights.npz"}


@dataclass(frozen=True)
class ModelSummary:
    """What the config declares: parameters (computed from the config) and layer classes."""

    params: int
    layers: tuple[str, ...]


def check_model_file(
    path: str | os.PathLike[str],
    max_params: int,
    max_bytes: int = 200 * 2**20,
    causal: bool = True,
) -> ModelSummary:
    """Check the archive at ``path`` and its config; return what it declares.

    Args:
        path: a ``model.keras`` file (a copy the submitter can no longer change).
        max_params: refuse a config that declares more parameters.
        max_bytes: largest file, and largest member, accepted.
        causal: also refuse look-ahead by construction (the competition's rule). The grader's
            bridge passes ``False``: exercises ask for many-to-one and ``Bidirectional`` models,
            and what it needs is that loading runs no code, which the rest of the check gives.

    Raises:
        ModelRefused: the one-line reason (see the module docstring).
    """
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        raise ModelRefused(f"{path.name} is not a regular file")
    if path.stat().st_size > max_bytes:
        raise ModelRefused(f"{path.name} is {path.stat().st_size:,} bytes (limit {max_bytes:,})")
    try:
        archives.check_end_record(path, "model.keras", MAX_MEMBERS)
        with zipfile.ZipFile(path) as archive:
            members = _check_members(archive, max_bytes)
            if not {"config.json", "metadata.json"} <= members:
                lacking = sorted({"config.json", "metadata.json"} - members)
                raise ModelRefused(f"model.keras lacks {lacking}")
            if not members & {"model.weights.h5", "model.weights.npz"}:
                raise ModelRefused("model.keras holds no weights (model.weights.h5)")
            config = _read_json(archive, "config.json", MAX_CONFIG_BYTES)
            _read_json(archive, "metadata.json", 64 * 2**10)
    except archives.UnsafeArchive as error:
        raise ModelRefused(str(error)) from None
    except (*archives.READ_ERRORS, OSError) as error:
        if isinstance(error, ModelRefused):
            raise
        raise ModelRefused(f"model.keras is not a valid archive ({error_line(error)})") from None
    layers = check_config(config, causal)
    try:
        params = declared_params(config)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as error:
        if isinstance(error, ModelRefused):
            raise
        raise ModelRefused(f"config.json: a layer lacks a setting ({error_line(error)})") from None
    if params > max_params:
        raise ModelRefused(
            f"model too large: its config declares {params:,} parameters (limit {max_params:,})"
        )
    return ModelSummary(params, layers)


def _check_members(archive: zipfile.ZipFile, max_bytes: int) -> set[str]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ModelRefused(f"model.keras has {len(infos)} members (at most {MAX_MEMBERS})")
    names: set[str] = set()
    declared = 0
    for info in infos:
        name = info.filename
        archives.check_member(info, "model.keras")
        if name in names:
            raise ModelRefused(f"model.keras holds {archives.shown(name)} twice")
        names.add(name)
        if name not in MEMBERS:
            raise ModelRefused(f"model.keras holds an unexpected member {archives.shown(name)}")
        declared += info.file_size
        if info.file_size > max_bytes or declared > max_bytes:
            raise ModelRefused(
                f"model.keras member {archives.shown(name)} declares {info.file_size:,} bytes "
                f"(limit {max_bytes:,} in all): a ZIP bomb or too large"
            )
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ModelRefused(
                f"model.keras member {archives.shown(name)} expands {info.file_size:,} bytes "
                f"from {info.compress_size:,}: a ZIP bomb"
            )
        archives.read_member(archive, info, "model.keras", max_bytes, keep=False)
    return names


def _read_json(archive: zipfile.ZipFile, name: str, limit: int) -> dict:
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ModelRefused(f"member {name} is {info.file_size:,} bytes (limit {limit:,})")
    try:
        value = json.loads(archive.read(info).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ModelRefused(f"model.keras member {name} is not JSON ({error_line(error)})") from None
    if not isinstance(value, dict):
        raise ModelRefused(f"model.keras member {name} is not a JSON object")
    return value
