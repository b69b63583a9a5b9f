"""closepath's pytest driver: everything lives in the plugin (closepath_plugin.py)."""
pytest_plugins = ["closepath_plugin", "pytester"]
