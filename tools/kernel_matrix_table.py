"""The kernel matrix as one table: scenario x kernel -> PASS / FAIL / SKIP,
then each failure's first mismatch. Arguments: LABEL:RESULTS_DIR per
kernel, each holding out/<scenario>/report.json (and `kernel`, the uname).
Exit 0 when nothing failed and every kernel finished."""
import json
import pathlib
import sys


def results(directory):
    reports = {}
    for path in sorted(pathlib.Path(directory, "out").glob("*/report.json")):
        try:
            report = json.loads(path.read_text())
        except ValueError:
            continue
        reports[report.get("scenario", path.parent.name)] = report
    return reports


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
    word = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "skipped": "SKIP"}
    failures, ok = [], all(r for _, _, r in columns)
    for name in names:
        cells = []
        for _, kernel, r in columns:
            verdict = r.get(name, {}).get("verdict")
            cells.append(word.get(verdict, "-"))
            if verdict in ("fail", "error"):
                failures.append(f"{kernel} {name}: {r[name].get('first_mismatch', '')}")
            if verdict in ("fail", "error", None):
                ok = False
        print(f"{name:{width}}  " + "  ".join(f"{c:22}" for c in cells))
    for _, kernel, r in columns:
        if not r:
            print(f"{kernel}: no results (see its console.log / run.log)")
    if failures:
        print("\nfirst mismatches:")
        for f in failures:
            print("  " + f)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
