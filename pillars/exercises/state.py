"""The learner's progress, kept in their work folder: each exercise's state and the hints shown."""

import json
import os
import pathlib

FILE_NAME = ".pillars-exercises.json"
NOT_STARTED, FAILING, PASSED = "not started", "failing", "passed"


class Progress:
    """{exercise name: {"state": "failing" | "passed", "hints": how many were shown}} in a JSON file."""

    def __init__(self, folder="."):
        self.path = pathlib.Path(folder) / FILE_NAME
        try:
            self.entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}   # no progress yet (or an unreadable file, which the next save replaces)

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".partial")
        temporary.write_text(json.dumps(self.entries, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, self.path)
