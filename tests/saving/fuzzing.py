"""A seeded file fuzzer for the loaders, run in a child process.

A *target* is a function in a module of ``tests/saving`` returning a
``Target``: the bytes of a good file, its suffix, a ``load(path)`` to run
on each corrupted copy, and a ``verify(result)`` that asserts a load which
succeeded gave exactly the original (a flip inside padding may be
harmless). Each case mutates the good bytes with one seeded mutation
(bit flips, random runs, zeroed or truncated ranges, chunks moved, huge
integers written over size fields) and loads the copy. The outcome of a
case is one of:

- ``clear``: a ``torchkeras.saving.SavingError`` whose message names the
  file (the wanted result for a damaged file);
- ``ok``: it loaded and ``verify`` passed;
- ``bad``: anything else (a raw library exception, a message without the
  file's name, a wrong load), with the exception's type and message.

The cases run in one child process (``python tests/saving/fuzzing.py``)
with an address-space limit, so an allocation bomb fails there as a
``MemoryError`` (``bad``) instead of taking the machine; each case writes a
line before and after it runs, so a case that hangs past the deadline or
kills the child is named by the parent.

Run by hand for a nightly-size figure::

    python tests/saving/fuzzing.py fuzz_targets_tensors:safetensors_target \
        --cases 2000 --seed 1
"""

import argparse
import dataclasses
import importlib
import json
import os
import random
import resource
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


@dataclasses.dataclass
class Target:
    """What a format's fuzz target provides (see the module docstring)."""

    data: bytes
    suffix: str
    load: object
    verify: object


# -- mutations -------------------------------------------------------------

_HUGE = (2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**40, 2**62, 2**63 - 1,
         2**64 - 1)


def _flip_bits(data, rng):
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out), "flip"


def _random_run(data, rng):
    out = bytearray(data)
    start = rng.randrange(len(out))
    n = min(rng.randint(1, 64), len(out) - start)
    out[start:start + n] = bytes(rng.randrange(256) for _ in range(n))
    return bytes(out), f"run@{start}+{n}"


def _zero_range(data, rng):
    out = bytearray(data)
    start = rng.randrange(len(out))
    n = min(rng.randint(1, 256), len(out) - start)
    out[start:start + n] = bytes(n)
    return bytes(out), f"zero@{start}+{n}"


def _truncate(data, rng):
    cut = rng.randrange(len(data))
    return data[:cut], f"truncate@{cut}"


