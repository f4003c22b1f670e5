"""Documents on a case, never imagery (issue 9 §1): every file is judged by its content, whatever its name; a
document with pictures inside needs the uploader's recorded confirmation; files are kept outside the web root,
downloaded only through a permission-checked view that logs each download, and never deleted or replaced.

Every file here is made by the test itself: the images and videos come from tests/test_uploads.py's builders
(Pillow, and containers written by hand), the documents from zipfile, email and a few lines of PDF.
"""

import email.message
import hashlib
import io
import zipfile
import zlib

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from incidents.errors import CasePermissionDenied, CaseReadOnly, RuleBroken
from incidents.models import EntryKind
from records import documents
from records.models import Attachment, AttachmentWithdrawal
from records.services.attachments import attachment_add, attachment_withdraw
from safeguard.models import AccessLog
from safeguard.roles import Role
from safeguard.uploads import IMAGERY_REFUSED
from tests.conftest import postgres_only
from tests.factories import make_case, member
from tests.test_uploads import IMAGERY, pillow

pytestmark = pytest.mark.django_db

TEXT = "Letter from children's social care, 3 March: the referral was accepted and a social worker allocated.\n"


# --- Documents, built here --------------------------------------------------------------------------------------


def docx(extra=None):
    """A small Word document; `extra` adds entries (a picture under word/media/, say)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", f'<?xml version="1.0"?><w:document><w:t>{TEXT}</w:t></w:document>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odt(extra=None):
    """A small OpenDocument text, with the first-page preview every word processor saves."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml", f'<?xml version="1.0"?><office:document-content>{TEXT}</office:document-content>'
        )
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
        archive.writestr("Thumbnails/thumbnail.png", pillow("PNG"))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def pdf(*objects):
    """A PDF of one page of text, plus `objects` (bytes, each written as it is)."""
    body = [
        b"1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj",
        b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj",
        b"3 0 obj <</Type /Page /Parent 2 0 R /Resources <</ProcSet [/PDF /Text /ImageB]>> /Contents 4 0 R>> endobj",
        stream(4, b"BT /F1 12 Tf 72 712 Td (Minutes of the strategy meeting) Tj ET"),
        *objects,
    ]
    return b"%PDF-1.7\n" + b"\n".join(body) + b"\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def stream(number, data, extra=b"", compress=True):
    content = zlib.compress(data) if compress else data
    flate = b"/Filter /FlateDecode " if compress else b""
    return (
        f"{number} 0 obj <<{flate.decode()}/Length {len(content)} ".encode()
        + extra
        + b">>\nstream\n"
        + content
        + b"\nendstream endobj"
    )


def eml(attachment=None, html=None):
    message = email.message.EmailMessage()
    message["From"] = "duty.officer@police.example"
    message["To"] = "dsl@school.example"
    message["Subject"] = "Referral received"
    message.set_content(TEXT)
    if html:
        message.add_alternative(html, subtype="html")
    if attachment:
        data, maintype, subtype, filename = attachment
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


