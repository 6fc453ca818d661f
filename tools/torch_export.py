#!/usr/bin/env python3
"""PyTorch side of the rnn-wasm model file format (docs/FORMAT.md).

An rnn-wasm model file is a safetensors file whose ``__metadata__`` holds
``format = "rnn-wasm"``, ``format_version = "1"`` and ``model`` = the model's
configuration as a JSON string; its tensors carry the ``state_dict()`` names
of the equivalent PyTorch module. This tool converts between the two.

Run it with Debian's Python, which has ``python3-torch`` (there is no
``safetensors`` package here: the container is read and written by the few
functions below):

    /usr/bin/python3 tools/torch_export.py export --cell lstm --input 5 --hidden 8 \\
        --layers 2 --output-size 3 model.safetensors
    /usr/bin/python3 tools/torch_export.py export --cell lstm --vocab-size 65 --embed 32 \\
        --hidden 128 --layers 2 --batch-first --output-size 65 \\
        --state-dict trained.pt char_model.safetensors
    /usr/bin/python3 tools/torch_export.py run model.safetensors --input inputs.json --out out.json
    /usr/bin/python3 tools/torch_export.py fixtures                      # test/fixtures/io/torch_*
    /usr/bin/python3 tools/torch_export.py fixtures --from-ours test/fixtures/io
    /usr/bin/python3 tools/torch_export.py check                         # verify the fixtures

As a module (``sys.path`` must include ``tools/``)::

    from torch_export import build_model, save_model, load_model
    module = build_model(config)          # nn.Module; state_dict() names == tensor names
    save_model(module, config, "m.safetensors", dtype="F32")   # or "F16", "BF16", "F64"
    module, config = load_model("m.safetensors")                 # eval mode, float32

Model configurations (see docs/FORMAT.md):

* a single recurrent layer ``{"type": "LSTM" | "GRU" | "RNN", "inputSize", "hiddenSize",
  "numLayers", "bias", "batchFirst", "dropout", "bidirectional"[, "nonlinearity"]}``:
  ``build_model`` returns the bare ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN``, whose
  forward returns the whole ``(output, h_n)`` tuple as PyTorch does;
  :func:`forward` returns just the output sequence.
* ``{"type": "Sequential", "layers": [...], "output": "sequence" | "last",
  "vocabulary"?}``: a :class:`SequentialModel` with one attribute per layer,
  named by the layer's ``name``: an optional Embedding first, recurrent layers and
  Dropouts, then Linear layers (and Dropouts) after the last recurrent layer.
  Its ``forward(x)`` takes token ids (int64) when the first layer is an
  Embedding, features otherwise; recurrent layers start from a zero state and
  pass on their output sequence; with ``output == "last"`` the last timestep
  of the last recurrent layer's output is taken (``out[:, -1]`` if that layer
  is batch_first, else ``out[-1]``; ``out[-1]`` for unbatched input) before
  the layers that follow it.
* ``{"type": "Seq2Seq", "layers": [...], "conditionSize", "initState", "stepInput",
  "bridgeActivation"[, "vocabulary", "sourceVocabulary"]}``: a :class:`Seq2SeqModel`
  (attributes ``source_embedding``, ``encoder``, ``bridge``, ``embedding``, ``decoder``,
  ``head``); ``forward(x, condition=None, source=None, source_lengths=None)`` gives the
  logits ``[N, T, O]`` (batch-major), :func:`seq2seq_loss` the cross-entropy over the valid
  targets. ``run`` reads its batch as JSON with the names of rnn-wasm's ``Seq2SeqBatch``.
"""

import argparse
import glob
import json
import math
import os
import re
import struct
import sys
import tempfile
import warnings
import zlib

import numpy as np
import torch
from torch import nn

FORMAT_NAME = "rnn-wasm"
FORMAT_VERSION = "1"
MAX_HEADER_BYTES = 100 * 1024 * 1024  # FORMAT.md: a longer header is an error

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE_DIR = os.path.join(REPO_ROOT, "test", "fixtures", "io")

# safetensors dtype name -> (item size in bytes, little-endian numpy dtype used to
# decode it). BF16 has no numpy dtype: it is decoded from its uint16 bit patterns.
DTYPES = {
    "F64": (8, "<f8"),
    "F32": (4, "<f4"),
    "F16": (2, "<f2"),
    "BF16": (2, "<u2"),
}
WRITE_DTYPES = ("F32", "F16", "BF16", "F64")

RECURRENT_TYPES = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN": nn.RNN}


class FormatError(ValueError):
    """A file or configuration that does not follow docs/FORMAT.md."""


# ---------------------------------------------------------------------------
# The safetensors container
# ---------------------------------------------------------------------------

