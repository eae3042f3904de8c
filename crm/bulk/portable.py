"""The same bulk writes through the ORM, row by row, for databases other than PostgreSQL (the embedded SQLite).

Correct and slow (a few hundred rows a second), which is what a one-machine demo needs. SQLite lets one writer
in at a time, so there is nothing to lock by name.
"""

from django.db import IntegrityError, transaction

from crm.bulk.spec import Reservation, Upsert, UpsertResult, default_of


def insert_returning(model, rows: list[dict]) -> list[tuple]:
    made = model.objects.bulk_create([model(**row) for row in rows])
    if "external_id" in rows[0]:
        return [(obj.pk, obj.external_id) for obj in made]
    return [(obj.pk,) for obj in made]


def copy_rows(model, rows: list[dict], *, ids: bool, same: dict) -> list[int]:
    made = model.objects.bulk_create([model(**row, **same) for row in rows], batch_size=500)
    return [obj.pk for obj in made] if ids else []


def insert_ignoring_conflicts(model, rows: list[dict]) -> int:
    inserted = 0
    for row in rows:
        try:
            with transaction.atomic():
                model.objects.create(**row)
            inserted += 1
        except IntegrityError:
            continue
    return inserted


def insert_new(model, rows: list[dict], *, key: tuple[str, ...]) -> dict[tuple, int]:
    inserted = {}
    for row in sorted(rows, key=lambda r: tuple(r[k] for k in key)):
        key_values = tuple(row[k] for k in key)
        if not model.objects.filter(**dict(zip(key, key_values, strict=True))).exists():
            inserted[key_values] = model.objects.create(**row).pk
    return inserted


def existing(model, *, fields: tuple[str, ...], keys: list[tuple], where: dict) -> set[tuple]:
    wanted = set(keys)
    candidates = model.objects.filter(**where, **{f"{f}__in": {key[i] for key in keys} for i, f in enumerate(fields)})
    return {row for row in candidates.values_list(*fields) if row in wanted}


def update_rows(model, rows: list[tuple], *, fields: list[str], match: list[str]) -> None:
    stamped = any(f.attname == "updated_at" for f in model._meta.concrete_fields)
    for pk, *values in rows:
        changes = dict(zip(fields, values[: len(fields)], strict=True))
        if stamped:
            changes["updated_at"] = default_of(model._meta.get_field("updated_at"))
        model.objects.filter(pk=pk, **dict(zip(match, values[len(fields) :], strict=True))).update(**changes)


def upsert(spec: Upsert, rows: list[dict], *, now) -> dict[tuple, UpsertResult]:
    model, found = spec.model, {}
    for row in sorted(rows, key=lambda r: tuple(r[k] for k in spec.key)):
        key = tuple(row[k] for k in spec.key)
        stored = model.objects.filter(**dict(zip(spec.key, key, strict=True))).first()
        if stored is None:
            values = {name: spec.normalised(name, value) for name, value in row.items()}
            if promote := spec.promote:
                values[promote.field] = promote.initial if values[promote.when_known] is None else promote.promoted
            pk = model.objects.create(**values).pk
            # auto_now stamps take the clock at save(): set them to the batch's moment, as PostgreSQL's path does.
            model.objects.filter(pk=pk).update(**{stamp: now for stamp in {spec.touch, spec.created} - {""}})
            found[key] = UpsertResult(pk, True, True)
            continue
        wanted = {name: spec.merged(name, row[name], getattr(stored, name)) for name in spec.compared}
        changed = any(getattr(stored, name) != value for name, value in wanted.items())
        if changed:
            if promote := spec.promote:
                moves = getattr(stored, promote.field) == promote.initial and wanted[promote.when_known] is not None
                wanted[promote.field] = promote.promoted if moves else getattr(stored, promote.field)
            if spec.touch:
                wanted[spec.touch] = now
            model.objects.filter(pk=stored.pk).update(**wanted)
        found[key] = UpsertResult(stored.pk, False, changed)
    return found


def reserve(spec: Upsert, rows: list[dict], *, now) -> Reservation:
    # One writer at a time here: the rows are upserted now, their tracked values read just before.
    stored = {}
    if spec.tracked:
        for row in rows:
            key = tuple(row[k] for k in spec.key)
            values = spec.model.objects.filter(**dict(zip(spec.key, key, strict=True))).values(*spec.tracked).first()
            if values is not None:
                stored[key] = values
    found = upsert(spec, rows, now=now)
    before = {key: values for key, values in stored.items() if found[key].changed}
    return Reservation({key: result.id for key, result in found.items()}, [], before)


def lock_names(names: list[str]) -> None:
    return None


def estimated_count(queryset) -> int:
    # The embedded SQLite holds a demo's few thousand rows: its count is the estimate.
    return queryset.count()
