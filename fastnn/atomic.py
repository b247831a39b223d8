"""Atomic file replacement: write to a fresh temporary file in the target's directory, then rename
it over the target, so a crash, a kill or a full disk never leaves a half-written file in place of
a good one.

    with replacing(path) as f:   # f is a binary file object; on success it becomes `path`
        f.write(...)

The temporary file is made with O_EXCL (mkstemp), so a symlink planted under its name is never
followed; its name carries the writer's process id, so temporaries of processes that were killed
(SIGKILL leaves no chance to clean up) are recognised and removed by the next write. The result
gets the permissions a plain open() would give (0666 less the umask), not mkstemp's 0600.
"""
import contextlib
import os
import tempfile

TEMP_PREFIX = ".fastnn-tmp-"


@contextlib.contextmanager
def replacing(path, text=False):
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):  # else mkstemp's error names a temporary file the user never chose
        raise FileNotFoundError(f"cannot write {path!r}: the directory {directory!r} does not exist; create it first.")
    remove_stale_temporaries(directory)
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=directory)
    try:
        with os.fdopen(fd, "w" if text else "wb", **({"newline": ""} if text else {})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_stale_temporaries(directory):
    """Delete temporaries whose writing process no longer exists."""
    try:
        names = [n for n in os.listdir(directory) if n.startswith(TEMP_PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(TEMP_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        try:
            os.unlink(os.path.join(directory, name))
        except OSError:
            pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True