def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _reject_duplicate_keys(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise FormatError(f"safetensors header: duplicate key {k!r}")
        out[k] = v
    return out


def _bf16_bits_to_f64(bits):
    """uint16 bfloat16 bit patterns -> float64 (exact)."""
    return (bits.astype("<u4") << 16).view("<f4").astype(np.float64)


def _f32_to_bf16_bits(values):
    """float32 array -> uint16 bfloat16 bit patterns, rounding to nearest even.

    Values must be finite (NaN would be mangled; the caller rejects non-finite
    results, including finite values that round to infinity)."""
    u = np.ascontiguousarray(values, dtype="<f4").view("<u4").astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype("<u2")


def decode_safetensors(data, path="<bytes>"):
    """Parse and validate a safetensors file held in ``data`` (bytes).

    Returns ``(tensors, metadata, dtypes)``: ``tensors`` maps each name to a
    float64 numpy array of its shape (every supported dtype converts to float64
    exactly), ``metadata`` is the ``__metadata__`` map (``{}`` if absent) and
    ``dtypes`` maps each name to its dtype string. Anything FORMAT.md calls an
    error raises :class:`FormatError`; nothing is returned partially.
    """
    def fail(msg):
        raise FormatError(f"{path}: {msg}")

    if len(data) < 8:
        fail(f"file is {len(data)} bytes, shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES:
        fail(f"header length {n} exceeds the {MAX_HEADER_BYTES}-byte limit")
    if 8 + n > len(data):
        fail(f"header length {n} runs past the end of the {len(data)}-byte file")
    try:
        header_text = data[8:8 + n].decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"header is not valid UTF-8 ({e})")
    try:
        header = json.loads(header_text, object_pairs_hook=_reject_duplicate_keys)
    except FormatError as e:
        fail(str(e))
    except ValueError as e:
        fail(f"header is not valid JSON ({e})")
    if not isinstance(header, dict):
        fail("header is not a JSON object")

    metadata = header.pop("__metadata__", None)
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        fail("__metadata__ must be a map of string to string")

    payload = memoryview(data)[8 + n:]
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict):
            fail(f"tensor {name!r}: entry is not an object")
        extra = set(info) - {"dtype", "shape", "data_offsets"}
        if extra:
            fail(f"tensor {name!r}: unknown fields {sorted(extra)}")
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if dtype not in DTYPES:
            fail(f"tensor {name!r}: unsupported dtype {dtype!r} "
                 f"(supported: {', '.join(sorted(DTYPES))})")
        if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
            fail(f"tensor {name!r}: shape {shape!r} is not a list of non-negative integers")
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(_is_int(o) for o in offsets)):
            fail(f"tensor {name!r}: data_offsets {offsets!r} is not [begin, end]")
        begin, end = offsets
        if not 0 <= begin <= end <= len(payload):
            fail(f"tensor {name!r}: data_offsets [{begin}, {end}] out of range "
                 f"(payload is {len(payload)} bytes)")
        itemsize = DTYPES[dtype][0]
        numel = math.prod(shape)
        if end - begin != numel * itemsize:
            fail(f"tensor {name!r}: {end - begin} bytes for shape {shape} of {dtype} "
                 f"(needs {numel * itemsize})")
        entries.append((begin, end, name, dtype, shape))

    # Tensors must tile the payload exactly: no overlaps, no holes, nothing after.
    entries.sort(key=lambda e: (e[0], e[1]))
    pos = 0
    for begin, end, name, _, _ in entries:
        if begin < pos:
            fail(f"tensor {name!r} overlaps the previous tensor (starts at {begin} < {pos})")
        if begin > pos:
            fail(f"hole in the payload: bytes [{pos}, {begin}) belong to no tensor")
        pos = end
    if pos != len(payload):
        fail(f"hole in the payload: bytes [{pos}, {len(payload)}) belong to no tensor")

    tensors, dtypes = {}, {}
    for begin, end, name, dtype, shape in entries:
        raw = np.frombuffer(payload[begin:end], dtype=DTYPES[dtype][1])
        values = _bf16_bits_to_f64(raw) if dtype == "BF16" else raw.astype(np.float64)
        if not np.all(np.isfinite(values)):
            fail(f"tensor {name!r}: contains non-finite values")
        tensors[name] = values.reshape(shape)
        dtypes[name] = dtype
    return tensors, metadata, dtypes


