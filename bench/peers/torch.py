#!/usr/bin/env python3
"""PyTorch side of `npm run bench`: a line-oriented JSON server on stdin/stdout.

The Node process sends one request per line and waits for the answer, so PyTorch's
repetitions interleave with the JavaScript systems' in one run. Times are measured here
(time.perf_counter) around the calls only: the pipe round trip is not counted.

Threads: BENCH_TORCH_THREADS (default 1) for torch.set_num_threads; the parent also sets
OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the same count. "hello" reports what took effect:
torch.get_num_threads() and, from the BLAS library found in /proc/self/maps (through ctypes),
openblas_get_num_threads(), openblas_get_corename() and openblas_get_config() — or that the
library is the reference BLAS (no such functions).

Requests: {"op": "hello"} | {"op": "setup", "key", "cfg", "x", "y"} (x/y: paths of raw
float32/int32 files written by bench/peers/torch.ts) | {"op": "setup_charlm", "key", "cfg", "x", "y"}
(the character-LM recipe: Embedding + LSTM + Linear, Adam, clipping) | {"op": "check", "key", "steps"} |
{"op": "time", "key", "kind": "train"|"infer", "calls"} | {"op": "stream", "ids", "steps"} |
{"op": "cold"} (only prints torch's version; cold starts run their own process).
"""
import ctypes
import json
import os
import sys
import time

# This file is named torch.py: drop its own folder from the path, or `import torch` finds it.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or os.curdir) != _here]
import torch  # noqa: E402

THREADS = int(os.environ.get("BENCH_TORCH_THREADS", "1"))
torch.set_num_threads(THREADS)  # as many threads as the rnn-wasm system it is compared with
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass
torch.manual_seed(0)

LR = 0.01
rows = {}


def read(path, dtype):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=dtype)


class Model(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        cls = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "RNN": torch.nn.RNN}[cfg["cell"]]
        kw = {"nonlinearity": "tanh"} if cfg["cell"] == "RNN" else {}
        self.rnn = cls(cfg["I"], cfg["H"], batch_first=True, **kw)
        self.head = torch.nn.Linear(cfg["H"], cfg["O"])

    def forward(self, x, state=None):
        out, state = self.rnn(x, state)
        return self.head(out), state


def blas_library():
    """The BLAS torch's GEMMs run on: Debian's torch links libblas.so.3, whichever library
    the system (or LD_LIBRARY_PATH) provides — the reference BLAS or OpenBLAS, 20× apart."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() or "mkl" in line.lower()}
    return sorted(os.path.realpath(p) for p in libs if p.startswith("/"))


def blas_info(libs):
    """What the BLAS is: OpenBLAS (its core type, build config and thread count, asked of the
    loaded library itself) or the reference BLAS (netlib: none of OpenBLAS's functions)."""
    for path in libs:
        try:
            lib = ctypes.CDLL(path)  # already loaded: the same handle
        except OSError:
            continue
        if hasattr(lib, "openblas_get_corename"):
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return {"kind": "openblas", "path": path, "corename": lib.openblas_get_corename().decode(),
                    "config": lib.openblas_get_config().decode(), "threads": lib.openblas_get_num_threads()}
    for path in libs:
        if "libblas" in os.path.basename(path) and "openblas" not in path:
            lib = ctypes.CDLL(path)
            kind = "reference" if hasattr(lib, "sgemm_") and "/blas/" in path else "other"
            return {"kind": kind, "path": path}
    return {"kind": "unknown", "path": libs[0] if libs else ""}


def settle():
    """After timed calls on several threads: OpenBLAS's idle threads spin for ~2^28 cycles
    (0.1 s here) before they sleep, on cores the next system of the round-robin would use.
    Wait that out here (untimed), so no system pays for the spinning of another."""
    if THREADS > 1:
        time.sleep(0.2)


def gemm512():
    """GFLOP/s of a 512³ float32 matmul on the configured threads: the native counterpart of our peak."""
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    a @ b
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 0.3:
        a @ b
        n += 1
    return 2 * 512 ** 3 * n / (time.perf_counter() - t0) / 1e9


def setup(req):
    cfg = req["cfg"]
    B, T, I, O = cfg["B"], cfg["T"], cfg["I"], cfg["O"]
    model = Model(cfg)
    x = read(req["x"], torch.float32).reshape(B, T, I)
    if cfg["loss"] == "ce":
        y = read(req["y"], torch.int32).long().reshape(B * T)
        loss_fn = torch.nn.CrossEntropyLoss()
    else:
        y = read(req["y"], torch.float32).reshape(B * T, O)
        loss_fn = torch.nn.MSELoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)

    def train():
        opt.zero_grad(set_to_none=True)
        logits, _ = model(x)
        loss = loss_fn(logits.reshape(B * T, O), y)
        loss.backward()
        opt.step()
        return loss.item()

    infer_model = Model(cfg).eval()

    def infer():
        with torch.inference_mode():
            logits, _ = infer_model(x)
        return logits

    rows[req["key"]] = {"train": train, "infer": infer}
    return {"ok": True}