IMAGE_XOBJECT = stream(5, b"\x00", extra=b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8")

ACCEPTED = {
    "pdf": ("minutes.pdf", pdf(), "pdf"),
    "pdf-uncompressed": ("letter.pdf", pdf(stream(6, b"BT (No pictures here) Tj ET", compress=False)), "pdf"),
    "docx": ("referral form.docx", docx(), "docx"),
    "odt": ("letter.odt", odt(), "odt"),
    "txt": ("notes.txt", TEXT.encode(), "txt"),
    "eml": ("police email.eml", eml(), "eml"),
    "eml-with-a-pdf": ("with minutes.eml", eml(attachment=(pdf(), "application", "pdf", "minutes.pdf")), "eml"),
}

WITH_PICTURES = {
    "docx-photo": ("report.docx", docx({"word/media/image1.jpeg": pillow("JPEG")}), "docx"),
    "docx-embedded-object": ("report.docx", docx({"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}), "docx"),
    "docx-picture-elsewhere": ("report.docx", docx({"customXml/item9.bin": pillow("PNG")}), "docx"),
    "odt-picture": ("letter.odt", odt({"Pictures/100000000000.png": pillow("PNG")}), "odt"),
    "pdf-image": ("scan.pdf", pdf(IMAGE_XOBJECT), "pdf"),
    "pdf-of-a-picture": ("scan.pdf", pillow("PDF"), "pdf"),  # a picture saved as a PDF by Pillow, as a scanner would
    "pdf-scanned-jpeg": ("scan.pdf", pdf(stream(5, pillow("JPEG"), b"/Filter /DCTDecode", compress=False)), "pdf"),
    "pdf-image-in-object-stream": (
        "scan.pdf",
        pdf(stream(7, b"<</Type /XObject /Subtype /Image /Width 1 /Height 1>>", b"/Type /ObjStm")),
        "pdf",
    ),
    "pdf-inline-image": ("scan.pdf", pdf(stream(8, b"q BI /W 1 /H 1 /CS /G /BPC 8 ID \x00 EI Q")), "pdf"),
    "pdf-escaped-name": ("scan.pdf", pdf(IMAGE_XOBJECT.replace(b"/Image", b"/Im#61ge")), "pdf"),
    "pdf-attached-file": (
        "scan.pdf",
        pdf(b"9 0 obj <</Type /EmbeddedFile /Length 0>> stream\n\nendstream endobj"),
        "pdf",
    ),
    "pdf-encrypted": ("locked.pdf", pdf(b"10 0 obj <</Filter /Standard /V 2>> endobj", b"/Encrypt 10 0 R"), "pdf"),
    "eml-photo": ("email.eml", eml(attachment=(pillow("JPEG"), "image", "jpeg", "IMG_0042.jpg")), "eml"),
    "eml-photo-as-octets": (
        "email.eml",
        eml(attachment=(pillow("PNG"), "application", "octet-stream", "file.bin")),
        "eml",
    ),
    "eml-html-picture": ("email.eml", eml(html='<p><img src="data:image/png;base64,iVBORw0KGgo="></p>'), "eml"),
    "txt-holding-an-email-with-a-photo": (
        "saved email.txt",
        eml(attachment=(pillow("JPEG"), "image", "jpeg", "IMG_0042.jpg")),
        "txt",
    ),
    "docx-of-thousands-of-parts": (
        "report.docx",
        docx({f"word/part{number}.xml": "<x/>" for number in range(documents.ZIP_ENTRY_LIMIT)}),
        "docx",
    ),
    "eml-docx-with-photo": (
        "email.eml",
        eml(attachment=(docx({"word/media/image1.png": pillow("PNG")}), "application", "octet-stream", "a.docx")),
        "eml",
    ),
}


def zipped(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


NOT_DOCUMENTS = {
    "spreadsheet": ("register.xlsx", zipped({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})),
    "zip-named-docx": ("report.docx", zipped({"notes.txt": TEXT})),
    "csv": ("register.csv", b"upn,first_name\nA1,Zoe\n"),
    "html": ("page.txt", b"<!DOCTYPE html><html><body>hello</body></html>"),
    "binary-named-txt": ("notes.txt", b"\x00\x01\x02 not text \x00"),
    "exe-named-pdf": ("letter.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
    "odp-named-odt": (
        "slides.odt",
        zipped({"mimetype": "application/vnd.oasis.opendocument.presentation", "content.xml": "<x/>"}),
    ),
}


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def attach(actor, case, name, data, confirm=False, description="Referral form to MASH"):
    return attachment_add(
        actor=actor,
        incident=case,
        upload=upload(name, data),
        description=description,
        confirm_no_child_images=confirm,
    )


def stored_files():
    root = django_settings.SAFEGUARD_ATTACHMENTS_ROOT
    return sorted(path.name for path in root.iterdir()) if root.exists() else []


# --- The service: what is refused, what needs confirming, what is accepted ------------------------------------


@pytest.mark.parametrize("name", ["{kind}-file.{ext}", "minutes.pdf", "referral form.docx"])
@pytest.mark.parametrize("kind", IMAGERY)
def test_an_image_or_video_is_refused_whatever_its_name(dsl, case_in, kind, name):
    case = case_in("under_review")
    filename = name.format(kind=kind, ext=kind.split("-")[0])

    with pytest.raises(ValidationError) as refused:
        attach(dsl, case, filename, IMAGERY[kind], confirm=True)  # the confirmation is for documents, not photos

    assert refused.value.message_dict == {"file": [IMAGERY_REFUSED]}
    assert not Attachment.objects.exists() and stored_files() == []
    assert not case.chronology.filter(text__startswith="Document").exists()


def test_the_refusal_says_calmly_why_and_what_to_do_instead():
    assert "never stores images or videos" in IMAGERY_REFUSED and "Describe in words" in IMAGERY_REFUSED
    assert "left to the police" in IMAGERY_REFUSED
    assert "describe in words" in documents.PICTURES_NEED_CONFIRMATION
    assert "police" in documents.PICTURES_NEED_CONFIRMATION


@pytest.mark.parametrize("kind", NOT_DOCUMENTS)
def test_only_the_five_kinds_of_document_are_taken(dsl, case_in, kind):
    name, data = NOT_DOCUMENTS[kind]
    with pytest.raises(ValidationError) as refused:
        attach(dsl, case_in("under_review"), name, data, confirm=True)
    assert refused.value.message_dict == {"file": [documents.NOT_A_DOCUMENT]}
    assert stored_files() == []


@pytest.mark.parametrize("kind", ACCEPTED)
def test_documents_are_accepted_and_kept_under_a_random_name(dsl, case_in, kind):
    name, data, document_kind = ACCEPTED[kind]
    case = case_in("under_review")

    attachment = attach(dsl, case, name, data)

    assert (attachment.kind, attachment.has_pictures, attachment.original_name) == (document_kind, False, name)
    assert attachment.content_type == documents.CONTENT_TYPES[document_kind]
    assert attachment.no_child_images_confirmed_by is None
    assert (attachment.size, attachment.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    # Kept under a random name, without the one it was uploaded with.
    assert stored_files() == [attachment.stored_name] and name not in attachment.stored_name
    assert (django_settings.SAFEGUARD_ATTACHMENTS_ROOT / attachment.stored_name).read_bytes() == data
    assert attachment.history.get().history_user == dsl
    entry = case.chronology.get(kind=EntryKind.NOTE)
    assert entry.author == dsl and entry.text == f"Document attached: Referral form to MASH ({name})."


@pytest.mark.parametrize("kind", WITH_PICTURES)
def test_a_document_with_pictures_inside_needs_the_confirmation_which_is_recorded(dsl, case_in, kind):
    name, data, document_kind = WITH_PICTURES[kind]
    case = case_in("under_review")

    with pytest.raises(ValidationError) as refused:
        attach(dsl, case, name, data)
    assert refused.value.message_dict == {"confirm_no_child_images": [documents.PICTURES_NEED_CONFIRMATION]}
    assert stored_files() == []

    attachment = attach(dsl, case, name, data, confirm=True)

    assert (attachment.kind, attachment.has_pictures) == (document_kind, True)
    assert attachment.no_child_images_confirmed_by == dsl
    assert attachment.no_child_images_confirmed_at == attachment.uploaded_at
    assert "confirmed that none shows a child" in case.chronology.get(kind=EntryKind.NOTE).text


def test_the_tables_cover_what_the_issue_names():
    formats = {kind.split("-")[0] for kind in IMAGERY}
    assert {"png", "jpeg", "gif", "webp", "bmp", "tiff", "heic", "avif", "mp4", "mov", "webm"} <= formats
    assert {kind for _, _, kind in ACCEPTED.values()} == set(documents.DocumentKind)


def test_a_file_over_the_size_limit_is_refused(dsl, case_in, settings):
    settings.SAFEGUARD_ATTACHMENT_MAX_MB = 1
    case = case_in("under_review")

    with pytest.raises(ValidationError) as refused:
        attach(dsl, case, "long.txt", b"a" * (1024 * 1024 + 1))
    assert refused.value.message_dict == {"file": [documents.TOO_LARGE.format(limit=1)]}

    assert attach(dsl, case, "long.txt", b"a" * (1024 * 1024)).size == 1024 * 1024


def test_an_empty_file_and_a_missing_description_are_refused(dsl, case_in):
    case = case_in("under_review")
    with pytest.raises(ValidationError) as refused:
        attach(dsl, case, "empty.txt", b"")
    assert refused.value.message_dict == {"file": [documents.EMPTY]}
    with pytest.raises(RuleBroken):
        attach(dsl, case, "notes.txt", TEXT.encode(), description="  ")


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER, Role.TRUST_LEAD, Role.INSPECTOR])
def test_only_the_dsl_team_attaches_documents(people, case_in, role):
    with pytest.raises(CasePermissionDenied):
        attach(people[role], case_in("under_review"), "notes.txt", TEXT.encode())
    assert stored_files() == []


def test_a_closed_case_takes_no_new_documents(dsl, case_in):
    with pytest.raises(CaseReadOnly):
        attach(dsl, case_in("closed"), "notes.txt", TEXT.encode())


def test_a_wrong_document_is_withdrawn_with_a_reason_and_stays_listed(dsl, deputy, case_in):
    case = case_in("under_review")
    attachment = attach(dsl, case, "notes.txt", TEXT.encode())

    with pytest.raises(RuleBroken):
        attachment_withdraw(actor=deputy, attachment=attachment, reason=" ")
    withdrawal = attachment_withdraw(actor=deputy, attachment=attachment, reason="The wrong pupil's letter.")

    assert (withdrawal.withdrawn_by, withdrawal.reason) == (deputy, "The wrong pupil's letter.")
    assert withdrawal.history.get().history_user == deputy
    assert list(case.attachments.all()) == [attachment] and stored_files() == [attachment.stored_name]
    assert case.chronology.filter(kind=EntryKind.NOTE, text__contains="The wrong pupil's letter.").exists()
    with pytest.raises(RuleBroken):
        attachment_withdraw(actor=dsl, attachment=attachment, reason="Again")


def test_only_the_dsl_team_withdraws_a_document(dsl, head, case_in):
    attachment = attach(dsl, case_in("under_review"), "notes.txt", TEXT.encode())
    with pytest.raises(CasePermissionDenied):
        attachment_withdraw(actor=head, attachment=attachment, reason="Not needed")
    assert not AttachmentWithdrawal.objects.exists()


def test_the_store_is_outside_the_web_root():
    root = str(documents.attachment_storage().location)
    served = [str(django_settings.STATIC_ROOT or ""), *(str(path) for path in django_settings.STATICFILES_DIRS)]
    assert not any(folder and root.startswith(folder) for folder in served)


@postgres_only()
def test_a_stored_document_cannot_be_rewritten_in_the_database(dsl, case_in):
    from django.db import DatabaseError, transaction

    attachment = attach(dsl, case_in("under_review"), "notes.txt", TEXT.encode())
    for statement in (
        "UPDATE records_attachment SET original_name = 'other.txt' WHERE id = %s",
        "DELETE FROM records_attachment WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [attachment.pk])


# --- The pages ------------------------------------------------------------------------------------------------


def list_url(case):
    return reverse("records:attachment_list", kwargs={"pk": case.pk})


def add_url(case):
    return reverse("records:attachment_add", kwargs={"pk": case.pk})


def download_url(attachment):
    return reverse("records:attachment_download", kwargs={"pk": attachment.incident_id, "attachment_pk": attachment.pk})


def test_the_page_refuses_a_photo_beside_the_file_field(signed_in, dsl, case_in):
    case = case_in("under_review")
    client = signed_in(dsl)

    page = client.post(add_url(case), {"file": upload("minutes.pdf", IMAGERY["jpeg"]), "description": "Minutes"})

    assert page.status_code == 200
    assert page.context["form"].errors["file"] == [IMAGERY_REFUSED]
    assert 'id="id_file_error"' in page.content.decode()
    assert not Attachment.objects.exists()


def test_the_page_asks_for_the_confirmation_then_records_it(signed_in, dsl, case_in):
    case = case_in("under_review")
    client = signed_in(dsl)
    data = docx({"word/media/image1.png": pillow("PNG")})

    page = client.post(add_url(case), {"file": upload("letter.docx", data), "description": "Police letter"})
    assert page.context["form"].errors["confirm_no_child_images"] == [documents.PICTURES_NEED_CONFIRMATION]
    assert page.context["form"]["description"].value() == "Police letter"  # what was typed is kept

    page = client.post(
        add_url(case),
        {"file": upload("letter.docx", data), "description": "Police letter", "confirm_no_child_images": "on"},
    )
    assert page.status_code == 302 and page["Location"] == list_url(case)
    attachment = Attachment.objects.get()
    assert (attachment.has_pictures, attachment.no_child_images_confirmed_by) == (True, dsl)

    listing = client.get(list_url(case))
    html = listing.content.decode()
    assert "Police letter" in html and download_url(attachment) in html
    assert "confirmed on" in html and "that none shows a child" in html
    assert AccessLog.objects.filter(user=dsl, action=AccessLog.Action.LIST, object_id=str(attachment.pk)).exists()


def test_the_case_page_leads_to_the_documents_for_those_who_may_see_them(signed_in, dsl, head, case_in):
    case = case_in("under_review")
    for person, can_attach in ((dsl, True), (head, False)):
        html = signed_in(person).get(case.get_absolute_url()).content.decode()
        assert list_url(case) in html
        assert (add_url(case) in html) == can_attach
    closed = case_in("closed")
    assert add_url(closed) not in signed_in(dsl).get(closed.get_absolute_url()).content.decode()


def test_a_download_is_an_attachment_of_its_found_type_and_is_logged(signed_in, dsl, head, case_in):
    case = case_in("under_review")
    attachment = attach(dsl, case, "Strategy meeting minutes.pdf", pdf())

    for person in (dsl, head):  # the team and the head, who oversees the school's cases
        response = signed_in(person).get(download_url(attachment))

        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="Strategy meeting minutes.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == pdf()
        assert AccessLog.objects.filter(
            user=person, action=AccessLog.Action.DOWNLOAD, object_id=str(attachment.pk), page=download_url(attachment)
        ).exists()
        assert AccessLog.objects.filter(user=person, action=AccessLog.Action.VIEW, object_id=str(case.pk)).exists()


def test_another_schools_document_is_not_found(signed_in, dsl, case_in, other_school):
    attachment = attach(dsl, case_in("under_review"), "notes.txt", TEXT.encode())
    stranger = member(Role.DSL, school=other_school)

    response = signed_in(stranger, school=other_school).get(download_url(attachment))

    assert response.status_code == 404
    assert not AccessLog.objects.filter(user=stranger).exists()


def test_a_document_is_found_only_under_its_own_case(signed_in, dsl, school, case_in):
    attachment = attach(dsl, case_in("under_review"), "notes.txt", TEXT.encode())
    other_case = make_case(school=school, state="under_review")
    url = reverse("records:attachment_download", kwargs={"pk": other_case.pk, "attachment_pk": attachment.pk})

    assert signed_in(dsl).get(url).status_code == 404


def test_staff_cannot_download(signed_in, dsl, staff, case_in):
    attachment = attach(dsl, case_in("under_review"), "notes.txt", TEXT.encode())
    assert signed_in(staff).get(download_url(attachment)).status_code == 403


def test_withdrawing_through_the_page_keeps_the_document_listed(signed_in, dsl, case_in):
    case = case_in("under_review")
    attachment = attach(dsl, case, "notes.txt", TEXT.encode(), description="Wrong letter")
    client = signed_in(dsl)
    url = reverse("records:attachment_withdraw", kwargs={"pk": case.pk, "attachment_pk": attachment.pk})

    page = client.post(url, {"reason": ""})
    assert page.status_code == 200 and page.context["form"].errors["reason"]

    page = client.post(url, {"reason": "Attached to the wrong case."})
    assert page.status_code == 302 and page["Location"] == list_url(case)
    html = client.get(list_url(case)).content.decode()
    assert "Wrong letter" in html and "(withdrawn)" in html and "Attached to the wrong case." in html
    assert client.get(download_url(attachment)).status_code == 200  # still on the record


def test_the_page_drops_an_upload_over_the_limit_as_it_arrives_and_says_so(signed_in, dsl, case_in, settings):
    settings.SAFEGUARD_ATTACHMENT_MAX_MB = 1
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # a file that passed the limit would go to a temporary file
    case = case_in("under_review")
    client = signed_in(dsl)

    # In the page's order: what the document is, then the file (the browser sends the fields in this order).
    page = client.post(add_url(case), {"description": "Long", "file": upload("long.txt", b"a" * (2 * 1024 * 1024))})

    assert page.status_code == 200 and page.context["form"]["description"].value() == "Long"
    assert page.context["form"].errors["file"] == [documents.TOO_LARGE.format(limit=1)]
    assert not Attachment.objects.exists() and stored_files() == []


def test_the_upload_page_still_checks_the_forms_token(dsl, case_in):
    from django.test import Client

    from tests.factories import signed_in_client

    case = case_in("under_review")
    client = signed_in_client(Client(enforce_csrf_checks=True), dsl)

    page = client.post(add_url(case), {"file": upload("notes.txt", TEXT.encode()), "description": "Notes"})

    assert page.status_code == 403 and not Attachment.objects.exists()
