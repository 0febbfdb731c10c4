"""Result batches on disk until the central service has them: one JSON file per batch,
written whole (a temporary file renamed into place, fsynced) before it is sent, removed once
the central service answered for it. A batch is sent with its id, so sending it again after
a lost answer writes nothing twice (api/native/agent.py).

Bounded: past `max_results` results waiting, the oldest batches are dropped (and counted,
and logged), so an agent cut off for long does not fill its disk.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Batch:
    batch_id: str
    path: Path
    results: list[dict[str, Any]]


class ResultBuffer:
    def __init__(self, directory: Path, max_results: int = 100_000) -> None:
        self.directory = directory
        self.max_results = max_results
        self.dropped = 0
        directory.mkdir(parents=True, exist_ok=True)
        self._sizes: dict[Path, int] = {}
        for path in self._files():
            try:
                self._sizes[path] = len(json.loads(path.read_text())["results"])
            except (OSError, ValueError, KeyError):
                log.warning("unreadable result batch %s set aside", path)
                path.rename(path.with_suffix(".bad"))

    def _files(self) -> list[Path]:
        # Names start with the time in nanoseconds: sorted is oldest first.
        return sorted(self.directory.glob("*.json"))

    @property
    def waiting(self) -> int:
        return sum(self._sizes.values())

    def add(self, results: list[dict[str, Any]]) -> Batch:
        """Keep `results` on disk as a new batch; its id is fixed from now on."""
        batch_id = f"{time.time_ns():020d}-{secrets.token_hex(4)}"
        path = self.directory / f"{batch_id}.json"
        temporary = path.with_suffix(".tmp")
        with temporary.open("w") as handle:
            json.dump({"batch_id": batch_id, "results": results}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.rename(path)
        self._sizes[path] = len(results)
        self._bound()
        return Batch(batch_id, path, results)

    def _bound(self) -> None:
        while self.waiting > self.max_results and len(self._sizes) > 1:
            oldest = min(self._sizes)
            self.dropped += self._sizes.pop(oldest)
            oldest.unlink(missing_ok=True)
            log.error(
                "result buffer full (%d results): dropped the oldest batch, %d results in all",
                self.max_results,
                self.dropped,
            )

    def pending(self) -> list[Batch]:
        """Batches waiting, oldest first."""
        found: list[Batch] = []
        for path in self._files():
            if path not in self._sizes:
                continue
            data = json.loads(path.read_text())
            found.append(Batch(str(data["batch_id"]), path, list(data["results"])))
        return found

    def done(self, batch: Batch) -> None:
        self._sizes.pop(batch.path, None)
        batch.path.unlink(missing_ok=True)
