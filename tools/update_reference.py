#!/usr/bin/python3
"""Writes the registries' reference into docs/language.md, between its words
markers: `closepath help words --format markdown`, from build/closepath (or
the binary given). pytest's test_docs.py fails until this has been run after
a registry changed.

    tools/update_reference.py [CLOSEPATH]
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- words:begin -->\n", "<!-- words:end -->"


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "closepath")
    markdown = subprocess.run([binary, "help", "words", "--format", "markdown"], capture_output=True, text=True,
                              check=True).stdout
    page = ROOT / "docs" / "language.md"
    text = page.read_text()
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    page.write_text(head + BEGIN + markdown + END + tail)


if __name__ == "__main__":
    main()