def encode_safetensors(tensors, metadata, dtype="F32"):
    """Serialise ``{name: tensor}`` (torch tensors or numpy arrays) to bytes.

    Every tensor is written as ``dtype`` (``"F32"``, ``"F16"``, ``"BF16"`` or
    ``"F64"``), little-endian, in name order; F32/F16/BF16 values are first
    rounded to float32, then (F16/BF16) to nearest-even in the narrow type. The
    header is padded with spaces so the payload starts on an 8-byte boundary.
    Non-finite values (also after narrowing, e.g. F16 overflow) are an error.
    """
    if dtype not in WRITE_DTYPES:
        raise ValueError(f"dtype must be one of {WRITE_DTYPES}, not {dtype!r}")
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        arr = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        if dtype == "F64":
            enc = arr.astype("<f8")
            check = enc
        else:
            f32 = arr.astype("<f4")
            if dtype == "F32":
                enc = check = f32
            elif dtype == "F16":
                with np.errstate(over="ignore"):
                    enc = check = f32.astype("<f2")
            else:  # BF16
                enc = _f32_to_bf16_bits(f32) if np.all(np.isfinite(f32)) else None
                check = f32 if enc is None else _bf16_bits_to_f64(enc)
        if not np.all(np.isfinite(check)):
            raise ValueError(f"tensor {name!r}: non-finite value(s) when written as {dtype}")
        raw = np.ascontiguousarray(enc).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((-(8 + len(text))) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


# ---------------------------------------------------------------------------
# Model configurations
# ---------------------------------------------------------------------------

# key -> (required?, default, predicate, description). Defaults are PyTorch's.
_RECURRENT_KEYS = {
    "type": (True, None, lambda v: v in RECURRENT_TYPES, '"LSTM", "GRU" or "RNN"'),
    "inputSize": (True, None, lambda v: _is_int(v) and v > 0, "a positive integer"),
    "hiddenSize": (True, None, lambda v: _is_int(v) and v > 0, "a positive integer"),
    "numLayers": (False, 1, lambda v: _is_int(v) and v > 0, "a positive integer"),
    "bias": (False, True, lambda v: isinstance(v, bool), "a boolean"),
    "batchFirst": (False, False, lambda v: isinstance(v, bool), "a boolean"),
    "dropout": (False, 0, lambda v: _is_num(v) and 0 <= v <= 1, "a number in [0, 1]"),
    "bidirectional": (False, False, lambda v: isinstance(v, bool), "a boolean"),
    "nonlinearity": (False, "tanh", lambda v: v in ("tanh", "relu"), '"tanh" or "relu"'),
}
_LAYER_KEYS = {
    "Embedding": {
        "numEmbeddings": (True, None, lambda v: _is_int(v) and v > 0, "a positive integer"),
        "embeddingDim": (True, None, lambda v: _is_int(v) and v > 0, "a positive integer"),
    },
    "Linear": {
        "inFeatures": (True, None, lambda v: _is_int(v) and v > 0, "a positive integer"),
        "outFeatures": (True, None, lambda v: _is_int(v) and v > 0, "a positive integer"),
        "bias": (False, True, lambda v: isinstance(v, bool), "a boolean"),
    },
    "Dropout": {
        "p": (False, 0.5, lambda v: _is_num(v) and 0 <= v <= 1, "a number in [0, 1]"),
    },
}
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _warn(msg):
    print(f"torch_export: warning: {msg}", file=sys.stderr)


def _check_keys(cfg, spec, where, ignore=()):
    if not isinstance(cfg, dict):
        raise FormatError(f"{where}: must be a JSON object")
    out = {}
    for key, (required, default, ok, desc) in spec.items():
        if key not in cfg:
            if required:
                raise FormatError(f"{where}: missing {key!r}")
            out[key] = default
        elif not ok(cfg[key]):
            raise FormatError(f"{where}: {key!r} must be {desc}, not {cfg[key]!r}")
        else:
            out[key] = cfg[key]
    unknown = set(cfg) - set(spec) - set(ignore)
    if unknown:
        _warn(f"{where}: ignoring unknown key(s) {sorted(unknown)}")
    return out


def _recurrent_from_config(cfg, where):
    c = _check_keys(cfg, _RECURRENT_KEYS, where, ignore=("name",))
    kwargs = dict(input_size=c["inputSize"], hidden_size=c["hiddenSize"],
                  num_layers=c["numLayers"], bias=c["bias"], batch_first=c["batchFirst"],
                  dropout=float(c["dropout"]), bidirectional=c["bidirectional"])
    if c["type"] == "RNN":
        kwargs["nonlinearity"] = c["nonlinearity"]
    elif "nonlinearity" in cfg:
        _warn(f"{where}: 'nonlinearity' applies to RNN only; ignored for {c['type']}")
    with warnings.catch_warnings():
        # PyTorch warns when inter-layer dropout cannot act (numLayers == 1); the
        # configuration is still valid (and dropout is inactive in eval mode).
        warnings.simplefilter("ignore")
        return RECURRENT_TYPES[c["type"]](**kwargs)


def _output_features(rnn):
    return rnn.hidden_size * (2 if rnn.bidirectional else 1)


class SequentialModel(nn.Module):
    """An rnn-wasm ``Sequential`` model: [Embedding] (Recurrent | Dropout)+ (Linear | Dropout)*.

    Each layer is an attribute named by its ``name`` (so ``state_dict()`` names
    are ``<name>.<param>``); see the module docstring for ``forward``.
    """

    def __init__(self, config):
        super().__init__()
        if not isinstance(config, dict):
            raise FormatError("model config must be a JSON object")
        unknown = set(config) - {"type", "layers", "output", "vocabulary"}
        if unknown:
            _warn(f"model config: ignoring unknown key(s) {sorted(unknown)}")
        output = config.get("output", "sequence")
        if output not in ("sequence", "last"):
            raise FormatError(f'model config: "output" must be "sequence" or "last", not {output!r}')
        layers = config.get("layers")
        if not isinstance(layers, list) or not layers:
            raise FormatError('model config: "layers" must be a non-empty list')
        vocab = config.get("vocabulary")
        if vocab is not None and not isinstance(vocab, str):
            raise FormatError('model config: "vocabulary" must be a string')

        # Internal attributes are all set before the layers are added, so a layer
        # name that would shadow one of them is rejected as a clash below.
        self.output_mode = output
        self.layer_order = []  # [(name, type)]
        self.last_recurrent = -1
        self.has_embedding = False
        # Grammar (as rnn-wasm's Sequential): an optional Embedding first, recurrent layers,
        # Dropouts anywhere but first, Linear layers only after the last recurrent layer.
        stage = 0  # 0: start, 1: after Embedding, 2: in recurrent, 4: in Linear
        last_rnn = None
        features = None  # feature size flowing out of the previous layer
        names = set()
        for i, layer in enumerate(layers):
            where = f"model config: layers[{i}]"
            if not isinstance(layer, dict):
                raise FormatError(f"{where}: must be a JSON object")
            name, kind = layer.get("name"), layer.get("type")
            if not isinstance(name, str) or not _NAME_RE.match(name):
                raise FormatError(f"{where}: 'name' must be an identifier "
                                  f"([A-Za-z_][A-Za-z0-9_]*), not {name!r}")
            if name in names:
                raise FormatError(f"{where}: duplicate layer name {name!r}")
            names.add(name)
            where = f"model config: layer {name!r}"
            if kind == "Embedding":
                if stage != 0:
                    raise FormatError(f"{where}: an Embedding must be the first layer")
                c = _check_keys(layer, _LAYER_KEYS[kind], where, ignore=("name", "type"))
                module = nn.Embedding(c["numEmbeddings"], c["embeddingDim"])
                features, stage = c["embeddingDim"], 1
                if vocab is not None and len(vocab) != c["numEmbeddings"]:
                    raise FormatError(f"model config: vocabulary has {len(vocab)} characters "
                                      f"but the Embedding has {c['numEmbeddings']} rows")
            elif kind in RECURRENT_TYPES:
                if stage == 4:
                    raise FormatError(f"{where}: recurrent layers must come before "
                                      "the Linear layers")
                module = _recurrent_from_config(layer, where)
                if features is not None and module.input_size != features:
                    raise FormatError(f"{where}: inputSize {module.input_size} but the previous "
                                      f"layer outputs {features} features")
                if last_rnn is not None:
                    if last_rnn.batch_first != module.batch_first:
                        raise FormatError(f"{where}: batchFirst differs from the previous "
                                          "recurrent layer's (the layout between them would "
                                          "be ambiguous)")
                features, stage, last_rnn = _output_features(module), 2, module
            elif kind == "Dropout":
                if i == 0:
                    raise FormatError(f"{where}: a Dropout cannot be the first layer")
                c = _check_keys(layer, _LAYER_KEYS[kind], where, ignore=("name", "type"))
                module = nn.Dropout(float(c["p"]))
            elif kind == "Linear":
                if stage < 2:
                    raise FormatError(f"{where}: Linear layers must follow a recurrent layer")
                c = _check_keys(layer, _LAYER_KEYS[kind], where, ignore=("name", "type"))
                if c["inFeatures"] != features:
                    raise FormatError(f"{where}: inFeatures {c['inFeatures']} but the previous "
                                      f"layer outputs {features} features")
                module = nn.Linear(c["inFeatures"], c["outFeatures"], bias=c["bias"])
                features, stage = c["outFeatures"], 4
            else:
                raise FormatError(f"{where}: unknown layer type {kind!r}")
            if hasattr(self, name):
                raise FormatError(f"{where}: the name {name!r} clashes with an nn.Module attribute")
            self.add_module(name, module)
            self.layer_order.append((name, kind))
        if stage < 2:
            raise FormatError("model config: a Sequential needs at least one recurrent layer")
        self.last_recurrent = max(i for i, (_, k) in enumerate(self.layer_order)
                                  if k in RECURRENT_TYPES)
        self.has_embedding = self.layer_order[0][1] == "Embedding"

    def forward(self, x):
        for i, (name, kind) in enumerate(self.layer_order):
            layer = getattr(self, name)
            if kind in RECURRENT_TYPES:
                x, _ = layer(x)  # zero initial state
                if i == self.last_recurrent and self.output_mode == "last":
                    # unbatched output is [T, D*H]: its last timestep is x[-1] too
                    x = x[:, -1] if (layer.batch_first and x.dim() == 3) else x[-1]
            else:
                x = layer(x)
        return x


_SEQ2SEQ_NAMES = ("source_embedding", "encoder", "bridge", "embedding", "decoder", "head")


class Seq2SeqModel(nn.Module):
    """An rnn-wasm ``Seq2Seq`` model (docs/FORMAT.md, "Semantics of a Seq2Seq").

    Attributes ``source_embedding`` (optional), ``encoder`` (optional), ``bridge``
    (iff ``initState``), ``embedding`` (optional), ``decoder``, ``head``; the API is
    batch-major whatever the recurrent layers' ``batchFirst``::

        logits = model(x, condition=c)                          # no encoder
        logits = model(x, source=s, source_lengths=lengths)     # an encoder-decoder
    """

    def __init__(self, config):
        super().__init__()
        if not isinstance(config, dict):
            raise FormatError("model config must be a JSON object")
        known = {"type", "layers", "conditionSize", "initState", "stepInput", "bridgeActivation",
                 "vocabulary", "sourceVocabulary"}
        unknown = set(config) - known
        if unknown:
            _warn(f"model config: ignoring unknown key(s) {sorted(unknown)}")
        self.init_state = config.get("initState", True)
        self.step_input = config.get("stepInput", False)
        self.bridge_activation = config.get("bridgeActivation", "tanh")
        if not isinstance(self.init_state, bool) or not isinstance(self.step_input, bool):
            raise FormatError('model config: "initState" and "stepInput" must be booleans')
        if not (self.init_state or self.step_input):
            raise FormatError('model config: at least one of "initState" and "stepInput" must be true')
        if self.bridge_activation not in ("tanh", "linear"):
            raise FormatError('model config: "bridgeActivation" must be "tanh" or "linear"')
        F = config.get("conditionSize")
        if not (_is_int(F) and F > 0):
            raise FormatError('model config: "conditionSize" must be a positive integer')
        self.condition_size = F
        layers = config.get("layers")
        if not isinstance(layers, list) or not layers:
            raise FormatError('model config: "layers" must be a non-empty list')
        parts = {}
        for i, layer in enumerate(layers):
            name = layer.get("name") if isinstance(layer, dict) else None
            if name not in _SEQ2SEQ_NAMES or name in parts:
                raise FormatError(f"model config: layers[{i}]: 'name' must be one of "
                                  f"{list(_SEQ2SEQ_NAMES)}, once each, not {name!r}")
            kind = layer.get("type")
            where = f"model config: layer {name!r}"
            want = {"source_embedding": ("Embedding",), "embedding": ("Embedding",),
                    "bridge": ("Linear",), "head": ("Linear",)}.get(name, tuple(RECURRENT_TYPES))
            if kind not in want:
                raise FormatError(f"{where}: type must be {' or '.join(want)}, not {kind!r}")
            if kind == "Embedding":
                c = _check_keys(layer, _LAYER_KEYS[kind], where, ignore=("name", "type"))
                parts[name] = nn.Embedding(c["numEmbeddings"], c["embeddingDim"])
            elif kind == "Linear":
                c = _check_keys(layer, _LAYER_KEYS[kind], where, ignore=("name", "type"))
                parts[name] = nn.Linear(c["inFeatures"], c["outFeatures"], bias=c["bias"])
            else:
                parts[name] = _recurrent_from_config(layer, where)
        for name in ("decoder", "head"):
            if name not in parts:
                raise FormatError(f"model config: a Seq2Seq needs a {name!r} layer")
        if ("bridge" in parts) != self.init_state:
            raise FormatError('model config: a "bridge" layer is present exactly when initState is true')
        dec, enc = parts["decoder"], parts.get("encoder")
        if dec.bidirectional:
            raise FormatError("model config: the decoder must be unidirectional")
        if "source_embedding" in parts and enc is None:
            raise FormatError("model config: a source_embedding needs an encoder")
        if enc is not None and _output_features(enc) != F:
            raise FormatError(f"model config: conditionSize {F} must be the encoder's "
                              f"numDirections x hiddenSize = {_output_features(enc)}")
        if enc is not None and "source_embedding" in parts and \
                parts["source_embedding"].embedding_dim != enc.input_size:
            raise FormatError("model config: the encoder's inputSize must be the source_embedding's embeddingDim")
        own = parts["embedding"].embedding_dim if "embedding" in parts else None
        if own is not None and dec.input_size != own + (F if self.step_input else 0):
            raise FormatError(f"model config: the decoder's inputSize {dec.input_size} must be "
                              f"embeddingDim {own}" + (f" + conditionSize {F}" if self.step_input else ""))
        if own is None and self.step_input and dec.input_size <= F:
            raise FormatError(f"model config: the decoder's inputSize {dec.input_size} must be "
                              f"its input features + conditionSize {F}")
        G = 2 if isinstance(dec, nn.LSTM) else 1
        if self.init_state:
            b = parts["bridge"]
            if b.in_features != F or b.out_features != G * dec.num_layers * dec.hidden_size:
                raise FormatError(f"model config: the bridge must be Linear({F}, "
                                  f"{G * dec.num_layers * dec.hidden_size})")
        if parts["head"].in_features != dec.hidden_size:
            raise FormatError("model config: the head's inFeatures must be the decoder's hiddenSize")
        for name in _SEQ2SEQ_NAMES:  # in the documented order (tensors are matched by name)
            if name in parts:
                self.add_module(name, parts[name])
        self.has_source_embedding = "source_embedding" in parts
        self.has_encoder = enc is not None
        self.has_embedding = "embedding" in parts

    def condition_vector(self, condition=None, source=None, source_lengths=None):
        """c [N, F]: the condition itself, or the encoder's last layer's final states
        (forward direction, then reverse) after reading the source."""
        if not self.has_encoder:
            return condition
        e = self.source_embedding(source) if self.has_source_embedding else source
        enc = self.encoder
        if not enc.batch_first:
            e = e.transpose(0, 1)
        if source_lengths is not None:
            e = nn.utils.rnn.pack_padded_sequence(e, torch.as_tensor(source_lengths, dtype=torch.int64).cpu(),
                                                  batch_first=enc.batch_first, enforce_sorted=False)
        _, h = enc(e)
        h_n = h[0] if isinstance(h, tuple) else h  # an LSTM encoder: h_n only
        L, D, He = enc.num_layers, 2 if enc.bidirectional else 1, enc.hidden_size
        N = h_n.shape[1]
        return h_n.view(L, D, N, He)[-1].permute(1, 0, 2).reshape(N, D * He)

    def initial_states(self, c):
        """The decoder's (h0, c0) [Ld, N, Hd] from the bridge, or None (zeros)."""
        if not self.init_state:
            return None
        z = self.bridge(c)
        if self.bridge_activation == "tanh":
            z = torch.tanh(z)
        dec = self.decoder
        lstm = isinstance(dec, nn.LSTM)
        N = c.shape[0]
        z = z.view(N, 2 if lstm else 1, dec.num_layers, dec.hidden_size)
        h0 = z[:, 0].permute(1, 0, 2).contiguous()
        return (h0, z[:, 1].permute(1, 0, 2).contiguous()) if lstm else h0

    def forward(self, x, condition=None, source=None, source_lengths=None):
        c = self.condition_vector(condition, source, source_lengths)
        d = self.embedding(x) if self.has_embedding else x  # [N, T, E]
        if self.step_input:
            d = torch.cat([d, c.unsqueeze(1).expand(-1, d.shape[1], -1)], dim=-1)
        dec = self.decoder
        if not dec.batch_first:
            d = d.transpose(0, 1)
        state = self.initial_states(c)
        out, _ = dec(d) if state is None else dec(d, state)
        if not dec.batch_first:
            out = out.transpose(0, 1)
        return self.head(out)


def seq2seq_loss(logits, y, lengths=None):
    """Softmax cross-entropy averaged over the valid targets (t < lengths[n], y != -100)."""
    y = torch.as_tensor(y, dtype=torch.int64).clone()
    if lengths is not None:
        T = y.shape[1]
        steps = torch.arange(T).unsqueeze(0)
        y[steps >= torch.as_tensor(lengths, dtype=torch.int64).unsqueeze(1)] = -100
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                       ignore_index=-100)


