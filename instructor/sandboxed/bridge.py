"""Calls between the student process and the checker, as plain data (see ``wire_codec``).

Each side holds a :class:`Bridge` over a pair of pipes. A message is an 8-byte length and a
JSON object. ``call(target, args, kwargs)`` sends a request and waits for its reply; while it
waits it serves the other side's requests (a check calls a student function, which calls a
function the check passed in, ...), so both sides run one synchronous conversation. A side
answers only the targets its ``handler`` accepts and the handles it exported itself, and only
while the call that exported them is open.

Arguments are copied: a callee changes its own copy. The one exception is a NumPy ``Generator``
given as an argument: its state after the call is sent back, so that drawing from it advances it
as it would in one process.
"""

from __future__ import annotations

import json
import os
import re
import select
import struct
import time

import numpy as np

from instructor.sandboxed.wire_codec import (
    MAX_DEPTH,
    MAX_ITEMS,
    Uncrossable,
    decode,
    encode,
    type_name,
)

_HEADER = struct.Struct(">Q")
MAX_MESSAGE = 64 * 2**20
"""Most bytes of one message, checked on its header before a byte of it is read: a message
of arrays or a model (base64, at most ``MAX_BYTES`` of data) fits, a flood does not."""
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_STEPS = np.zeros(256, dtype=np.int32)  # +1 for an opening, -1 for a closing bracket
_STEPS[[ord("["), ord("{")]], _STEPS[[ord("]"), ord("}")]] = 1, -1
MAX_ERROR = 2000
BUILTIN_ERRORS = {
    e.__name__: e
    for e in (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, NotImplementedError,
              AttributeError, RuntimeError, ArithmeticError, OverflowError, FloatingPointError,
              LookupError, NameError, UnboundLocalError, RecursionError, MemoryError,
              AssertionError, StopIteration)
}  # fmt: skip


class BridgeClosed(BaseException):
    """The other side is gone, hung past the deadline, or broke the protocol.

    A ``BaseException``, so that a check's ``except Exception`` never swallows it.
    """


class RemoteError(Exception):
    """The other side raised an exception that is not a plain built-in one."""


