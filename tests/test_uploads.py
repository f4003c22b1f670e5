"""Uploads are judged by their content: an image or video is refused whatever its name or declared type.

Every file here is made in the test: Pillow draws the still images, and the video and HEIF/AVIF containers are
their real opening structures built by hand (an ISO base media `ftyp` box, an EBML header, a RIFF header).
"""

import io
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from safeguard.uploads import HEAD_BYTES, IMAGERY_REFUSED, refuse_imagery


def pillow(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "teal").save(buffer, fmt)
    return buffer.getvalue()


def iso_box(kind, payload):
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def iso_media(major, *compatible):
    """The start of an MP4-family file: ftyp (major brand, version, compatible brands), then free and mdat boxes."""
    ftyp = iso_box(b"ftyp", major + b"\0\0\0\0" + b"".join(compatible))
    return ftyp + iso_box(b"free", b"") + iso_box(b"mdat", b"\0" * 64)


def ebml(doctype):
    """The EBML header that opens a Matroska or WebM file, then the start of its Segment."""

    def element(element_id, data):
        return element_id + bytes([0x80 | len(data)]) + data

    header = b"".join(
        [
            element(b"\x42\x86", b"\x01"),  # EBMLVersion
            element(b"\x42\xf7", b"\x01"),  # EBMLReadVersion
            element(b"\x42\x82", doctype),  # DocType
            element(b"\x42\x87", b"\x04"),  # DocTypeVersion
            element(b"\x42\x85", b"\x02"),  # DocTypeReadVersion
        ]
    )
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + b"\x18\x53\x80\x67\x01" + b"\0" * 7


def avi():
    hdrl = b"LIST" + struct.pack("<I", 4) + b"hdrl"
    return b"RIFF" + struct.pack("<I", 4 + len(hdrl)) + b"AVI " + hdrl


SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- drawn by hand -->\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16"/></svg>\n'
)

IMAGERY = {
    "jpeg": pillow("JPEG"),
    "png": pillow("PNG"),
    "gif": pillow("GIF"),
    "webp": pillow("WEBP"),
    "bmp": pillow("BMP"),
    "tiff": pillow("TIFF"),
    "ico": pillow("ICO"),
    "heic": iso_media(b"heic", b"mif1", b"heic"),
    "heif-mif1": iso_media(b"mif1", b"mif1", b"heic"),  # as some Android phones write it
    "avif": iso_media(b"avif", b"mif1", b"avif"),
    "svg": SVG,
    # An SVG whose closing tag lies beyond the bytes read: only its opening can tell.
    "svg-large": SVG.replace(b"<rect", b"<path d='" + b"M0 0 " * 4000 + b"'/><rect"),
    "svg-bare": b'\xef\xbb\xbf  <svg viewBox="0 0 1 1"/>',
    "mp4": iso_media(b"isom", b"isom", b"avc1", b"mp41"),
    "mp4-mp42": iso_media(b"mp42", b"mp42", b"isom"),
    "mp4-camera": iso_media(b"mp41", b"mp41"),
    "mp4-fragmented": iso_media(b"iso5", b"iso5", b"iso6", b"mp41"),
    "m4v": iso_media(b"M4V ", b"M4V ", b"M4A ", b"mp42", b"isom"),
    "3g2": iso_media(b"3g2a", b"3g2a"),
    "mov": iso_media(b"qt  ", b"qt  "),
    "3gp": iso_media(b"3gp4", b"3gp4", b"isom"),
    "webm": ebml(b"webm"),
    "mkv": ebml(b"matroska"),
    "avi": avi(),
}


def upload(data, name, content_type="text/csv"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("name", ["register.csv", "report.pdf"])
@pytest.mark.parametrize("kind", IMAGERY)
def test_an_image_or_video_is_refused_whatever_its_name_and_declared_type(kind, name):
    with pytest.raises(ValidationError) as refused:
        refuse_imagery(upload(IMAGERY[kind], name))

    assert refused.value.code == "imagery"
    assert refused.value.messages == [IMAGERY_REFUSED]


def test_the_table_covers_every_format_the_issue_names():
    assert len({kind.split("-")[0] for kind in IMAGERY}) >= 15


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"upn,first_name\n", "IMG_0042.jpg", "text/csv"),  # named as a photo
        (b"upn,first_name\n", "register.csv", "video/mp4"),  # declared as a video
    ],
)
def test_a_name_or_declared_type_of_an_image_or_video_is_refused_too(data, name, content_type):
    with pytest.raises(ValidationError):
        refuse_imagery(upload(data, name, content_type))


REGISTER = "upn,first_name,last_name\nA12345678901B,Zoë,Brontë\n"
PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


@pytest.mark.parametrize(
    ("data", "name", "content_type", "detected"),
    [
        (REGISTER.encode("utf-8"), "register.csv", "text/csv", ""),
        (REGISTER.encode("utf-8-sig"), "register.csv", "text/csv", ""),
        (b"upn,first_name\nA1,<svg> in a cell\n", "register.csv", "text/csv", ""),
        (PDF, "report.pdf", "application/pdf", "application/pdf"),
        (b"", "empty.csv", "text/csv", ""),
    ],
)
def test_documents_pass_and_the_file_is_rewound(data, name, content_type, detected):
    file = upload(data, name, content_type)
    file.read(3)

    assert refuse_imagery(file) == detected
    assert file.read() == data


def test_only_the_head_of_the_file_is_read():
    class Counting(io.BytesIO):
        asked = []

        def read(self, size=-1):
            self.asked.append(size)
            return super().read(size)

    file = SimpleUploadedFile("big.csv", b"", content_type="text/csv")
    file.file = Counting(REGISTER.encode() * 10_000)

    refuse_imagery(file)

    assert file.file.asked == [HEAD_BYTES]