def is_seq2seq(config):
    return isinstance(config, dict) and config.get("type") == "Seq2Seq"


def is_sequential(config):
    return isinstance(config, dict) and config.get("type") == "Sequential"


def build_model(config):
    """Build the PyTorch module for an rnn-wasm model configuration (a dict).

    Returns a :class:`SequentialModel` for ``"type": "Sequential"``, else the
    bare ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN``. Parameters get PyTorch's default
    initialisation (seed ``torch.manual_seed`` first for reproducibility); the
    module's ``state_dict()`` names are the file's tensor names.
    """
    if is_sequential(config):
        return SequentialModel(config)
    if is_seq2seq(config):
        return Seq2SeqModel(config)
    if isinstance(config, dict) and config.get("type") in RECURRENT_TYPES:
        return _recurrent_from_config(config, "model config")
    t = config.get("type") if isinstance(config, dict) else None
    raise FormatError(f"model config: unknown type {t!r} "
                      '(expected "Sequential", "Seq2Seq", "LSTM", "GRU" or "RNN")')


def forward(module, x):
    """Run ``module`` on ``x``: the output sequence for a bare recurrent layer
    (initial state zero), the model's output for a :class:`SequentialModel`."""
    out = module(x)
    return out[0] if isinstance(out, tuple) else out


