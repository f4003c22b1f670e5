"""The audit trail: every history row names a person, and every opening of a record is logged."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint
from django.db.models.signals import pre_save
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_create_with_history

from .models import AccessLog


class MissingActor(RuntimeError):
    """A change to an audited model was attempted without saying who made it."""


@receiver(pre_create_historical_record)
def _refuse_anonymous_history(sender, history_instance, **kwargs):
    # Services set _history_user themselves (request middleware does not run in Celery or commands), so a
    # history row without a person means some path skipped its service: refuse the whole change.
    if history_instance.history_user_id is None:
        raise MissingActor(f"A change to {sender.__name__} must name the person making it.")


@receiver(pre_save)
def _refuse_anonymous_save(sender, instance, raw=False, **kwargs):
    # The check above runs after the row is written, so outside a transaction (a shell, a script) the change
    # would stay. Checking before the write too means an unattributed change is never written at all.
    if raw or not hasattr(sender._meta, "simple_history_manager_attribute"):
        return
    if hasattr(instance, "skip_history_when_saving"):
        return
    if getattr(instance, "_history_user", None) is None:
        raise MissingActor(f"A change to {sender.__name__} must name the person making it.")


def _related_in_hand(instance):
    """Foreign keys whose related object is already loaded and saved: it exists, so validating the key again
    would only cost a query per key per save (the database still enforces every key)."""
    names = []
    for field in instance._meta.concrete_fields:
        if field.is_relation and field.is_cached(instance):
            related = field.get_cached_value(instance)
            if related is not None and related.pk is not None and not related._state.adding:
                names.append(field.name)
    return names


def _validate_unique_constraints(instance):
    """Model.validate_constraints(), less the check constraints: the database enforces those on every write, and
    the services refuse what they forbid with a message first (asking the database again costs a savepoint and a
    query per constraint per save)."""
    errors = {}
    for model, constraints in instance.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, CheckConstraint):
                continue
            try:
                constraint.validate(model, instance)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def validate(instance, update_fields=None):
    """Model.full_clean(), less the existence check of related objects already in hand and of fields that an update
    leaves as they were, and less the check constraints (above); uniqueness is still checked against the database,
    so a refusal names its field."""
    unchanged = set()
    if update_fields is not None:
        unchanged = {f.name for f in instance._meta.concrete_fields} - {
            instance._meta.get_field(name).name for name in update_fields
        }
    errors = {}
    steps = [
        lambda: instance.clean_fields(exclude=set(_related_in_hand(instance)) | unchanged),
        instance.clean,
        instance.validate_unique,
        lambda: _validate_unique_constraints(instance),
    ]
    for step in steps:
        try:
            step()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def audited_save(instance, *, actor, reason, update_fields=None, at=None):
    """Validate and save an audited model, recording who made the change and why.

    `at` dates the history row; it is given only when the demo or a test seeds a back-dated record.
    """
    validate(instance, update_fields)
    instance._history_user = actor
    instance._change_reason = reason
    if at is not None:
        instance._history_date = at
    try:
        instance.save(update_fields=update_fields)
    finally:
        # Forget who, why and when, so a later plain save() of the same object cannot borrow this attribution.
        del instance._history_user, instance._change_reason
        instance.__dict__.pop("_history_date", None)
    return instance


def audited_bulk_create(model, instances, *, actor, reason, at=None):
    """Create several new rows of an audited model in two statements (rows, then their history), each history row
    naming `actor`. Fields are validated as audited_save does; uniqueness is left to the database's constraints,
    since the rows are the service's own (one alert per member of the team, say), not a person's input. `at` dates
    the history rows, as for audited_save."""
    instances = list(instances)
    for instance in instances:
        instance.clean_fields(exclude=_related_in_hand(instance))
        instance.clean()
    if not instances:
        return []
    return bulk_create_with_history(instances, model, default_user=actor, default_change_reason=reason, default_date=at)


def log_access(*, user, obj, action=AccessLog.Action.VIEW, school=None):
    """Record that `user` opened `obj`. Every detail view and download calls this."""
    return AccessLog.objects.create(
        user=user,
        school=school,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        action=action,
    )


def log_access_list(*, user, objects, action=AccessLog.Action.VIEW, school=None):
    """Record that `user` was shown each of `objects` in a list: one row each, written in one query."""
    objects = list(objects)
    if not objects:
        return []
    content_type = ContentType.objects.get_for_model(objects[0], for_concrete_model=False)
    return AccessLog.objects.bulk_create(
        AccessLog(user=user, school=school, content_type=content_type, object_id=str(obj.pk), action=action)
        for obj in objects
    )
