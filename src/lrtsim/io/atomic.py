"""Atomic output: a file or a whole folder appears complete or not at all, never half-written.

One rule for every command: missing parent folders are created; any OS error becomes an
`OutputError` naming the path and the reason. A file is written to a temporary file beside it and
renamed into place; a folder is built as a temporary sibling and swapped in, so that it never
mixes one run's files with another's.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from lrtsim.errors import LrtsimError

MANIFEST = ".lrtsim-output.json"
"""Written into every folder lrtsim builds: which command wrote it and which files it holds."""


class OutputError(LrtsimError):
    """An output cannot be written (bad path, no permission, refused overwrite)."""


class OverwriteError(OutputError):
    """A target that exists, refused: its message names the request that would (or would not)
    replace it as `option` — the Python argument here; a caller (the CLI) names its own flag
    with `naming`."""

    def __init__(self, before: str, option: str, after: str) -> None:
        self.before, self.option, self.after = before, option, after
        super().__init__(f"{before}{option}{after}")

    def naming(self, option: str) -> OverwriteError:
        """The same refusal, naming `option` as the request."""
        return OverwriteError(self.before, option, self.after)


def write_bytes_atomic(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one, never half.

    `overwrite=False` refuses an existing file (`OverwriteError`).
    """
    path = Path(path)
    check_file_target(path, overwrite=overwrite)
    folder = _make_parent(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_file_target(path: Path, *, overwrite: bool = True) -> None:
    """Refuse, before any work, a file target `write_bytes_atomic` would refuse: a folder, or an
    existing file when `overwrite` is False (`OverwriteError`)."""
    path = Path(path)
    try:
        is_folder = path.is_dir()
        exists = path.exists() or path.is_symlink()
    except OSError as exc:  # e.g. a parent folder the user may not search
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    if not path.name or is_folder:
        raise OutputError(f"cannot write {path}: it is a folder; give a file name")
    if not overwrite and exists:
        raise OverwriteError(f"{path} already exists; use ", "overwrite=True", " to replace it")


def write_text_atomic(path: Path, text: str, *, overwrite: bool = True) -> None:
    """Text version of `write_bytes_atomic` (UTF-8)."""
    write_bytes_atomic(path, text.encode("utf-8"), overwrite=overwrite)


def check_folder_target(folder: Path, *, force: bool = False, inputs: Sequence[Path] = ()) -> None:
    """Refuse, before any work, a target `write_folder_atomic` would refuse.

    A folder may be replaced when it is absent, empty, or was written by lrtsim and holds only
    its files (its manifest says which); a folder of other files needs `force`. Never replaced,
    even with `force`: a folder that holds folders (lrtsim's outputs are flat, so it is not one),
    the file-system root, the home folder, and the working folder or any folder above it or
    above the home folder, and a folder that holds one of the `inputs` the command reads.
    """
    folder = Path(folder)
    try:
        is_link, exists, is_folder = folder.is_symlink(), folder.exists(), folder.is_dir()
    except OSError as exc:  # e.g. a parent folder the user may not search
        raise OutputError(f"cannot write the folder {folder}: {_reason(exc)}") from None
    if is_link:
        raise OutputError(f"cannot write the folder {folder}: it is a symbolic link; give a folder")
    if exists and not is_folder:
        raise OutputError(f"cannot write the folder {folder}: a file is in the way")
    if not exists:
        return
    target = folder.resolve()
    for kept, what in ((Path.cwd().resolve(), "the working folder"), (_home(), "your home folder")):
        if target == kept or target in kept.parents:
            raise OutputError(
                f"cannot write the folder {folder}: it is or holds {what}; give a new folder"
            )
    for path in inputs:
        if target in Path(path).resolve().parents:
            raise OutputError(
                f"cannot write the folder {folder}: it holds {path}, which this command reads; "
                "give another folder"
            )
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise OutputError(f"cannot read the folder {folder}: {_reason(exc)}") from None
    folders = [p.name for p in entries if p.is_dir() and not p.is_symlink()]
    if folders:
        raise OverwriteError(
            f"{folder} holds folders ({_names(folders)}), so lrtsim did not write it and will not "
            "replace it, even with ",
            "force=True",
            "; give another folder",
        )
    foreign = [p.name for p in entries if p.name not in _manifest_files(folder)]
    if foreign and not force:
        raise OverwriteError(
            f"{folder} holds files lrtsim did not write ({_names(foreign)}); give another "
            "folder, or ",
            "force=True",
            " to replace the whole folder",
        )


def _names(names: list[str]) -> str:
    """The first five names, and how many more."""
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return ", ".join(names[:5]) + more


def _home() -> Path:
    """The home folder; the root when it cannot be told (so that nothing above it is replaced)."""
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):
        return Path("/")


def write_folder_atomic(
    folder: Path,
    files: Mapping[str, bytes],
    *,
    command: str,
    force: bool = False,
    inputs: Sequence[Path] = (),
) -> None:
    """Write `files` (name → bytes) as the folder `folder`, replacing what was there as a whole.

    The files are written into a temporary sibling, which is then renamed to `folder`; an earlier
    folder is moved aside first and deleted last. So the folder holds this run's files and no
    other, or (if anything fails) is left as it was.
    """
    folder = Path(folder)
    check_folder_target(folder, force=force, inputs=inputs)
    parent = _make_parent(folder)
    manifest = {"tool": "lrtsim", "command": command, "files": sorted(files)}
    try:
        build = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write the folder {folder}: {_reason(exc)}") from None
    old: Path | None = None
    swapped = False
    try:
        for name, data in {**files, MANIFEST: _json_bytes(manifest)}.items():
            write_bytes_atomic(build / name, data)
        os.chmod(build, 0o777 & ~_UMASK)
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=parent))
            os.replace(folder, old / folder.name)
        os.replace(build, folder)
        swapped = True
    except BaseException as exc:  # Ctrl-C included: the earlier folder goes back in place
        kept = _put_back(folder, old)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write the folder {folder}: {_reason(exc)}{kept}") from None
        raise
    finally:
        shutil.rmtree(build, ignore_errors=True)
        # The earlier folder is deleted only once the new one stands in its place.
        if old is not None and (swapped or not (old / folder.name).exists()):
            shutil.rmtree(old, ignore_errors=True)


def _put_back(folder: Path, old: Path | None) -> str:
    """Move the earlier folder back from `old` after a failed swap; '' or where it was kept."""
    if old is None or not (old / folder.name).exists():
        return ""
    if not folder.exists():
        try:
            os.replace(old / folder.name, folder)
            return ""
        except OSError:
            pass
    return f"; the earlier folder is kept at {old / folder.name}"


def _manifest_files(folder: Path) -> set[str]:
    """Names an lrtsim manifest in `folder` accounts for (empty when there is none)."""
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
        names = data["files"] if data.get("tool") == "lrtsim" else []
        return {str(n) for n in names} | {MANIFEST}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _make_parent(path: Path) -> Path:
    """The folder `path` goes into, created with its parents when missing."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot write {path}: {folder} is a file, not a folder") from None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: cannot create {folder}: {_reason(exc)}") from None
    return folder


def _reason(exc: OSError) -> str:
    """An OS error in words, without Python's `[Errno N]` prefix."""
    return (exc.strerror or str(exc)).lower()


def _json_bytes(payload: object) -> bytes:
    return (json.dumps(payload, indent=2) + "\n").encode("utf-8")


def _read_umask() -> int:
    """The process umask (read once, at import, by setting it and putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()
"""Files are created with the permissions the user's umask gives (mkstemp makes them 0600)."""