def model_takes_ids(module):
    return isinstance(module, SequentialModel) and module.has_embedding


# ---------------------------------------------------------------------------
# Saving and loading
# ---------------------------------------------------------------------------

def _check_state_dict(expected, got, what):
    """Same names and shapes, or a FormatError that lists the differences."""
    missing = sorted(set(expected) - set(got))
    unknown = sorted(set(got) - set(expected))
    problems = []
    if missing:
        problems.append(f"missing tensors {missing}")
    if unknown:
        problems.append(f"unknown tensors {unknown}")
    for k in sorted(set(expected) & set(got)):
        if tuple(expected[k].shape) != tuple(got[k].shape):
            problems.append(f"{k!r} has shape {list(got[k].shape)}, "
                            f"the config needs {list(expected[k].shape)}")
    if problems:
        raise FormatError(f"{what}: " + "; ".join(problems))


def metadata_for(config):
    return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
            "model": json.dumps(config)}


def save_model(module, config, path, dtype="F32"):
    """Write ``module``'s parameters to ``path`` as an rnn-wasm model file.

    ``config`` is the rnn-wasm configuration the module was built from; it is
    stored as ``__metadata__.model`` (``json.dumps(config)``). The state_dict
    must have exactly the names and shapes ``build_model(config)`` has.
    ``dtype`` is ``"F32"`` (what rnn-wasm writes), ``"F16"``, ``"BF16"`` or
    ``"F64"``. Returns the bytes written.
    """
    state = module.state_dict()
    _check_state_dict(build_model(config).state_dict(), state,
                      "save_model: the module does not match its config")
    data = encode_safetensors(state, metadata_for(config), dtype)
    with open(path, "wb") as f:
        f.write(data)
    return data


def read_model_file(path):
    """Read and validate an rnn-wasm file: ``(config, tensors, dtypes)``, tensors as
    float64 numpy arrays."""
    with open(path, "rb") as f:
        data = f.read()
    tensors, metadata, dtypes = decode_safetensors(data, path)
    if metadata.get("format") != FORMAT_NAME:
        raise FormatError(f"{path}: __metadata__.format is {metadata.get('format')!r}, "
                          f"not {FORMAT_NAME!r}")
    if metadata.get("format_version") != FORMAT_VERSION:
        raise FormatError(f"{path}: unsupported format_version "
                          f"{metadata.get('format_version')!r} (this tool reads {FORMAT_VERSION!r})")
    if "model" not in metadata:
        raise FormatError(f"{path}: __metadata__ has no 'model' configuration")
    try:
        config = json.loads(metadata["model"])
    except ValueError as e:
        raise FormatError(f"{path}: __metadata__.model is not valid JSON ({e})")
    return config, tensors, dtypes


def load_model(path, dtype=torch.float32):
    """Load an rnn-wasm model file: returns ``(module, config)``.

    The module is built from the file's configuration and its tensors loaded
    (strict: names and shapes must match exactly), converted to ``dtype``
    (``torch.float32`` by default, or ``torch.float64``: every stored dtype
    converts to float64 exactly). The module is returned in eval mode.
    """
    if dtype in ("float32", "F32"):
        dtype = torch.float32
    elif dtype in ("float64", "F64"):
        dtype = torch.float64
    if dtype not in (torch.float32, torch.float64):
        raise ValueError("dtype must be torch.float32 or torch.float64")
    config, tensors, _ = read_model_file(path)
    try:
        module = build_model(config)
    except FormatError as e:
        raise FormatError(f"{path}: {e}")
    _check_state_dict(module.state_dict(), tensors, f"{path}: tensors do not match the model")
    converted = {k: torch.from_numpy(v).to(dtype) for k, v in tensors.items()}
    for k, v in converted.items():  # an F64 value beyond float32's range
        if not bool(torch.isfinite(v).all()):
            raise FormatError(f"{path}: tensor {k!r} has values out of {dtype} range")
    module.to(dtype)
    module.load_state_dict(converted, strict=True)
    module.eval()
    return module, config


# ---------------------------------------------------------------------------
# Inputs and outputs as JSON
# ---------------------------------------------------------------------------

def inputs_to_tensor(module, config, inputs, dtype=torch.float32):
    """``{"x": flat list, "shape": [...]}`` -> the tensor the model's forward takes."""
    if not isinstance(inputs, dict) or "x" not in inputs or "shape" not in inputs:
        raise ValueError('inputs must be a JSON object {"x": [...], "shape": [...]}')
    x, shape = inputs["x"], inputs["shape"]
    if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
        raise ValueError(f"inputs.shape must be a list of non-negative integers, not {shape!r}")
    if not isinstance(x, list) or len(x) != math.prod(shape):
        raise ValueError(f"inputs.x must be a flat list of {math.prod(shape)} numbers "
                         f"(shape {shape})")
    if model_takes_ids(module):
        if len(shape) not in (1, 2):
            raise ValueError(f"token ids must have shape [T] or [B, T]/[T, B], not {shape}")
        vocab = module.get_submodule(module.layer_order[0][0]).num_embeddings
        return _ids_tensor(x, shape, vocab, "")
    rnn = module if not isinstance(module, SequentialModel) else \
        module.get_submodule(module.layer_order[0][0])
    if len(shape) not in (2, 3) or shape[-1] != rnn.input_size:
        raise ValueError(f"inputs.shape {shape} must be [T, B, {rnn.input_size}], "
                         f"[B, T, {rnn.input_size}] (batchFirst) or [T, {rnn.input_size}]")
    return _float_tensor(x, shape, dtype, "inputs.x")


