#!/usr/bin/env python3
"""PyTorch side of `npm run bench`: a line-oriented JSON server on stdin/stdout.

The Node process sends one request per line and waits for the answer, so PyTorch's
repetitions interleave with the JavaScript systems' in one run. Times are measured here
(time.perf_counter) around the calls only: the pipe round trip is not counted.

Requests: {"op": "hello"} | {"op": "setup", "key", "cfg", "x", "y"} (x/y: paths of raw
float32/int32 files written by bench/peers/torch.ts) | {"op": "check", "key", "steps"} |
{"op": "time", "key", "kind": "train"|"infer", "calls"} | {"op": "stream", "ids", "steps"} |
{"op": "cold"} (only prints torch's version; cold starts run their own process).
"""
import json
import os
import sys
import time

# This file is named torch.py: drop its own folder from the path, or `import torch` finds it.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or os.curdir) != _here]
import torch  # noqa: E402

torch.set_num_threads(1)  # one core, as the JavaScript systems
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


def gemm512():
    """GFLOP/s of a 512³ float32 matmul on one core: the native counterpart of our peak."""
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


def timed(req):
    fn = rows[req["key"]][req["kind"]]
    n = req["calls"]
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return {"sec": (time.perf_counter() - t0) / n}


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
                out = {"torch": torch.__version__, "python": sys.version.split()[0],
                       "threads": torch.get_num_threads(), "blas": blas_library(), "gemm512": gemm512()}
            elif op == "setup":
                out = setup(req)
            elif op == "check":
                fn = rows[req["key"]]["train"]
                out = {"losses": [fn() for _ in range(req["steps"])]}
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
