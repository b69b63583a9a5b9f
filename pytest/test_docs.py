"""The docs: every scenario they show parses as shown, and the language
reference in docs/language.md is what the registries print."""
import json
import re

import pytest

from closepath_plugin import ROOT


def readme_scenarios():
    """Every scenario the README and docs/ show (indented or ```yaml blocks that open with a claim or a name)."""
    lines = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        lines += page.read_text().splitlines() + [""]
    blocks, i = [], 0
    while i < len(lines):
        if re.match(r"^    (# Claim|name: )", lines[i]):
            block = []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                block.append(lines[i][4:])
                i += 1
            blocks.append("\n".join(block).strip() + "\n")
        elif lines[i] == "```yaml" and re.match(r"^(# Claim|name: )", lines[i + 1]):
            end = lines.index("```", i + 1)
            blocks.append("\n".join(lines[i + 1:end]) + "\n")
            i = end
        i += 1
    return blocks


def test_the_readme_scenarios_parse_as_shown(closepath, tmp_path):
    blocks = readme_scenarios()
    assert blocks and any(re.search(r"[A-Z_0-9]+\?[,\]]", b) for b in blocks), "the docs show STATE? in a flow list"
    for n, text in enumerate(blocks):
        path = tmp_path / f"readme_{n}.yaml"
        path.write_text(text)
        done = closepath("run", "--dry-run", path)
        assert done.returncode == 0, f"README example {n}:\n{text}\n{done.stderr}"


def reference_in_docs(topic="words", page="language.md"):
    text = (ROOT / "docs" / page).read_text()
    return text.split(f"<!-- {topic}:begin -->\n", 1)[1].split(f"<!-- {topic}:end -->", 1)[0]


@pytest.mark.parametrize("topic,page", [("words", "language.md"), ("protocol", "protocol.md"),
                                        ("encapsulations", "outputs.md")])
def test_the_references_in_docs_are_the_registries(closepath, topic, page):
    printed = closepath("help", topic, "--format", "markdown")
    assert printed.returncode == 0, printed.stderr
    assert reference_in_docs(topic, page) == printed.stdout, (
        f"docs/{page}'s reference differs from the registries: run tools/update_reference.py")


def test_help_words_names_every_vocabulary_with_a_doc_line_for_each_word(closepath):
    printed = closepath("help", "words", "--format", "json")
    assert printed.returncode == 0, printed.stderr
    sections = {s["key"]: s for s in json.loads(printed.stdout)}
    assert {"peer", "program", "wire", "wait", "pattern", "end", "state", "option", "counter", "duration"} <= set(sections)
    words = {key: {e["word"] for e in s["entries"]} for key, s in sections.items()}
    # A few words each vocabulary must have, as a scenario writes them.
    assert {"send", "recv", "tls handshake", "destroy", "await"} <= words["peer"]
    assert {"drop", "hold", "inject", "netem"} <= words["wire"]
    assert {"len", "win", "mss", "sackOK", "gap"} <= words["pattern"]
    assert {"eof", "operation_aborted", "ERRNO"} <= words["end"]
    assert {"NEW_SYN_RECV", "TIME_WAIT"} <= words["state"]
    for s in sections.values():
        for e in s["entries"]:
            assert e["doc"] and e["synopsis"], (s["key"], e)


def test_help_words_prints_text_by_default_and_refuses_an_unknown_topic(closepath):
    text = closepath("help", "words")
    assert text.returncode == 0 and "drop PATTERN [count N]" in text.stdout
    bad = closepath("help", "faults")
    assert bad.returncode == 2 and "faults" in bad.stderr


def test_no_file_over_400_lines_and_no_function_over_60():
    """STYLE: files under ~400 lines, functions under ~60, named for what they hold."""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "size_check.py")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
