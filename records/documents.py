"""What a case's document attachment may be, judged from its content: the kind of document, and whether it carries
pictures inside it (domain.md §4: no image or video of a child is ever stored).

An image or video file is refused outright by safeguard.uploads.refuse_imagery, whatever its name. A document that
carries pictures (a letterhead logo, a scanned page, a photo pasted into a report) is not refused, since most
letters carry a logo, but it is accepted only when the uploader confirms that no picture in it shows a child; the
service records who confirmed it, and when.
"""

import email
import email.policy
import io
import mimetypes
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models

from safeguard.uploads import HEAD_BYTES, sniff


class DocumentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word document"
    ODT = "odt", "OpenDocument text"
    TXT = "txt", "Plain text"
    EML = "eml", "Email"


# What the file is served as when downloaded: the content decided the kind, so the type follows from it.
CONTENT_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.ODT: "application/vnd.oasis.opendocument.text",
    DocumentKind.TXT: "text/plain",
    DocumentKind.EML: "message/rfc822",
}

NOT_A_DOCUMENT = (
    "Only documents can be attached to a case: PDF, Word (.docx), OpenDocument text (.odt), plain text (.txt) or "
    "an email saved as .eml. Save the document in one of these formats and choose it again."
)
PICTURES_NEED_CONFIRMATION = (
    "This document has pictures inside it. That is often only a logo or a letterhead, but Safeguard never stores "
    "an image of a child. If no picture in it shows a child, tick the box to confirm this and choose the file "
    "again. If one does, do not attach it: describe in words what it shows, and leave any device to the police."
)
TOO_LARGE = "This file is larger than {limit} MB, the most a case can take. Attach a smaller copy or a summary."
EMPTY = "This file is empty. Choose the document again."

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Where word processors keep what is embedded in a document: pictures, and other files (which may be pictures).
DOCX_EMBEDDED = ("word/media/", "word/embeddings/")
ODT_EMBEDDED = ("Pictures/", "media/", "Object ", "ObjectReplacements/")
# The small preview of the first page that a word processor saves with a document. It shows only what the document
# itself holds (where it holds a picture, the entries above carry it too), so on its own it asks for no confirmation.
THUMBNAILS = re.compile(r"\A(?:Thumbnails/thumbnail\.png|docProps/thumbnail\.(?:jpe?g|png|emf|wmf))\Z", re.IGNORECASE)
# A PDF's pictures: image objects (and inline images), the filters only images use, and files or media attached to
# it. Names may spell any character as #xx, so those are read before searching.
PDF_PICTURE_MARKERS = re.compile(
    rb"/(?:Image|DCTDecode|DCT|JPXDecode|JBIG2Decode|CCITTFaxDecode|CCF|EmbeddedFile|RichMedia|Movie|Screen|3D)\b"
    rb"|(?:^|\s)BI\s.{0,400}?\sID\s",
    re.DOTALL,
)
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# How much a PDF's compressed streams may inflate to while being searched: bounded, so that a small file built to
# inflate enormously cannot exhaust the server. A PDF that goes past it is treated as having pictures.
PDF_INFLATE_LIMIT = 64 * 1024 * 1024
# How deep documents inside documents (an email's attachments) are opened.
NESTING_LIMIT = 3
# A letter has tens of parts; a file of thousands is not one, and reading each part's opening would take long.
ZIP_ENTRY_LIMIT = 2000


@dataclass(frozen=True)
class Inspection:
    kind: str
    content_type: str
    has_pictures: bool


def _refuse(message, code):
    raise ValidationError({"file": ValidationError(message, code=code)})


def _is_imagery(kinds):
    return any(kind.startswith(("image/", "video/")) for kind in kinds)


