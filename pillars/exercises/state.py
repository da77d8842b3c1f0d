"""The learner's progress, kept in their work folder: each exercise's state and the hints shown."""

import json
import os
import pathlib

from pillars.errors import ConfigError

FILE_NAME = ".pillars-exercises.json"
NOT_STARTED, FAILING, PASSED = "not started", "failing", "passed"


class Progress:
    """{exercise name: {"state": "failing" | "passed", "hints": how many were shown}} in a JSON file."""

    def __init__(self, folder="."):
        folder = pathlib.Path(folder)
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"the work folder {folder} is a file; give a folder with --work")
        self.path = folder / FILE_NAME
        try:
            self.entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}   # no progress yet (or an unreadable file, which the next save replaces)
        if not isinstance(self.entries, dict) or not all(isinstance(e, dict) for e in self.entries.values()):
            self.entries = {}   # JSON, but not progress: replaced the same way

    def state(self, name):
        return self.entries.get(name, {}).get("state", NOT_STARTED)

    def set_state(self, name, state):
        self.entries.setdefault(name, {})["state"] = state
        self.save()

    def hints_shown(self, name):
        return self.entries.get(name, {}).get("hints", 0)

    def show_hint(self, name):
        """Count one more hint as shown; the number of hints shown so far."""
        entry = self.entries.setdefault(name, {})
        entry["hints"] = entry.get("hints", 0) + 1
        self.save()
        return entry["hints"]

    def save(self):
        temporary = self.path.with_name(self.path.name + ".partial")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(self.entries, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as err:
            temporary.unlink(missing_ok=True)
            raise ConfigError(f"cannot save the progress in {self.path}: {err.strerror}") from None
