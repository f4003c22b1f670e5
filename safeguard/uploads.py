"""Judging an upload by what it is, not by what its name or the browser say it is.

domain.md §4: images and videos of children are never copied, stored or saved, so the system refuses any image or
video file in any field, and says why. A photo renamed `register.csv` and sent as `text/csv` is still a photo: its
first bytes say so. Every upload goes through `refuse_imagery` before anything else reads it.
"""

import contextlib
import mimetypes
import re

import filetype
import puremagic
from django.core.exceptions import ValidationError

# What filetype itself reads, and enough for every signature puremagic knows; the rest of the file is not read here.
HEAD_BYTES = 8192

IMAGERY_REFUSED = (
    "This file is an image or video, whatever its name says. Safeguard never stores images or videos, so that no "
    "picture of a child is ever copied or kept. Describe in words what was seen, and where, in the case record. "
    "Do not copy the image anywhere else: any device that holds it is left to the police. "
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
    """The MIME types the first bytes of a file match, most likely first (none for plain text such as CSV).

    Two pure-Python signature libraries, as each misses what the other catches: filetype reads the brands inside an
    MP4-family header (a camera's `mp41` video, a phone's `mif1` HEIF photo), which puremagic matches only by the
    first brand; puremagic knows far more formats, 3G2 video and M4V among them, which filetype misses. SVG is text,
    which neither reads reliably, hence the check above.
    """
    kinds = ["image/svg+xml"] if _SVG.match(head) else []
    guess = filetype.guess(head)
    if guess is not None:
        kinds.append(guess.mime)
    if head:
        with contextlib.suppress(puremagic.PureError):  # no signature matched
            kinds += [match.mime_type for match in puremagic.magic_string(head) if match.mime_type]
    return list(dict.fromkeys(kinds))


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
