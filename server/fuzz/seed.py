#!/usr/bin/env python3
"""Writes seed inputs for every fuzz target from tests/fixtures/**/*.yml into corpus/<target>/.

Run it once before fuzzing from scratch; the committed corpora were seeded this way and then
grown and minimised by `cargo fuzz run` and `cargo fuzz cmin`.
"""

import hashlib
import pathlib
import random
import re

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "tests" / "fixtures"


def kind_byte(text: str) -> int:
    """0 workflow, 1 action, 2 GitLab: the order of support::KINDS."""
    if "runs:" in text and "jobs:" not in text:
        return 1
    if re.search(r"^\s+script:", text, re.M):
        return 2
    return 0


def write(target: str, data: bytes) -> None:
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def edit_script(rng: random.Random, length: int) -> bytes:
    script = bytearray()
    for _ in range(rng.randint(1, 8)):
        start = rng.randint(0, max(length, 1))
        script += bytes([rng.randint(0, 1), start & 0xFF, (start >> 8) & 0xFF, rng.randint(0, 6)])
        if rng.random() < 0.7:
            script.append(0x80 | rng.randint(0, 0x7F))
        else:
            raw = rng.choice([b"x", b": ", b"\n  ", b"'", b"${{"])
            script += bytes([len(raw)]) + raw
    return bytes(script)


def main() -> None:
    rng = random.Random(4)
    for path in sorted(FIXTURES.rglob("*.yml")):
        data = path.read_bytes()
        text = data.decode("utf-8", errors="replace")
        kind = kind_byte(text)
        write("findings", data)
        write("code_actions", bytes([kind]) + data)
        for line in text.splitlines():
            if "${{" in line:
                write("expressions", bytes([rng.randint(0, 255)]) + line.encode())
        for _ in range(2):
            write("incremental_edits", data + b"\xff" + bytes([kind]) + edit_script(rng, len(data)))


if __name__ == "__main__":
    main()
