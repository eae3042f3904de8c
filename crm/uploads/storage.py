"""A file is written to storage by the write that records it (`upload_store`, inside that write's transaction) and
lives exactly as long as that write: when the transaction does not commit (a later check refuses the write, the
database refuses a row, a savepoint around it rolls back) the file is deleted again once the transaction is over
(`uploads_discard_uncommitted`, run at the end of every request), so storage holds no file no row names (ADR 0047).
A process that dies before its transaction ends cannot delete anything: `uploads_sweep` (beat, every hour) deletes
the files in the upload fields' folders that no row names once they are older than any write's transaction can be.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from asgiref.local import Local
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

logger = logging.getLogger(__package__)  # "crm.uploads": one logger for the package


@dataclass(frozen=True)
class _UploadField:
    model: type[models.Model]
    field: str
    folder: str  # the fixed start of the field's upload_to: every file the field stores is under it


_upload_fields: list[_UploadField] = []


def upload_field_register(model: type[models.Model], field: str) -> None:
    """Declare that `model.field` stores uploads (through upload_store): its folder in storage is swept by
    uploads_sweep. Called by the app that owns the model, in its ready()."""
    upload_to = model._meta.get_field(field).upload_to
    folder = ""
    if isinstance(upload_to, str):  # the folders before the first strftime code ("evidence/%Y/%m/": evidence)
        fixed, code, _rest = upload_to.partition("%")
        folder = fixed.rpartition("/")[0] if code else fixed.rstrip("/")
    if not folder:  # the sweep would read the whole storage as this field's
        raise ImproperlyConfigured(f"{model.__name__}.{field}'s upload_to must start with a folder of its own.")
    entry = _UploadField(model=model, field=field, folder=folder)
    if entry not in _upload_fields:
        _upload_fields.append(entry)


@dataclass(frozen=True, eq=False)  # each stored file is its own entry, found by identity
class _StoredFile:
    storage: Storage
    name: str
    using: str


# Per connection, as Django's own connections are (an asgiref Local): the files written by writes whose transaction
# has not committed yet.
_uncommitted = Local()


def _uncommitted_files() -> set[_StoredFile]:
    if not hasattr(_uncommitted, "files"):
        _uncommitted.files = set()
    return _uncommitted.files


def upload_store(field_file: FieldFile, upload: UploadedFile, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Write `upload` (named by upload_accept) to storage as the unsaved row's `field_file`, inside the write's
    transaction on `using`. The file is kept when that transaction commits; when it does not, the file is deleted
    by uploads_discard_uncommitted once the transaction is over."""
    if not connections[using].in_atomic_block:
        # In autocommit the row's INSERT would be a transaction of its own, after the file is kept.
        raise transaction.TransactionManagementError("upload_store writes a file inside its row's transaction.")
    if not any(entry.model._meta.get_field(entry.field) is field_file.field for entry in _upload_fields):
        # The sweep would never look at its folder: a file a dead process left there would stay for good.
        raise ImproperlyConfigured(f"{field_file.field} stores uploads: register it with upload_field_register.")
    field_file.save(upload.name, upload, save=False)
    stored = _StoredFile(storage=field_file.storage, name=field_file.name, using=using)
    files = _uncommitted_files()
    files.add(stored)
    # Django runs this only if the transaction (and every savepoint the file was written in) commits.
    transaction.on_commit(lambda: files.discard(stored), using=using)


def uploads_discard_uncommitted(**_signal) -> None:
    """Delete the files whose write's transaction is over and did not commit (its on_commit never ran). A file whose
    transaction is still open stays until the next call. Run when a request finishes (crm.apps); anything else that
    stores uploads outside a request (a command, a task) calls it when its transaction is over."""
    files = _uncommitted_files()
    for stored in [stored for stored in files if not connections[stored.using].in_atomic_block]:
        files.discard(stored)
        try:
            stored.storage.delete(stored.name)
        except OSError:  # storage unreachable: an orphan left behind, never a failed request
            logger.exception("could not delete the uncommitted upload %s", stored.name)


# -- files no row names, left by a process that died inside its write (ADR 0047) ---------------------------------

# Older than any write's transaction can be: a request's ends with the request (gunicorn's timeout), the longest
# command's (the demo seed) within minutes. A younger file may belong to a write still open; it is left alone.
ORPHAN_MIN_AGE = timedelta(days=1)
# How many stored names one query asks about.
_SWEEP_BATCH = 500


def _stored_names(storage: Storage, folder: str) -> Iterator[str]:
    """Every file under `folder` in `storage`, through the Storage API (a bucket's storage lists its keys)."""
    folders = [folder]
    while folders:
        current = folders.pop()
        try:
            subfolders, files = storage.listdir(current)
        except FileNotFoundError:  # nothing stored there yet
            continue
        folders.extend(f"{current}/{name}" for name in subfolders)
        yield from (f"{current}/{name}" for name in files)


def _older_than(storage: Storage, name: str, cutoff: datetime) -> bool:
    try:
        return storage.get_modified_time(name) < cutoff
    except FileNotFoundError:  # deleted meanwhile (a sweep beside this one)
        return False


def uploads_sweep(*, now: datetime | None = None) -> int:
    """Delete the files under the upload fields' folders that no row of those fields names and that are older than
    ORPHAN_MIN_AGE: uploads whose write never committed and whose process died before uploads_discard_uncommitted
    could run (or whose delete failed). Answers how many it deleted; a second run finds none of them."""
    cutoff = (now or timezone.now()) - ORPHAN_MIN_AGE
    deleted = 0
    for storage, folder in {
        (entry.model._meta.get_field(entry.field).storage, entry.folder) for entry in _upload_fields
    }:
        names = [name for name in _stored_names(storage, folder) if _older_than(storage, name, cutoff)]
        for start in range(0, len(names), _SWEEP_BATCH):
            batch = names[start : start + _SWEEP_BATCH]
            named = {
                name
                for entry in _upload_fields
                for name in entry.model._default_manager.filter(**{f"{entry.field}__in": batch}).values_list(
                    entry.field, flat=True
                )
            }
            for name in batch:
                if name in named:
                    continue
                try:
                    storage.delete(name)
                except OSError:  # storage unreachable: the next sweep tries again
                    logger.exception("could not delete the orphaned upload %s", name)
                    continue
                deleted += 1
    if deleted:
        logger.info("deleted %d uploads no row names", deleted)
    return deleted