def _ids_tensor(x, shape, vocab, where):
    """Token ids (integers, or floats that are integers) in [0, vocab) as int64."""
    for v in x:
        if not (_is_int(v) or (isinstance(v, float) and v.is_integer())) or not 0 <= v < vocab:
            raise ValueError(f"{where}token id {v!r} is not an integer in [0, {vocab})")
    return torch.tensor([int(v) for v in x], dtype=torch.int64).reshape(shape)


def _float_tensor(x, shape, dtype, where):
    if not all(_is_num(v) for v in x):
        raise ValueError(f"{where} must hold finite numbers")
    return torch.tensor(x, dtype=torch.float64).to(dtype).reshape(shape)


def _array(inputs, key, shape_key, ids, dtype, vocab=None):
    x, shape = inputs.get(key), inputs.get(shape_key)
    if not isinstance(shape, list) or not all(_is_int(d) and d > 0 for d in shape):
        raise ValueError(f"inputs.{shape_key} must be a list of positive integers, not {shape!r}")
    if not isinstance(x, list) or len(x) != math.prod(shape):
        raise ValueError(f"inputs.{key} must be a flat list of {math.prod(shape)} numbers ({shape_key} {shape})")
    if ids:
        return _ids_tensor(x, shape, vocab, f"inputs.{key}: ")
    return _float_tensor(x, shape, dtype, f"inputs.{key}")


def seq2seq_inputs(module, inputs, dtype=torch.float32):
    """A Seq2Seq batch as JSON (batch-major, the names of rnn-wasm's Seq2SeqBatch:
    ``x``/``xShape``, ``condition``/``conditionShape`` or ``source``/``sourceShape``
    [+ ``sourceLengths``]) -> the keyword arguments of :meth:`Seq2SeqModel.forward`."""
    if not isinstance(inputs, dict):
        raise ValueError("inputs must be a JSON object")
    emb = module.embedding.num_embeddings if module.has_embedding else None
    out = {"x": _array(inputs, "x", "xShape", module.has_embedding, dtype, emb)}
    if module.has_encoder:
        vocab = module.source_embedding.num_embeddings if module.has_source_embedding else None
        out["source"] = _array(inputs, "source", "sourceShape", module.has_source_embedding, dtype, vocab)
        if inputs.get("sourceLengths") is not None:
            out["source_lengths"] = [int(v) for v in inputs["sourceLengths"]]
    else:
        out["condition"] = _array(inputs, "condition", "conditionShape", False, dtype)
    return out


def run_model(module, config, inputs, dtype=torch.float64):
    """Forward in eval mode with ``dtype`` arithmetic (the module is converted in
    place); returns ``{"output": flat list, "shape": [...]}``."""
    module.to(dtype).eval()
    if isinstance(module, Seq2SeqModel):
        with torch.no_grad():
            out = module(**seq2seq_inputs(module, inputs, dtype))
        return {"output": out.double().reshape(-1).tolist(), "shape": list(out.shape)}
    x = inputs_to_tensor(module, config, inputs, dtype)
    with torch.no_grad():
        out = forward(module, x)
    return {"output": out.double().reshape(-1).tolist(), "shape": list(out.shape)}


def torch_version():
    return str(torch.__version__)


def _write_json(path, obj):
    """One top-level key per line; nested values compact (keeps diffs readable)."""
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in obj.items()]
    text = "{\n" + ",\n".join(lines) + "\n}\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------

def _rnn_cfg(kind, I, H, L=1, bias=True, batch_first=False, dropout=0, bidirectional=False,
             nonlinearity=None, name=None):
    cfg = {}
    if name is not None:
        cfg["name"] = name
    cfg.update({"type": kind, "inputSize": I, "hiddenSize": H, "numLayers": L, "bias": bias,
                "batchFirst": batch_first, "dropout": dropout, "bidirectional": bidirectional})
    if kind == "RNN":
        cfg["nonlinearity"] = nonlinearity or "tanh"
    return cfg


def _linear_cfg(i, o, name="head", bias=True):
    return {"name": name, "type": "Linear", "inFeatures": i, "outFeatures": o, "bias": bias}


def _seq(layers, output="sequence", vocabulary=None):
    cfg = {"type": "Sequential", "layers": layers, "output": output}
    if vocabulary is not None:
        cfg["vocabulary"] = vocabulary
    return cfg


# name -> (config, file dtype, input: ("x", shape) float features | ("ids", shape) token ids)
# Each case is seeded from the CRC32 of its name, or of the name in SEED_KEYS: the F16 case
# shares torch_lstm_head's seed, so its weights are those weights rounded to F16 and its
# inputs are the same.
SEED_KEYS = {"torch_lstm_f16": "torch_lstm_head"}
FIXTURE_CASES = {
    "torch_lstm_head": (
        _seq([_rnn_cfg("LSTM", 5, 8, L=2, name="rnn"), _linear_cfg(8, 3)]),
        "F32", ("x", [7, 3, 5])),
    "torch_gru_bi_last": (
        _seq([_rnn_cfg("GRU", 4, 6, batch_first=True, bidirectional=True, name="rnn"),
              _linear_cfg(12, 2)], output="last"),
        "F32", ("x", [2, 5, 4])),
    "torch_rnn_relu_embed": (
        _seq([{"name": "embedding", "type": "Embedding", "numEmbeddings": 11, "embeddingDim": 6},
              _rnn_cfg("RNN", 6, 5, batch_first=True, nonlinearity="relu", name="rnn"),
              _linear_cfg(5, 11)], vocabulary="abcdefghij "),
        "F32", ("ids", [2, 6])),
    "torch_lstm_f16": (
        _seq([_rnn_cfg("LSTM", 5, 8, L=2, name="rnn"), _linear_cfg(8, 3)]),
        "F16", ("x", [7, 3, 5])),
    "torch_gru_bf16": (
        _seq([_rnn_cfg("GRU", 3, 4, name="rnn"), _linear_cfg(4, 2)]),
        "BF16", ("x", [4, 2, 3])),
    "torch_lstm_bare": (
        _rnn_cfg("LSTM", 3, 4, bidirectional=True),
        "F32", ("x", [3, 2, 3])),
}


