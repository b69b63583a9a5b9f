#!/usr/bin/python3
"""Lists the source files over 400 lines and the functions over 60.

    tools/size_check.py [--max-file N] [--max-function N] [PATH...]

C++: a function is a definition that opens at the start of a line (namespace
level, as the code is formatted) and ends at the first later line that is a
lone closing brace at that indentation; a method defined inside its class is
found by the same rule at its own indentation. Python: a def, to the first
line indented no deeper. Exit status 1 when anything is over, else 0.
"""
import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = ("harness", "pcap", "protocol", "peers", "pytest", "tools", "examples")
CXX = re.compile(r"^(\s*)(?!(?:if|for|while|switch|catch|namespace|struct|class|enum|union|do|else|return)\b)"
                 r"[\w:<>,~*&\s\[\]]+\([^;]*\)[^;=]*\{\s*(//.*)?$")
PY = re.compile(r"^(\s*)(?:async\s+)?def\s+\w+")


def cxx_functions(lines):
    i = 0
    while i < len(lines):
        m = CXX.match(lines[i])
        # A definition whose parameters span lines: the line that opens it.
        if not m and re.match(r"^(\s*)[\w:<>~*&][\w:<>,~*&\s]*\([^;)]*,\s*$", lines[i]):
            j = i
            while j + 1 < len(lines) and not lines[j].rstrip().endswith(("{", ";")) and j - i < 8:
                j += 1
            if lines[j].rstrip().endswith("{"):
                m = re.match(r"^(\s*)", lines[i])
        if m:
            indent = m.group(1)
            end = next((k for k in range(i + 1, len(lines)) if lines[k].rstrip() == indent + "}" or
                        lines[k].startswith(indent + "}") and lines[k].strip() in ("}", "};")), None)
            if end is not None:
                yield lines[i].strip()[:70], i + 1, end - i + 1
                i = end
        i += 1


def py_functions(lines):
    for i, line in enumerate(lines):
        m = PY.match(line)
        if not m:
            continue
        indent = len(m.group(1))
        end = i
        for k in range(i + 1, len(lines)):
            s = lines[k]
            if s.strip() and len(s) - len(s.lstrip()) <= indent and not s.lstrip().startswith((")", "]", "}")):
                break
            if s.strip():
                end = k
        yield line.strip()[:70], i + 1, end - i + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-file", type=int, default=400)
    ap.add_argument("--max-function", type=int, default=60)
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args()
    roots = [pathlib.Path(p) for p in args.paths] or [ROOT / s for s in SOURCES]
    files = []
    for r in roots:
        files += [r] if r.is_file() else sorted(p for p in r.rglob("*") if p.suffix in (".cpp", ".hpp", ".py"))
    over = 0
    for f in files:
        lines = f.read_text(errors="replace").splitlines()
        name = f.relative_to(ROOT) if f.is_absolute() and ROOT in f.parents else f
        if len(lines) > args.max_file:
            print(f"{name}: {len(lines)} lines (at most {args.max_file})")
            over += 1
        found = py_functions(lines) if f.suffix == ".py" else cxx_functions(lines)
        for head, line, length in found:
            if length > args.max_function:
                print(f"{name}:{line}: {length} lines: {head}")
                over += 1
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