class Bridge:
    """One side of the conversation.

    Args:
        read_fd, write_fd: the pipes to and from the other side.
        handler: ``handler(target, args, kwargs)`` runs a named request from the other side
            (raising ``LookupError`` for a target it does not serve).
        save_model, load_model: how Keras models become ``.keras`` bytes and back.
    """

    def __init__(self, read_fd: int, write_fd: int, handler, save_model, load_model):
        self.read_fd, self.write_fd = read_fd, write_fd
        self.handler, self.save_model, self.load_model = handler, save_model, load_model
        self.deadline: float | None = None
        self.per_call: float | None = None  # seconds the other side has to answer one call
        self._exports: dict[int, object] = {}
        self._next_handle = 0
        self._next_call = 0

    # -- framing
    def send(self, message: dict) -> None:
        data = json.dumps(message, allow_nan=True, separators=(",", ":")).encode()
        if len(data) > MAX_MESSAGE:
            raise Uncrossable(f"a message of {len(data):,} bytes")
        view = memoryview(_HEADER.pack(len(data)) + data)
        try:
            while view:
                view = view[os.write(self.write_fd, view) :]
        except OSError as error:
            raise BridgeClosed(f"the other side closed the bridge ({error.strerror})") from None

    def _read_exact(self, size: int) -> bytes:
        chunks, left = [], size
        while left:
            if self.deadline is not None:
                wait = self.deadline - time.monotonic()
                if wait <= 0 or not select.select([self.read_fd], [], [], wait)[0]:
                    raise BridgeClosed("time limit")
            block = os.read(self.read_fd, min(left, 2**20))
            if not block:
                raise BridgeClosed("the other side ended")
            chunks.append(block)
            left -= len(block)
        return b"".join(chunks)

    def receive(self) -> dict:
        """The next message; its size, items and nesting are checked before it is parsed (the
        checker runs outside the sandbox: the parser must not spend its memory)."""
        (size,) = _HEADER.unpack(self._read_exact(_HEADER.size))
        if size > MAX_MESSAGE:
            raise BridgeClosed(f"a message of {size:,} bytes, over the cap (protocol broken)")
        data = self._read_exact(size)
        if (problem := shape_problem(data)) is not None:
            raise BridgeClosed(f"a message with {problem} (protocol broken)")
        try:
            message = json.loads(data)
        except (ValueError, RecursionError):
            raise BridgeClosed("a message that is not JSON (protocol broken)") from None
        if type(message) is not dict or type(message.get("op")) is not str:
            raise BridgeClosed("a message without an op (protocol broken)")
        return message

    # -- values
    def _export(self, function) -> int:
        self._next_handle += 1
        self._exports[self._next_handle] = function
        return self._next_handle

    def _remote(self, handle: int):
        bridge = self

        def remote(*args, **kwargs):
            return bridge.call(handle, *args, **kwargs)

        return remote

    def encode(self, value):
        return encode(value, self._export, self.save_model)

    def decode(self, tree):
        return decode(tree, self._remote, self.load_model)

    # -- calls
    def call(self, target: str | int, *args, **kwargs):
        """Run ``target`` on the other side with copies of the arguments; return its result.

        The other side has ``per_call`` seconds (when set) to answer, within ``deadline``.
        """
        exported = set(self._exports)
        self._next_call += 1
        number = self._next_call
        outer = self.deadline
        if self.per_call is not None:
            mine = time.monotonic() + self.per_call
            self.deadline = mine if outer is None else min(mine, outer)
        try:
            payload = {"args": self.encode(list(args)), "kwargs": self.encode(dict(kwargs))}
            self.send({"op": "call", "id": number, "target": target, **payload})
            while True:
                message = self.receive()
                if message["op"] == "call":
                    self.serve(message)
                    continue
                if message["op"] != "reply" or message.get("id") != number:
                    raise BridgeClosed("a reply out of order (protocol broken)")
                self._sync_generators(args, message.get("generators"))
                if "error" in message:
                    raise _error(message["error"])
                return self.decode(message.get("value"))
        finally:
            self.deadline = outer
            for handle in set(self._exports) - exported:  # handles live as long as their call
                del self._exports[handle]

    def serve(self, message: dict) -> None:
        """Answer one request from the other side (a reply, or the error it raised)."""
        number, target = message.get("id"), message.get("target")
        reply: dict = {"op": "reply", "id": number}
        args: list = []
        try:
            args = self.decode(message.get("args"))
            kwargs = self.decode(message.get("kwargs"))
            if type(args) is not list or type(kwargs) is not dict:
                raise Uncrossable("malformed call")
            if type(target) is int and target in self._exports:
                result = self._exports[target](*args, **kwargs)
            elif type(target) is str:
                result = self.handler(target, args, kwargs)
            else:
                raise LookupError(f"nothing to call under {str(target)[:40]!r}")
            reply["value"] = self.encode(result)
        except BridgeClosed:
            raise
        except BaseException as error:  # noqa: BLE001 - the other side gets it as data
            reply["error"] = {"type": type_name(error), "message": str(error)[:MAX_ERROR]}
        states = [
            self.encode(a.bit_generator.state) if type(a) is np.random.Generator else None
            for a in args
        ] if type(args) is list else []  # fmt: skip
        if any(s is not None for s in states):
            reply["generators"] = states
        self.send(reply)

    def _sync_generators(self, args, states) -> None:
        if type(states) is not list:
            return
        for arg, state in zip(args, states, strict=False):
            if type(arg) is np.random.Generator and state is not None:
                value = self.decode(state)
                try:
                    arg.bit_generator.state = value
                except (TypeError, ValueError, KeyError, OverflowError):
                    raise RemoteError("a generator state NumPy refuses") from None


def shape_problem(data: bytes) -> str | None:
    """What is wrong with the JSON text ``data`` before parsing it, or None: more than
    :data:`~instructor.sandboxed.wire_codec.MAX_ITEMS` values, or nesting deeper than twice
    :data:`~instructor.sandboxed.wire_codec.MAX_DEPTH` (a tuple or dict takes two levels).

    Values are counted as separators and openings outside strings, an upper bound that needs no
    parse; the nesting is the running count of openings minus closings (NumPy, no recursion).
    """
    bare = _STRING.sub(b'""', data) if b'"' in data else data
    items = sum(bare.count(c) for c in (b",", b":", b"[", b"{"))
    if items > MAX_ITEMS:
        return f"over {MAX_ITEMS:,} values"
    if bare.count(b"[") + bare.count(b"{") <= 2 * MAX_DEPTH + 4:
        return None  # the nesting cannot be deeper than the number of openings
    steps = _STEPS[np.frombuffer(bare, dtype=np.uint8)]
    if int(np.cumsum(steps).max()) > 2 * MAX_DEPTH + 4:
        return f"data nested deeper than {MAX_DEPTH} levels"
    return None


def _error(error: object) -> BaseException:
    """The exception to raise for an error reported by the other side (built-ins by name)."""
    if type(error) is not dict:
        return RemoteError("an error without a description")
    name, text = str(error.get("type", ""))[:40], str(error.get("message", ""))[:MAX_ERROR]
    kind = BUILTIN_ERRORS.get(name)
    if kind is None:
        return RemoteError(f"{name}: {text}" if text else name)
    return kind(text)