def make_fixture(name, out_dir):
    """Write ``NAME.safetensors`` and ``NAME.json`` for one case (deterministic:
    seeded from the CRC32 of its name or of ``SEED_KEYS[name]``)."""
    config, dtype, (kind, shape) = FIXTURE_CASES[name]
    seed = zlib.crc32(SEED_KEYS.get(name, name).encode("utf-8"))
    torch.manual_seed(seed)
    module = build_model(config)  # float32, PyTorch's default initialisation
    gen = torch.Generator().manual_seed(seed ^ 0x5EED)
    if kind == "ids":
        vocab = module.get_submodule(module.layer_order[0][0]).num_embeddings
        x = torch.randint(0, vocab, shape, generator=gen, dtype=torch.int64)
        xs = [int(v) for v in x.reshape(-1).tolist()]
    else:
        x = torch.randn(shape, generator=gen, dtype=torch.float32)  # float32-exact inputs
        xs = x.double().reshape(-1).tolist()
    path = os.path.join(out_dir, name + ".safetensors")
    save_model(module, config, path, dtype=dtype)
    # Expected output from the weights as stored (F16/BF16-rounded), upcast exactly.
    inputs = {"x": xs, "shape": list(shape)}
    loaded, _ = load_model(path, dtype=torch.float64)
    res = run_model(loaded, config, inputs, torch.float64)
    _write_json(os.path.join(out_dir, name + ".json"), {
        "config": config,
        "inputs": inputs,
        "expected": {"output": res["output"], "shape": res["shape"]},
        "torch": torch_version(),
        "dtype": dtype,
    })
    return path


def fixtures_from_ours(directory):
    """For every ``ours_*.safetensors`` in ``directory`` (with ``ours_*.inputs.json``
    beside it) write ``ours_*.torch.json`` = PyTorch's float64 output. Returns the
    number of failures (each reported on stderr)."""
    files = sorted(glob.glob(os.path.join(directory, "ours_*.safetensors")))
    if not files:
        _warn(f"no ours_*.safetensors in {directory}")
    failures = 0
    for path in files:
        stem = path[: -len(".safetensors")]
        try:
            module, config = load_model(path, dtype=torch.float64)
            inputs = _read_json(stem + ".inputs.json")
            res = run_model(module, config, inputs, torch.float64)
            _write_json(stem + ".torch.json",
                        {"output": res["output"], "shape": res["shape"],
                         "torch": torch_version()})
            print(f"wrote {stem}.torch.json  shape {res['shape']}")
        except (FormatError, ValueError, OSError, RuntimeError) as e:
            failures += 1
            print(f"torch_export: error: {path}: {e}", file=sys.stderr)
    return failures


def check_fixtures(directory):
    """Verify every ``NAME.json`` + ``NAME.safetensors`` pair in ``directory``.

    Per file: it loads; re-saving the loaded module in the file's dtype gives the
    same bytes and a state_dict equal to the loaded one; the float64 forward
    reproduces ``expected``; a float32 forward agrees with it. Returns a list of
    (name, bytes, worst float64 diff, worst float32 abs diff, worst rel metric).
    """
    rows = []
    for jpath in sorted(glob.glob(os.path.join(directory, "*.json"))):
        stem = jpath[: -len(".json")]
        spath = stem + ".safetensors"
        if not os.path.exists(spath):
            continue
        fx = _read_json(jpath)
        name = os.path.basename(stem)
        with open(spath, "rb") as f:
            original = f.read()
        module, config = load_model(spath)
        assert config == fx["config"], f"{name}: config differs from the JSON"
        _, _, dtypes = read_model_file(spath)
        assert set(dtypes.values()) == {fx["dtype"]}, f"{name}: dtype {set(dtypes.values())}"
        with tempfile.TemporaryDirectory() as tmp:
            again = save_model(module, config, os.path.join(tmp, "m.safetensors"), fx["dtype"])
            reloaded, _ = load_model(os.path.join(tmp, "m.safetensors"))
        assert again == original, f"{name}: re-saving does not reproduce the file's bytes"
        sd1, sd2 = module.state_dict(), reloaded.state_dict()
        assert sd1.keys() == sd2.keys() and all(torch.equal(sd1[k], sd2[k]) for k in sd1), \
            f"{name}: state_dict changed through a save/load round trip"
        expected = torch.tensor(fx["expected"]["output"], dtype=torch.float64)
        m64, _ = load_model(spath, dtype=torch.float64)
        r64 = run_model(m64, config, fx["inputs"], torch.float64)
        assert r64["shape"] == fx["expected"]["shape"], f"{name}: shape {r64['shape']}"
        d64 = (torch.tensor(r64["output"], dtype=torch.float64) - expected).abs().max().item()
        r32 = run_model(module, config, fx["inputs"], torch.float32)
        diff = (torch.tensor(r32["output"], dtype=torch.float64) - expected).abs()
        rms = expected.pow(2).mean().sqrt().item()
        rel = (diff / (expected.abs() + max(1e-3, 0.1 * rms))).max().item()
        rows.append((name, len(original), d64, diff.max().item(), rel))
    return rows


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def config_from_args(a):
    """The rnn-wasm configuration the ``export`` flags describe."""
    kind, nonlin = {"lstm": ("LSTM", None), "gru": ("GRU", None),
                    "rnn-tanh": ("RNN", "tanh"), "rnn-relu": ("RNN", "relu")}[a.cell]
    if (a.vocab_size is None) != (a.embed is None):
        raise SystemExit("export: --vocab-size and --embed go together")
    if a.embed is not None:
        if a.input is not None and a.input != a.embed:
            raise SystemExit(f"export: --input {a.input} must equal --embed {a.embed} "
                             "(the embedding feeds the recurrent layer); omit it")
        input_size = a.embed
    elif a.input is None:
        raise SystemExit("export: --input is required (or --vocab-size and --embed)")
    else:
        input_size = a.input
    if a.vocabulary is not None and a.embed is None:
        raise SystemExit("export: --vocabulary needs an embedding (--vocab-size, --embed)")
    sequential = (a.sequential or a.embed is not None or a.output_size is not None
                  or a.last or a.dropout is not None)
    rnn = _rnn_cfg(kind, input_size, a.hidden, L=a.layers, bias=not a.no_bias,
                   batch_first=a.batch_first, dropout=a.rnn_dropout,
                   bidirectional=a.bidirectional, nonlinearity=nonlin,
                   name="rnn" if sequential else None)
    if not sequential:
        return rnn
    layers = []
    if a.embed is not None:
        layers.append({"name": "embedding", "type": "Embedding",
                       "numEmbeddings": a.vocab_size, "embeddingDim": a.embed})
    layers.append(rnn)
    if a.dropout is not None:
        layers.append({"name": "dropout", "type": "Dropout", "p": a.dropout})
    if a.output_size is not None:
        feats = a.hidden * (2 if a.bidirectional else 1)
        layers.append(_linear_cfg(feats, a.output_size, bias=not a.no_bias))
    return _seq(layers, output="last" if a.last else "sequence", vocabulary=a.vocabulary)


