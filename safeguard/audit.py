"""The audit trail: every history row names a person, and every opening of a record is logged."""

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_create_with_history

from .models import AccessLog


class MissingActor(RuntimeError):
    """A change to an audited model was attempted without saying who made it."""


ACCOUNT_CREATED_ELSEWHERE = "Account created outside Safeguard's pages (a command or the shell)"


@receiver(pre_create_historical_record)
def _refuse_anonymous_history(sender, instance, history_instance, **kwargs):
    # Services set _history_user themselves (request middleware does not run in Celery or commands), so a
    # history row without a person means some path skipped its service: refuse the whole change.
    if history_instance.history_user_id is None and instance.__dict__.get("_created_by_itself"):
        history_instance.history_user = instance
        history_instance.history_change_reason = ACCOUNT_CREATED_ELSEWHERE
    if history_instance.history_user_id is None:
        raise MissingActor(f"A change to {sender.__name__} must name the person making it.")


def _changes_nothing_recorded(sender, instance, update_fields):
    """True when a save changes only fields its history leaves out (an account's password, its last sign-in)."""
    excluded = set(getattr(sender, sender._meta.simple_history_manager_attribute).model._history_excluded_fields)
    if not excluded or instance._state.adding:
        return False
    if update_fields is not None:
        return set(update_fields) <= excluded
    recorded = [f.attname for f in sender._meta.concrete_fields if f.name not in excluded]
    stored = sender._base_manager.filter(pk=instance.pk).values(*recorded).first()
    return stored is not None and all(stored[name] == getattr(instance, name) for name in recorded)


@receiver(pre_save)
def _refuse_anonymous_save(sender, instance, raw=False, update_fields=None, **kwargs):
    # The check above runs after the row is written, so outside a transaction (a shell, a script) the change
    # would stay. Checking before the write too means an unattributed change is never written at all.
    if raw or not hasattr(sender._meta, "simple_history_manager_attribute"):
        return
    if hasattr(instance, "skip_history_when_saving") or getattr(instance, "_history_user", None) is not None:
        return
    if _changes_nothing_recorded(sender, instance, update_fields):
        # A person changing their own password, or signing in: nothing the history keeps has changed.
        instance.skip_history_when_saving = instance._skipped_by_audit = True
        return
    if sender is User and instance._state.adding:
        # The first administrator comes from `createsuperuser`, with no one to name but the account itself.
        instance._created_by_itself = True
        return
    raise MissingActor(f"A change to {sender.__name__} must name the person making it.")


@receiver(post_save)
def _forget_skip(sender, instance, **kwargs):
    # Only this save skipped its history; the next save of the same object is judged afresh.
    if instance.__dict__.pop("_skipped_by_audit", False):
        del instance.skip_history_when_saving
    instance.__dict__.pop("_created_by_itself", None)


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


def log_access(*, user, school, records, page=""):
    """Record that `user` saw each of `records` ((model, primary key, AccessLog.Action) triples): one row each, in
    one query."""
    return AccessLog.objects.bulk_create(
        AccessLog(
            user=user,
            school=school,
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id=str(pk),
            action=action,
            page=page[: AccessLog._meta.get_field("page").max_length],
        )
        for model, pk, action in records
    )


SHOWN_ATTR = "_safeguard_records_shown"


def shown(request, model, pks, action=AccessLog.Action.VIEW):
    """Note that this page shows the records `pks` of `model`: opened (VIEW), or as lines of a list (LIST).

    AccessLogMiddleware logs every record a page noted, once each, when the page is answered. The helpers that
    find a case for a page (incidents.views.common.case_for) note it as they hand it over, so no page of a case
    can skip the log; lists note the rows they show.
    """
    noted = request.__dict__.setdefault(SHOWN_ATTR, {})
    for pk in pks:
        if noted.get((model, pk)) != AccessLog.Action.VIEW:  # opened and listed on one page: it was opened
            noted[(model, pk)] = action


def listed(request, model, pks):
    """Note that this page lists the records `pks` of `model` (see shown)."""
    shown(request, model, pks, action=AccessLog.Action.LIST)


def log_shown(request, response):
    """Log what the page noted as shown, if it was shown: not for an error, whose page shows no record."""
    noted = request.__dict__.pop(SHOWN_ATTR, None)
    if noted and response.status_code < 400 and request.user.is_authenticated:
        records = [(model, pk, action) for (model, pk), action in noted.items()]
        log_access(user=request.user, school=getattr(request, "school", None), records=records, page=request.path)
