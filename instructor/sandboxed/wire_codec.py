"""The one codec of the grading bridge: plain data in, plain data out, nothing with behaviour.

Both processes of a graded notebook (the sandboxed student process and the trusted checker) use
this module; it imports only NumPy (TensorFlow, Keras and the pack's ``helpers`` lazily, when a
value needs them). A value is encoded to a JSON tree and decoded from one. What can cross:

* ``None``, ``bool``, ``int`` (at most :data:`MAX_INT_DIGITS` digits), ``float``, ``str`` (at
  most :data:`MAX_STR` characters), and ``list``, ``tuple``, ``dict`` of these;
* ``numpy.ndarray`` and NumPy scalars of a bool, integer or float dtype;
* the pack's own types by their documented form: ``CharVocab`` by its JSON, a NumPy
  ``Generator`` by its bit generator's state, a TensorFlow tensor by its array;
* a ``tf.data.Dataset``, materialised: at most :data:`MAX_ELEMENTS` elements;
* a Keras model, as the bytes of a ``.keras`` file; the receiving side decides how to load it
  (the checker runs the competition's model check first);
* a function, as a *handle*: the receiver can call it back through the bridge, never run it.

Types are matched exactly (``type(x) is int``): a subclass, whatever its ``__eq__`` says, does
not cross. The decoder builds only the types above, checks every size, and refuses anything else
with :class:`Uncrossable`. There is no pickle anywhere.
"""

from __future__ import annotations

import base64

import numpy as np

MAX_STR = 10_000_000
MAX_INT_DIGITS = 4_000
MAX_ITEMS = 1_000_000
MAX_BYTES = 48 * 2**20
MAX_DEPTH = 32
MAX_ELEMENTS = 10_000
DTYPES = frozenset(
    "bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 float16 float32 float64".split()
)
BIT_GENERATORS = frozenset({"PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937"})
_SCALARS = {np.dtype(name).type: name for name in DTYPES}


class Uncrossable(Exception):
    """A value cannot cross the bridge (its type, or a size over a cap); the message says why."""


class Budget:
    """Counts items and bytes of one message against the caps."""

    def __init__(self) -> None:
        self.items = 0
        self.bytes = 0

    def spend(self, items: int = 1, size: int = 0) -> None:
        self.items += items
        self.bytes += size
        if self.items > MAX_ITEMS or self.bytes > MAX_BYTES:
            raise Uncrossable(
                f"too much data for one call (over {MAX_ITEMS:,} items or {MAX_BYTES:,} bytes)"
            )


def type_name(value: object) -> str:
    return type(value).__name__[:40]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, budget: Budget) -> bytes:
    if type(text) is not str:
        raise Uncrossable("bytes must come as base64 text")
    budget.spend(size=len(text))
    return base64.b64decode(text.encode("ascii"), validate=True)


def _module_of(value: object) -> str:
    return getattr(type(value), "__module__", "") or ""


# ------------------------------------------------------------------------------------- encode


def encode(value: object, export, save_model, budget: Budget | None = None, depth: int = 0):
    """The JSON tree of ``value``.

    Args:
        export: called with a function, returns its handle number (the sender keeps it).
        save_model: called with a Keras model, returns the bytes of its ``.keras`` file.
    """
    budget = budget or Budget()
    if depth > MAX_DEPTH:
        raise Uncrossable(f"data nested deeper than {MAX_DEPTH} levels")
    budget.spend()
    kind = type(value)
    if value is None or kind in (bool, float):
        return value
    if kind is int:
        if value.bit_length() > MAX_INT_DIGITS * 3.33:
            raise Uncrossable(f"an int of more than {MAX_INT_DIGITS} digits")
        return value
    if kind is str:
        if len(value) > MAX_STR:
            raise Uncrossable(f"a str of {len(value):,} characters (at most {MAX_STR:,})")
        budget.spend(size=len(value))
        return value
    if kind in (list, tuple):
        items = [encode(v, export, save_model, budget, depth + 1) for v in value]
        return items if kind is list else {"t": "tuple", "v": items}
    if kind is dict:
        pairs = [
            [encode(k, export, save_model, budget, depth + 1),
             encode(v, export, save_model, budget, depth + 1)]
            for k, v in value.items()
        ]  # fmt: skip
        return {"t": "dict", "v": pairs}
    if kind is np.ndarray:
        if value.dtype.name not in DTYPES:
            raise Uncrossable(f"an array of dtype {value.dtype} (numbers or bools only)")
        data = np.ascontiguousarray(value).tobytes()
        budget.spend(size=len(data))
        return {"t": "nd", "dtype": value.dtype.name, "shape": list(value.shape), "b": _b64(data)}
    if kind in _SCALARS:
        return {"t": "np", "dtype": _SCALARS[kind], "b": _b64(np.asarray(value).tobytes())}
    if kind is np.random.Generator:
        state = value.bit_generator.state
        return {"t": "Generator", "state": encode(state, export, save_model, budget, depth + 1)}
    if kind.__name__ == "CharVocab" and _module_of(value) == "helpers.vocab":
        return {"t": "CharVocab", "json": value.to_json()}
    module = _module_of(value)
    if module.startswith(("tensorflow", "keras")):
        return _encode_tf(value, export, save_model, budget, depth)
    if callable(value):
        return {"t": "handle", "id": export(value)}
    raise Uncrossable(f"a {type_name(value)} cannot be graded (plain data, arrays, models only)")