def cmd_export(a):
    config = config_from_args(a)
    torch.manual_seed(a.seed)
    module = build_model(config)
    if a.state_dict:
        # weights_only: a state_dict needs no arbitrary unpickling (safe on untrusted files)
        state = torch.load(a.state_dict, map_location="cpu", weights_only=True)
        if not isinstance(state, dict) or not all(
                isinstance(v, torch.Tensor) for v in state.values()):
            raise SystemExit(f"export: {a.state_dict} holds a {type(state).__name__}, "
                             "not a state_dict")
        try:
            _check_state_dict(module.state_dict(), state,
                              f"export: {a.state_dict} does not match the flags")
        except FormatError as e:
            hint = ""
            if not is_sequential(config) and any(k.startswith("rnn.") for k in state):
                hint = " (its names start with 'rnn.': add --sequential)"
            raise SystemExit(f"{e}{hint}")
        module.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    save_model(module, config, a.out, dtype=a.dtype)
    n = sum(p.numel() for p in module.state_dict().values())
    print(f"wrote {a.out}: {n} parameters as {a.dtype}, config {json.dumps(config)}")


def cmd_run(a):
    module, config = load_model(a.file, dtype=torch.float64 if a.float64 else torch.float32)
    inputs = _read_json(a.input)
    res = run_model(module, config, inputs, torch.float64 if a.float64 else torch.float32)
    res["torch"] = torch_version()
    if a.out:
        _write_json(a.out, res)
        print(f"wrote {a.out}: output shape {res['shape']}")
    else:
        print(json.dumps(res))


def cmd_fixtures(a):
    if a.from_ours:
        failures = fixtures_from_ours(a.from_ours)
        if failures:
            raise SystemExit(f"{failures} file(s) failed")
        return
    os.makedirs(a.out_dir, exist_ok=True)
    for name in FIXTURE_CASES:
        path = make_fixture(name, a.out_dir)
        print(f"wrote {os.path.relpath(path)} (+ .json), {os.path.getsize(path)} bytes")


def cmd_check(a):
    rows = check_fixtures(a.dir)
    if not rows:
        raise SystemExit(f"no NAME.json + NAME.safetensors pairs in {a.dir}")
    print(f"{'file':28} {'bytes':>6}  {'f64 vs expected':>15}  {'f32 max |diff|':>14}  {'f32 metric':>10}")
    worst = 0.0
    for name, size, d64, d32, rel in rows:
        print(f"{name:28} {size:6d}  {d64:15.3g}  {d32:14.3g}  {rel:10.3g}")
        worst = max(worst, d32)
    print(f"all {len(rows)} files round-trip; worst float32 |diff| {worst:.3g}")
    if worst > a.tol:
        raise SystemExit(f"float32 forward differs by more than {a.tol}")


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="torch_export.py",
        description="Convert between PyTorch modules and rnn-wasm model files (docs/FORMAT.md).")
    sub = p.add_subparsers(dest="cmd", required=True)

    e = sub.add_parser("export", help="build a model from flags (optionally with trained "
                       "weights) and write an rnn-wasm .safetensors file")
    e.add_argument("out", metavar="FILE.safetensors")
    e.add_argument("--cell", required=True, choices=["lstm", "gru", "rnn-tanh", "rnn-relu"])
    e.add_argument("--input", type=int, help="input features (defaults to --embed)")
    e.add_argument("--hidden", type=int, required=True)
    e.add_argument("--layers", type=int, default=1, help="stacked layers (num_layers)")
    e.add_argument("--bidirectional", action="store_true")
    e.add_argument("--batch-first", action="store_true")
    e.add_argument("--no-bias", action="store_true", help="no biases (recurrent and Linear)")
    e.add_argument("--rnn-dropout", type=float, default=0,
                   help="dropout between stacked recurrent layers (training only)")
    e.add_argument("--dropout", type=float, help="add a Dropout layer 'dropout' with this p "
                   "after the recurrent layer")
    e.add_argument("--output-size", type=int, help="add a Linear layer 'head' to this size")
    e.add_argument("--last", action="store_true",
                   help='output "last": only the last timestep reaches the head')
    e.add_argument("--vocab-size", type=int, help="add an Embedding 'embedding' (token ids in)")
    e.add_argument("--embed", type=int, help="embedding dimension")
    e.add_argument("--vocabulary", help="characters of a char-level model, in token-id order")
    e.add_argument("--sequential", action="store_true",
                   help="always write a Sequential model (tensor names 'rnn.*') even with "
                   "no other layer")
    e.add_argument("--state-dict", metavar="model.pt",
                   help="trained weights: a torch.save(model.state_dict()) file with "
                   "FORMAT.md's names")
    e.add_argument("--seed", type=int, default=0, help="seed for the initial weights")
    e.add_argument("--dtype", choices=WRITE_DTYPES, default="F32", help="tensor dtype in the file")
    e.set_defaults(func=cmd_export)

    r = sub.add_parser("run", help="run a model file on inputs (eval mode)")
    r.add_argument("file", metavar="FILE.safetensors")
    r.add_argument("--input", required=True, metavar="inputs.json",
                   help='{"x": flat list, "shape": [...]}; token ids for an Embedding model; '
                   'for a Seq2Seq its batch: x, xShape, condition/conditionShape or '
                   'source/sourceShape[/sourceLengths]')
    r.add_argument("--out", metavar="outputs.json", help="write here instead of stdout")
    r.add_argument("--float64", action="store_true", help="compute in float64 (default float32)")
    r.set_defaults(func=cmd_run)

    f = sub.add_parser("fixtures", help="write the test fixtures in test/fixtures/io")
    f.add_argument("--out-dir", default=FIXTURE_DIR, help="default: %(default)s")
    f.add_argument("--from-ours", metavar="DIR",
                   help="instead: for each DIR/ours_*.safetensors (+ ours_*.inputs.json) "
                   "write ours_*.torch.json with PyTorch's float64 output")
    f.set_defaults(func=cmd_fixtures)

    c = sub.add_parser("check", help="verify the fixtures: round trip, float64 and float32 "
                       "forward against expected")
    c.add_argument("dir", nargs="?", default=FIXTURE_DIR)
    c.add_argument("--tol", type=float, default=1e-5, help="max float32 |diff| (default 1e-5)")
    c.set_defaults(func=cmd_check)

    a = p.parse_args(argv)
    try:
        a.func(a)
    except (FormatError, ValueError, OSError) as err:
        raise SystemExit(f"torch_export: error: {err}")


if __name__ == "__main__":
    main()
