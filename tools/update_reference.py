#!/usr/bin/python3
"""Writes the registries' reference into docs/language.md, between its words
markers (`closepath help words --format markdown`), and the peer protocol's
into docs/protocol.md, between its protocol markers (`closepath help
protocol --format markdown`), and the capture decoder's encapsulations into
docs/outputs.md (`closepath help encapsulations`), from build/closepath (or
the binary given).
pytest's test_docs.py fails until this has been run after a registry changed.

    tools/update_reference.py [CLOSEPATH]
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [("words", "language.md"), ("protocol", "protocol.md"), ("encapsulations", "outputs.md")]


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "closepath")
    for topic, name in PAGES:
        markdown = subprocess.run([binary, "help", topic, "--format", "markdown"], capture_output=True, text=True,
                                  check=True).stdout
        begin, end = f"<!-- {topic}:begin -->\n", f"<!-- {topic}:end -->"
        page = ROOT / "docs" / name
        head, rest = page.read_text().split(begin, 1)
        page.write_text(head + begin + markdown + end + rest.split(end, 1)[1])


if __name__ == "__main__":
    main()
