"""A case's documents: attach one, download one (every download is in the access log), withdraw a wrong one."""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe

from incidents.models import CaseState
from incidents.views.common import case_for, form_page
from safeguard import policy
from safeguard.access import capability_required
from safeguard.audit import listed, shown
from safeguard.models import AccessLog

from .. import documents
from ..documents import attachment_storage
from ..forms.attachments import AttachmentForm, AttachmentWithdrawForm
from ..models import Attachment
from ..selectors.attachments import attachments_for_case, get_attachment_for_case_or_404
from ..services import attachments as services


def _list_url(case):
    return reverse("records:attachment_list", kwargs={"pk": case.pk})


@capability_required("read_case")
def attachment_list(request, pk):
    case = case_for(request, pk)
    attachments = list(attachments_for_case(case))
    listed(request, Attachment, [attachment.pk for attachment in attachments])
    can_attach = policy.can(request.roles, "work_cases") and case.state != CaseState.CLOSED
    return render(
        request, "records/attachments/list.html", {"case": case, "attachments": attachments, "can_attach": can_attach}
    )


class _SizeLimit(FileUploadHandler):
    """Stops taking an upload once it passes the size limit: a far larger file is dropped as it arrives, never kept
    in memory or on disk, and the page says it is too large."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > documents.max_bytes():
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)  # read the rest of the request, keeping none of it
        return raw_data

    def file_complete(self, file_size):
        return None  # the handlers after this one keep the file


@csrf_exempt  # checked in _attachment_add: the check reads the form, and the size limit must come first
@capability_required("work_cases")
def attachment_add(request, pk):
    request.upload_handlers.insert(0, _SizeLimit(request))
    return _attachment_add(request, pk)


@csrf_protect
def _attachment_add(request, pk):
    case = case_for(request, pk)
    posted = request.method == "POST"  # a dropped upload may leave nothing else posted: still a post
    form = AttachmentForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        too_large=getattr(request, "upload_too_large", False),
    )

    def perform(data):
        return services.attachment_add(
            actor=request.user,
            incident=case,
            upload=data["file"],
            description=data["description"],
            confirm_no_child_images=data["confirm_no_child_images"],
        )

    return form_page(
        request,
        case,
        form,
        perform,
        "records/attachments/add.html",
        lambda attachment: f"Attached: {attachment.description}.",
        then=_list_url(case),
    )


@require_safe
@capability_required("read_case")
def attachment_download(request, pk, attachment_pk):
    case = case_for(request, pk)
    attachment = get_attachment_for_case_or_404(case, attachment_pk)
    try:
        file = attachment_storage().open(attachment.stored_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    shown(request, Attachment, [attachment.pk], action=AccessLog.Action.DOWNLOAD)
    # Always saved, never shown in the browser, and never read as anything but the type its content was found to be.
    response = FileResponse(
        file, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@capability_required("work_cases")
def attachment_withdraw(request, pk, attachment_pk):
    case = case_for(request, pk)
    attachment = get_attachment_for_case_or_404(case, attachment_pk)
    form = AttachmentWithdrawForm(request.POST or None)

    def perform(data):
        return services.attachment_withdraw(actor=request.user, attachment=attachment, reason=data["reason"])

    return form_page(
        request,
        case,
        form,
        perform,
        "records/attachments/withdraw.html",
        f"Withdrawn: {attachment.description}. It stays listed on the case.",
        then=_list_url(case),
        attachment=attachment,
    )
