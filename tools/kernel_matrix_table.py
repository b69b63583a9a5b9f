"""The kernel matrix as one table: scenario x kernel -> PASS / FAIL / SKIP,
then each failure's first mismatch. Arguments: LABEL:RESULTS_DIR per
kernel, each holding out/<scenario>/report.json, or out/<scenario>/<n>/report.json
for repeated runs (the cell then says how many passed), and `kernel`, the uname.
Writes index.html beside the results folders too: the same table, each
cell linking to its runs' report.html pages.
Exit 0 when nothing failed and every kernel finished."""
import html
import json
import os
import pathlib
import sys


def results(directory):
    """scenario -> its reports: one, or one per repeat (out/<scenario>/<n>/report.json)."""
    reports = {}
    out = pathlib.Path(directory, "out")
    runs = [d for d in out.glob("*/*") if d.is_dir() and d.name.isdigit()]
    runs += [d for d in out.glob("*") if d.is_dir() and not any(c.is_dir() and c.name.isdigit() for c in d.iterdir())]
    for run in sorted(runs):
        path = run / "report.json"
        try:
            report = json.loads(path.read_text())
        except (OSError, ValueError):  # a run that died before its report still counts, as an error
            report = {"verdict": "error", "first_mismatch": f"{path} missing or unreadable"}
        name = report.get("scenario", path.parent.name if path.parent.parent == out else path.parent.parent.name)
        report["_page"] = str(run / "report.html")
        reports.setdefault(name, []).append(report)
    return reports


def cell(reports):
    """PASS / FAIL / ERROR / SKIP for one run; with repeats, the worst and how many passed."""
    word = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "skipped": "SKIP"}
    verdicts = [r.get("verdict") for r in reports]
    worst = next((v for v in ("error", "fail", "skipped", "pass") if v in verdicts), None)
    text = word.get(worst, "-")
    if len(reports) > 1 and worst != "skipped":
        text += f" {verdicts.count('pass')}/{len(reports)}"
    return text, worst


def write_index(where, columns, names):
    """index.html: scenario x kernel, each cell its verdict and links to each run's page."""
    rows = []
    for name in names:
        cells = []
        for _, kernel, r in columns:
            text, _ = cell(r.get(name, []))
            links = " ".join(f'<a href="{html.escape(os.path.relpath(report["_page"], where))}">{i}</a>'
                             for i, report in enumerate(r.get(name, []), 1))
            cells.append(f"<td>{html.escape(text)} {links}</td>")
        rows.append(f"<tr><td>{html.escape(name)}</td>{''.join(cells)}</tr>")
    heads = "".join(f"<th>{html.escape(kernel)}</th>" for _, kernel, _ in columns)
    page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" "
            "content=\"default-src 'none'; style-src 'unsafe-inline'\"><title>closepath kernel matrix</title>"
            "<style>body{font:14px system-ui,sans-serif} td,th{border:1px solid #bbb;padding:2px 6px}"
            "table{border-collapse:collapse}</style></head><body><h1>closepath kernel matrix</h1>"
            f"<table><tr><th>scenario</th>{heads}</tr>{''.join(rows)}</table></body></html>\n")
    pathlib.Path(where, "index.html").write_text(page)


def main(args):
    columns = []
    for arg in args:
        label, _, directory = arg.partition(":")
        kernel_file = pathlib.Path(directory, "kernel")
        kernel = kernel_file.read_text().split()[-1] if kernel_file.exists() else "did not boot"
        columns.append((label, kernel, results(directory)))
    names = sorted({name for _, _, r in columns for name in r})
    width = max([len(n) for n in names] + [8])
    heads = [kernel for _, kernel, _ in columns]
    print(" " * width + "  " + "  ".join(f"{h[:22]:22}" for h in heads))
    failures, ok = [], all(r for _, _, r in columns)
    for name in names:
        cells = []
        for _, kernel, r in columns:
            text, verdict = cell(r.get(name, []))
            cells.append(text)
            for report in r.get(name, []):
                if report.get("verdict") in ("fail", "error"):
                    failures.append(f"{kernel} {name}: {report.get('first_mismatch', report.get('error', ''))}")
                    break
            if verdict in ("fail", "error", None):
                ok = False
        print(f"{name:{width}}  " + "  ".join(f"{c:22}" for c in cells))
    for _, kernel, r in columns:
        if not r:
            print(f"{kernel}: no results (see its console.log / run.log)")
    if args:
        where = pathlib.Path(args[0].partition(":")[2]).parent
        write_index(where, columns, names)
        print(f"pages: {where / 'index.html'}")
    if failures:
        print("\nfirst mismatches:")
        for f in failures:
            print("  " + f)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