def _zip_kind(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return DocumentKind.DOCX
            if "mimetype" in names:
                with archive.open("mimetype") as mimetype:
                    if mimetype.read(len(ODT_MIMETYPE) + 2).strip() == ODT_MIMETYPE:  # only its opening is inflated
                        return DocumentKind.ODT
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        pass
    return None


def _text_kind(head, name):
    if b"\0" in head:  # a binary file of a kind no signature names
        return None
    suffix = PurePath(name or "").suffix.lower()
    return {".txt": DocumentKind.TXT, ".eml": DocumentKind.EML}.get(suffix)


def document_kind(data, detected, name):
    """The DocumentKind of `data` (already through refuse_imagery, which found `detected`), or a refusal."""
    if detected == "application/pdf":
        return DocumentKind.PDF
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
    elif detected in ("", "text/plain", "message/rfc822"):
        kind = _text_kind(data[:HEAD_BYTES], name)
    else:
        kind = None
    if kind is None:
        _refuse(NOT_A_DOCUMENT, "not_a_document")
    return kind


def _zip_has_pictures(data, embedded):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if len(archive.infolist()) > ZIP_ENTRY_LIMIT:
                return True
            for entry in archive.infolist():
                if entry.is_dir() or THUMBNAILS.match(entry.filename):
                    continue
                if entry.filename.startswith(embedded):
                    return True
                with archive.open(entry) as member:
                    head = member.read(HEAD_BYTES)  # only the opening is inflated
                if _is_imagery(sniff(head)):
                    return True
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError, zlib.error):
        return True  # what cannot be read cannot be shown to hold no picture
    return False


def _pdf_has_pictures(data):
    if b"/Encrypt" in data:
        return True  # its contents cannot be read without its password
    texts = [data]
    budget = PDF_INFLATE_LIMIT
    for match in PDF_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue  # not Flate-compressed (or a filter this search does not undo): read as it is, above
        budget -= len(inflated)
        if budget <= 0:
            return True
        texts.append(inflated)
    return any(
        PDF_PICTURE_MARKERS.search(PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), text)) for text in texts
    )


def _eml_has_pictures(data, depth):
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename() or ""
        payload = part.get_payload(decode=True) or b""
        if part.get_content_maintype() in ("image", "video") or _is_imagery(sniff(payload[:HEAD_BYTES])):
            return True
        if _is_imagery([mimetypes.guess_type(filename)[0] or ""]):
            return True
        if part.get_content_maintype() == "text" and not filename:
            # An HTML email may carry a picture written into its own text.
            if re.search(rb"data:(?:image|video)/", payload, re.IGNORECASE):
                return True
            continue
        # A document attached to the email is opened in its turn; one that is not a document counts as a picture,
        # since what it holds is not known.
        try:
            kind = document_kind(payload, (sniff(payload[:HEAD_BYTES]) or [""])[0], filename or "attachment.txt")
        except ValidationError:
            return True
        if has_pictures(payload, kind, depth=depth + 1):
            return True
    return False


def has_pictures(data, kind, *, depth=0):
    """Whether a document of `kind` carries pictures (or anything that cannot be shown not to be one)."""
    if depth > NESTING_LIMIT:
        return True
    if kind == DocumentKind.PDF:
        return _pdf_has_pictures(data)
    if kind == DocumentKind.DOCX:
        return _zip_has_pictures(data, DOCX_EMBEDDED)
    if kind == DocumentKind.ODT:
        return _zip_has_pictures(data, ODT_EMBEDDED)
    # Text too: an email saved as .txt is still an email, and may carry a photo in its attachments.
    return _eml_has_pictures(data, depth)


def inspect(data, detected, name):
    """The kind, download type and pictures of an upload's bytes, once refuse_imagery has passed them."""
    kind = document_kind(data, detected, name)
    return Inspection(kind=kind, content_type=CONTENT_TYPES[kind], has_pictures=has_pictures(data, kind))


def max_bytes():
    return settings.SAFEGUARD_ATTACHMENT_MAX_MB * 1024 * 1024


def attachment_storage():
    """Where attachments are kept: a folder outside the web root, which no URL serves (the permission-checked
    download view reads it). Read from the setting on each use, so a test can point it at a temporary folder."""
    return FileSystemStorage(location=settings.SAFEGUARD_ATTACHMENTS_ROOT)