def _move_chunk(data, rng):
    n = rng.randint(1, max(1, min(512, len(data) // 4)))
    src = rng.randrange(len(data) - n + 1)
    dst = rng.randrange(len(data) - n + 1)
    out = bytearray(data)
    out[dst:dst + n] = data[src:src + n]
    return bytes(out), f"move@{src}->{dst}+{n}"


def _huge_integer(data, rng):
    out = bytearray(data)
    width, fmt = rng.choice(((4, "<I"), (8, "<Q"), (4, ">I"), (8, ">Q")))
    value = rng.choice(_HUGE) & ((1 << (8 * width)) - 1)
    start = rng.randrange(max(1, len(out) - width))
    out[start:start + width] = struct.pack(fmt, value)
    return bytes(out), f"int{width * 8}@{start}={value}"


MUTATIONS = (_flip_bits, _random_run, _zero_range, _truncate, _move_chunk,
             _huge_integer)


def mutate(data, rng):
    """One seeded mutation of ``data``: ``(bytes, label)``."""
    return rng.choice(MUTATIONS)(data, rng)


# -- the child: run the cases ----------------------------------------------

def _outcome(target, path):
    from torchkeras.saving.errors import SavingError

    try:
        result = target.load(path)
    except SavingError as e:
        if path in str(e) or os.path.basename(path) in str(e):
            return "clear", ""
        return "bad", f"{type(e).__name__} without the file name: {e}"
    except BaseException as e:  # noqa: B036 - every escape is a finding
        if isinstance(e, KeyboardInterrupt):
            raise
        return "bad", f"{type(e).__name__}: {str(e)[:300]}"
    try:
        target.verify(result)
    except BaseException as e:  # noqa: B036
        return "bad", f"loaded but differs: {type(e).__name__}: " \
                      f"{str(e)[:300]}"
    return "ok", ""


def _child(spec, cases, seed, memory_mb, log):
    sys.path.insert(0, HERE)
    sys.path.insert(0, REPO)
    module_name, function_name = spec.split(":")
    target = getattr(importlib.import_module(module_name), function_name)()
    if memory_mb:
        used = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        limit = used + memory_mb * 2**20 + 2**30  # + headroom for code
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    rng = random.Random(seed)
    folder = tempfile.mkdtemp(prefix="fuzz-")
    with open(log, "w", buffering=1) as out:
        for index in range(cases):
            data, label = mutate(target.data, rng)
            path = os.path.join(folder, f"case{index}{target.suffix}")
            with open(path, "wb") as f:
                f.write(data)
            out.write(json.dumps({"start": index, "label": label}) + "\n")
            began = time.perf_counter()
            kind, detail = _outcome(target, path)
            out.write(json.dumps({
                "case": index, "label": label, "kind": kind,
                "detail": detail,
                "seconds": round(time.perf_counter() - began, 3)}) + "\n")
            os.remove(path)


# -- the parent ------------------------------------------------------------

@dataclasses.dataclass
class Report:
    """The cases of one run: outcomes, the slowest, what went wrong."""

    results: list
    unfinished: object  # the case that hung or killed the child, or None
    returncode: int
    stderr: str

    def count(self, kind):
        return sum(r["kind"] == kind for r in self.results)

    def problems(self, case_seconds):
        found = [f"case {r['case']} ({r['label']}): {r['detail']}"
                 for r in self.results if r["kind"] == "bad"]
        found += [f"case {r['case']} ({r['label']}): took {r['seconds']} s"
                  for r in self.results if r["seconds"] > case_seconds]
        if self.unfinished is not None:
            found.append(f"case {self.unfinished['start']} "
                         f"({self.unfinished['label']}) never finished "
                         f"(child rc={self.returncode}): "
                         f"{self.stderr[-500:]}")
        return found

    def summary(self):
        slowest = max((r["seconds"] for r in self.results), default=0.0)
        return (f"{len(self.results)} cases: {self.count('clear')} clear "
                f"errors, {self.count('ok')} loaded equal, "
                f"{self.count('bad')} bad; slowest {slowest:.2f} s")


def run(spec, cases=200, seed=0, case_seconds=5.0, memory_mb=1024,
        deadline=None):
    """Runs ``cases`` mutations of target ``spec`` (``module:function`` in
    ``tests/saving``) in a child process; returns a ``Report``."""
    deadline = deadline or 60 + cases * case_seconds
    with tempfile.TemporaryDirectory() as folder:
        log = os.path.join(folder, "log.jsonl")
        cmd = [sys.executable, os.path.abspath(__file__), spec,
               "--cases", str(cases), "--seed", str(seed),
               "--memory-mb", str(memory_mb), "--log", log]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=deadline, cwd=REPO)
            returncode, stderr = proc.returncode, proc.stderr
        except subprocess.TimeoutExpired as e:
            returncode, stderr = -9, (e.stderr or b"").decode(
                "utf8", "replace") if isinstance(e.stderr, bytes) else ""
        results, started = [], None
        if os.path.exists(log):
            with open(log) as f:
                for line in f:
                    entry = json.loads(line)
                    if "start" in entry:
                        started = entry
                    else:
                        results.append(entry)
                        started = None
    if started is None and returncode != 0:
        started = {"start": len(results), "label": "(child failed)"}
    return Report(results, started, returncode, stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("target", help="module:function in tests/saving")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--case-seconds", type=float, default=5.0)
    parser.add_argument("--log", help="the child's log (internal)")
    args = parser.parse_args()
    if args.log:
        _child(args.target, args.cases, args.seed, args.memory_mb, args.log)
        return
    report = run(args.target, args.cases, args.seed, args.case_seconds,
                 args.memory_mb)
    print(report.summary())
    for problem in report.problems(args.case_seconds):
        print(" ", problem)


if __name__ == "__main__":
    main()
