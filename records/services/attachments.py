"""Attaching documents to a case, and withdrawing a wrong one (issue 9 §1). Never an image or video: every file is
judged by its content (safeguard.uploads.refuse_imagery, then records.documents), whatever its name."""

import hashlib
import secrets
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from incidents.chronology import chronology_record
from incidents.errors import RuleBroken
from incidents.models import EntryKind
from incidents.services import lock_case, require_text
from safeguard.audit import audited_save
from safeguard.people import person_name
from safeguard.uploads import refuse_imagery

from .. import documents
from ..models import Attachment, AttachmentWithdrawal


def _checked_content(upload, confirm_no_child_images):
    """The upload's bytes and what they are, or a refusal beside the field it concerns."""
    if upload.size > documents.max_bytes():
        raise ValidationError({"file": documents.TOO_LARGE.format(limit=documents.max_bytes() // (1024 * 1024))})
    if not upload.size:
        raise ValidationError({"file": documents.EMPTY})
    try:
        detected = refuse_imagery(upload)  # first, before anything else reads the file
    except ValidationError as refused:
        raise ValidationError({"file": refused.error_list}) from None
    data = upload.read()
    inspection = documents.inspect(data, detected, upload.name)
    if inspection.has_pictures and not confirm_no_child_images:
        raise ValidationError(
            {"confirm_no_child_images": ValidationError(documents.PICTURES_NEED_CONFIRMATION, code="pictures")}
        )
    return data, inspection


@transaction.atomic
def attachment_add(*, actor, incident, upload, description, confirm_no_child_images=False):
    """Attach a document to an open case. An image or video is refused whatever its name; a document with pictures
    inside needs `confirm_no_child_images`, which is recorded as the uploader's, with the time."""
    description = require_text(description, "Please say what this document is.")
    case = lock_case(actor=actor, incident=incident)
    data, inspection = _checked_content(upload, confirm_no_child_images)
    now = timezone.now()
    attachment = Attachment(
        incident=case,
        description=description,
        # Only a label: the file is stored under a random name, so no one's choice of name reaches the disk.
        original_name=PurePath(upload.name or "document").name[:255],
        stored_name=secrets.token_hex(16),
        kind=inspection.kind,
        content_type=inspection.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        has_pictures=inspection.has_pictures,
        no_child_images_confirmed_by=actor if inspection.has_pictures else None,
        no_child_images_confirmed_at=now if inspection.has_pictures else None,
        uploaded_by=actor,
        uploaded_at=now,
    )
    audited_save(attachment, actor=actor, reason="Document attached", at=now)
    text = f"Document attached: {description} ({attachment.original_name})."
    if inspection.has_pictures:
        text += f" It has pictures inside; {person_name(actor)} confirmed that none shows a child."
    chronology_record(incident=case, author=actor, kind=EntryKind.NOTE, text=text, recorded_at=now)
    # Written last, once every check has passed and the rows are in place.
    documents.attachment_storage().save(attachment.stored_name, ContentFile(data))
    return attachment


@transaction.atomic
def attachment_withdraw(*, actor, attachment, reason):
    """Withdraw a document attached by mistake, with the reason. It is not deleted: it stays stored and listed."""
    reason = require_text(reason, "Please say why this document is being withdrawn.")
    case = lock_case(actor=actor, incident=attachment.incident)
    attachment = Attachment.objects.get(pk=attachment.pk, incident=case)
    if AttachmentWithdrawal.objects.filter(attachment=attachment).exists():
        raise RuleBroken("This document has already been withdrawn.")
    withdrawal = audited_save(
        AttachmentWithdrawal(attachment=attachment, reason=reason, withdrawn_by=actor),
        actor=actor,
        reason="Document withdrawn",
    )
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.NOTE,
        text=f"Document withdrawn: {attachment.description} ({attachment.original_name}). Reason: {reason}",
    )
    return withdrawal
