"""Lets `python3 -m pytest --closepath-scenarios=DIR` run a directory of
scenario files as tests from the checkout's root (pytest/closepath_plugin.py)."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "pytest"))
pytest_plugins = ["closepath_plugin"]
