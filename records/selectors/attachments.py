"""Reading a case's documents. The case itself is always found first through the scoped case selector."""

from django.shortcuts import get_object_or_404

from ..models import Attachment


def attachments_for_case(case):
    """The case's documents, withdrawn ones included (they stay on the record), oldest first, in one query."""
    return Attachment.objects.filter(incident=case).select_related(
        "uploaded_by", "no_child_images_confirmed_by", "withdrawal__withdrawn_by"
    )


def get_attachment_for_case_or_404(case, pk):
    """One document of `case` (already found through the scoped selector); 404 when it belongs to another case."""
    return get_object_or_404(Attachment.objects.select_related("withdrawal"), pk=pk, incident=case)
