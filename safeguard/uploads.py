"""Judging an upload by what it is, not by what its name or the browser say it is.

domain.md §4: images and videos of children are never copied, stored or saved, so the system refuses any image or
video file in any field, and says why. A photo renamed `register.csv` and sent as `text/csv` is still a photo: its
first bytes say so. Every upload goes through `refuse_imagery` before anything else reads it.
"""

import mimetypes
import re

import puremagic
from django.core.exceptions import ValidationError

# Enough for every signature the detector knows; the rest of the file is never read here.
HEAD_BYTES = 8192

IMAGERY_REFUSED = (
    "This file is an image or video, whatever its name says. Safeguard never stores images or videos, so that no "
    "picture of a child is ever copied or kept. Describe in words what was seen, and where, in the case record. "
    "If you meant to choose a different file, choose it again."
)

# SVG is XML text, which signature lists only catch when the file opens with <svg or a fixed prologue: allow a byte
# order mark, an XML declaration, comments and a doctype before the root element.
_SVG = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--.*?-->|<!DOCTYPE[^>]*>)\s*)*<svg[\s>/]",
    re.IGNORECASE | re.DOTALL,
)


def _is_imagery(kind):
    return kind.startswith(("image/", "video/"))


def sniff(head):
    """The MIME types the first bytes of a file match, most likely first (none for plain text such as CSV)."""
    if _SVG.match(head):
        return ["image/svg+xml"]
    if not head:
        return []
    try:
        return [match.mime_type for match in puremagic.magic_string(head) if match.mime_type]
    except puremagic.PureError:
        return []


def refuse_imagery(upload):
    """Raise ValidationError (code "imagery") if `upload` is an image or video by its content, its declared type or
    its name; otherwise return the detected MIME type ("" when the content matches no signature, as for text).

    Reads only the first HEAD_BYTES of the file and rewinds it, so the caller reads it whole afterwards.
    """
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    detected = sniff(head)
    # The content decides; the declared type and the name only add refusals (an image in a format the detector does
    # not know is still refused by its name), never let anything through.
    claimed = [upload.content_type or "", mimetypes.guess_type(upload.name or "")[0] or ""]
    if any(_is_imagery(kind) for kind in detected + claimed):
        raise ValidationError(IMAGERY_REFUSED, code="imagery")
    return detected[0] if detected else ""