class CharLM(torch.nn.Module):
    """examples/char-lm.ts's model: Embedding(V, E) → LSTM(E, H) → Linear(H, V)."""

    def __init__(self, cfg):
        super().__init__()
        self.emb = torch.nn.Embedding(cfg["V"], cfg["E"])
        self.rnn = torch.nn.LSTM(cfg["E"], cfg["H"], batch_first=True)
        self.head = torch.nn.Linear(cfg["H"], cfg["V"])

    def forward(self, x):
        out, _ = self.rnn(self.emb(x))
        return self.head(out)


def setup_charlm(req):
    """One training step of the character-LM recipe: ids [B, T] in, next ids out, Adam, global
    norm clipping (as the example's Trainer: clip { maxNorm })."""
    cfg = req["cfg"]
    B, T, V = cfg["B"], cfg["T"], cfg["V"]
    model = CharLM(cfg)
    x = read(req["x"], torch.int32).long().reshape(B, T)
    y = read(req["y"], torch.int32).long().reshape(B * T)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])

    def train():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x).reshape(B * T, V), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
        opt.step()
        return loss.item()

    rows[req["key"]] = {"train": train}
    return {"ok": True}


def timed(req):
    fn = rows[req["key"]][req["kind"]]
    n = req["calls"]
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    sec = (time.perf_counter() - t0) / n
    settle()
    return {"sec": sec}


streams = {}


def stream(req):
    """`steps` more steps of one stream (state carried across requests), one step per call,
    softmax probabilities out; per-step times in µs."""
    cfg = req["cfg"]
    if "s" not in streams:
        streams["s"] = {"model": Model(cfg).eval(), "ids": read(req["ids"], torch.int32).tolist(),
                        "x": torch.zeros(1, 1, cfg["I"]), "state": None, "k": 0}
    s = streams["s"]
    model, ids, x = s["model"], s["ids"], s["x"]
    state, k = s["state"], s["k"]
    times = []
    with torch.inference_mode():
        for _ in range(req["steps"]):
            t0 = time.perf_counter()
            x.zero_()
            x[0, 0, ids[k % len(ids)]] = 1.0
            logits, state = model(x, state)
            torch.softmax(logits[0, 0], 0)
            times.append((time.perf_counter() - t0) * 1e6)
            k += 1
    s["state"], s["k"] = state, k
    return {"us": times}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        try:
            if op == "hello":
                libs = blas_library()
                out = {"torch": torch.__version__, "python": sys.version.split()[0],
                       "threads": torch.get_num_threads(), "blas": libs, "blasInfo": blas_info(libs),
                       "gemm512": gemm512()}
                settle()
            elif op == "setup":
                out = setup(req)
            elif op == "setup_charlm":
                out = setup_charlm(req)
            elif op == "check":
                fn = rows[req["key"]]["train"]
                out = {"losses": [fn() for _ in range(req["steps"])]}
                settle()
            elif op == "time":
                out = timed(req)
            elif op == "stream":
                out = stream(req)
            elif op == "quit":
                break
            else:
                out = {"error": f"unknown op {op}"}
        except Exception as e:  # report, do not die: the bench skips the row and says why
            out = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