def _encode_tf(value, export, save_model, budget, depth):
    import keras
    import tensorflow as tf

    if isinstance(value, keras.Model):
        data = save_model(value)
        budget.spend(size=len(data))
        return {"t": "keras", "b": _b64(data)}
    if isinstance(value, tf.Tensor):
        array = np.asarray(value.numpy())  # a scalar tensor gives a NumPy scalar: 0-d array
        return {"t": "tensor", "v": encode(array, export, save_model, budget, depth + 1)}
    if isinstance(value, tf.data.Dataset):
        elements = []
        for element in value.as_numpy_iterator():
            if len(elements) >= MAX_ELEMENTS:
                raise Uncrossable(f"a dataset of more than {MAX_ELEMENTS:,} elements")
            elements.append(encode(_plain(element), export, save_model, budget, depth + 1))
        spec = tf.nest.map_structure(
            lambda s: [s.shape.as_list(), s.dtype.name], value.element_spec
        )
        return {"t": "dataset", "elements": elements,
                "spec": encode(_plain(spec), export, save_model, budget, depth + 1)}  # fmt: skip
    if callable(value):
        return {"t": "handle", "id": export(value)}
    raise Uncrossable(f"a {type_name(value)} cannot be graded (plain data, arrays, models only)")


def _plain(value):
    """Dataset elements as plain tuples, lists and dicts (named tuples become tuples)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return (list if type(value) is list else tuple)(_plain(v) for v in value)
    if isinstance(value, bytes):
        raise Uncrossable("a dataset of bytes")
    return value


# ------------------------------------------------------------------------------------- decode


def decode(tree: object, remote, load_model, budget: Budget | None = None, depth: int = 0):
    """The value of a JSON tree from the other side; only the types of the module docstring.

    Args:
        remote: called with a handle number, returns a callable that calls it through the bridge.
        load_model: called with the bytes of a ``.keras`` file, returns the model (or raises).
    """
    budget = budget or Budget()
    if depth > MAX_DEPTH:
        raise Uncrossable(f"data nested deeper than {MAX_DEPTH} levels")
    budget.spend()
    kind = type(tree)
    if tree is None or kind in (bool, int, float):
        if kind is int and tree.bit_length() > MAX_INT_DIGITS * 3.33:
            raise Uncrossable(f"an int of more than {MAX_INT_DIGITS} digits")
        return tree
    if kind is str:
        if len(tree) > MAX_STR:
            raise Uncrossable("a str over the cap")
        return tree
    if kind is list:
        return [decode(v, remote, load_model, budget, depth + 1) for v in tree]
    if kind is not dict or type(tree.get("t")) is not str:
        raise Uncrossable("malformed data")
    tag = tree["t"]
    if tag == "tuple":
        items = tree["v"]
        if type(items) is not list:
            raise Uncrossable("malformed tuple")
        return tuple(decode(v, remote, load_model, budget, depth + 1) for v in items)
    if tag == "dict":
        out = {}
        for pair in tree["v"]:
            if type(pair) is not list or len(pair) != 2:
                raise Uncrossable("malformed dict")
            key = decode(pair[0], remote, load_model, budget, depth + 1)
            if type(key) not in (str, int, float, bool, tuple) and key is not None:
                raise Uncrossable(f"a dict key of type {type_name(key)}")
            out[key] = decode(pair[1], remote, load_model, budget, depth + 1)
        return out
    if tag in ("nd", "np"):
        dtype = tree.get("dtype")
        if dtype not in DTYPES:
            raise Uncrossable(f"dtype {str(dtype)[:20]!r}")
        data = _unb64(tree.get("b"), budget)
        if tag == "np":
            if len(data) != np.dtype(dtype).itemsize:
                raise Uncrossable("malformed NumPy scalar")
            return np.frombuffer(data, dtype=dtype)[0].copy()
        shape = tree.get("shape")
        if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
            raise Uncrossable("malformed array shape")
        if len(shape) > 32 or int(np.prod(shape, dtype=object)) * np.dtype(dtype).itemsize != len(
            data
        ):
            raise Uncrossable("array data does not match its shape")
        # An empty array may not claim huge axes: (0, 10**12) costs nothing here, but a check's
        # ``result.sum(axis=0)`` would allocate them. Counting empty axes as 1, no more elements
        # than a non-empty array could bring.
        if int(np.prod([max(n, 1) for n in shape], dtype=object)) > MAX_BYTES:
            raise Uncrossable(f"an array of shape {tuple(shape)!s:.60} (axes too long)")
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if tag == "Generator":
        state = decode(tree.get("state"), remote, load_model, budget, depth + 1)
        name = state.get("bit_generator") if type(state) is dict else None
        if name not in BIT_GENERATORS:
            raise Uncrossable(f"bit generator {str(name)[:20]!r}")
        generator = np.random.Generator(getattr(np.random, name)())
        try:
            generator.bit_generator.state = state
        except (TypeError, ValueError, KeyError) as error:
            raise Uncrossable(f"a generator state NumPy refuses ({error})"[:120]) from None
        return generator
    if tag == "CharVocab":
        from helpers.vocab import CharVocab

        text = tree.get("json")
        if type(text) is not str or len(text) > MAX_STR:
            raise Uncrossable("malformed CharVocab")
        try:
            return CharVocab.from_json(text)
        except (ValueError, TypeError) as error:
            raise Uncrossable(f"a CharVocab that does not load ({error})"[:160]) from None
    if tag == "tensor":
        import tensorflow as tf

        array = decode(tree.get("v"), remote, load_model, budget, depth + 1)
        if type(array) is not np.ndarray:
            raise Uncrossable("malformed tensor")
        return tf.constant(array)
    if tag == "dataset":
        return _dataset(tree, remote, load_model, budget, depth)
    if tag == "keras":
        return load_model(_unb64(tree.get("b"), budget))
    if tag == "handle":
        if type(tree.get("id")) is not int:
            raise Uncrossable("malformed handle")
        return remote(tree["id"])
    raise Uncrossable(f"unknown kind of data {tag[:20]!r}")


def _dataset(tree, remote, load_model, budget, depth):
    import tensorflow as tf

    elements = tree.get("elements")
    if type(elements) is not list or len(elements) > MAX_ELEMENTS:
        raise Uncrossable("malformed dataset")
    values = [decode(e, remote, load_model, budget, depth + 1) for e in elements]
    spec = decode(tree.get("spec"), remote, load_model, budget, depth + 1)

    def to_spec(item):
        if type(item) is list and len(item) == 2 and type(item[1]) is str:
            shape, dtype = item
            if type(shape) is not list or not all(n is None or type(n) is int for n in shape):
                raise Uncrossable("malformed dataset spec")
            return tf.TensorSpec([None] * len(shape), tf.dtypes.as_dtype(dtype))
        if type(item) is tuple:
            return tuple(to_spec(i) for i in item)
        if type(item) is dict:
            return {k: to_spec(v) for k, v in item.items()}
        raise Uncrossable("malformed dataset spec")

    signature = to_spec(spec)
    return tf.data.Dataset.from_generator(lambda: iter(values), output_signature=signature)
