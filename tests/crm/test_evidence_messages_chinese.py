"""The evidence messages a Chinese reader sees (the upload check's refusals, what became of a file the recheck
removed, the evidence entries of a case's history and of the admin) are Chinese sentences, punctuated as Chinese
is: full-width colon, comma, semicolon and brackets ("：", "，", "；", "（）"), not the ASCII ones, which read as a
stray Latin mark inside a Chinese sentence; a list of the accepted kinds is joined as Chinese lists are ("、").
Their placeholders stay the English message's."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext

from crm.errors import EvidenceInvalid, EvidenceRemoved
from crm.evidence_removal import HELD_FOR_REVIEW, evidence_removal_text
from crm.services.casework import evidence_add
from crm.uploads import (
    HEIC_UNREADABLE,
    INCOMPLETE,
    PDF,
    PDF_ACTIVE_CONTENT,
    PNG,
    TOO_MANY_FRAMES,
    TOO_MANY_PIXELS,
    WRONG_TYPE,
    UploadRefused,
    upload_accept,
    upload_refusal_text,
)
from tests.factories import call_case
from tests.pdfs import PDF as PDF_BYTES

# Said by the case page, the 410 page and the admin of a removed file (their msgids, as the templates name them).
AROUND_A_REMOVED_FILE = [
    "Removed: active content.",
    "Removed: the image is too large to open.",
    "Removed: not a photo or a PDF.",
    "Removed: its contents cannot be checked.",
    "The upload check refuses it, so it is no longer shown, downloaded or put into an evidence pack. It is kept for "
    "the record. If the case needs it, ask for a clean copy (a photo of it, or the PDF printed to a new PDF) and add "
    "that to the case.",
    "Restore at most %(count)s files at a time: choose them on a page.",
    "This file is held for an operator's review: it is too large to check here.",
    "Nothing in it could be checked here, so it is not shown, downloaded or put into an evidence pack until an "
    "operator has looked at it. It is kept; once the operator gives it back, it is on the case again.",
]
# The evidence entries of a case's history and audit log (crm.readable) and the evidence admin's action.
EVIDENCE_ENTRIES = [
    "Evidence file removed (refused by the upload check)",
    "Evidence file restored (removal lifted by an operator)",
    "Evidence file held for an operator's review (too many objects to check)",
    "Case step unticked (the evidence it was ticked on was removed)",
    "Restore to its case (lift the removal)",
]
REASONS = sorted({*PDF_ACTIVE_CONTENT, "password", "unreadable", "too_many", WRONG_TYPE, TOO_MANY_PIXELS, INCOMPLETE})
REASONS += [HEIC_UNREADABLE, TOO_MANY_FRAMES]


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)s", text))


def _punctuated_as_chinese(text: str) -> bool:
    """Chinese, with none of the ASCII marks a Chinese sentence writes full-width (a placeholder's brackets aside)."""
    marks = re.sub(r"%\(\w+\)[sd]", "", text)
    return not set(":,;()") & set(marks) and bool(re.search(r"[\u4e00-\u9fff]", text))


@pytest.mark.parametrize("reason", REASONS)
def test_each_refusal_of_the_upload_check_reads_with_chinese_punctuation(reason):
    with translation.override("zh-hans"):
        text = upload_refusal_text(reason, field="照片")

    assert text.startswith("照片：")
    assert _punctuated_as_chinese(text), text


@pytest.mark.parametrize("msgid", [*AROUND_A_REMOVED_FILE, *EVIDENCE_ENTRIES])
def test_what_a_removed_file_and_the_evidence_entries_say_reads_with_chinese_punctuation(msgid):
    """Around a removed file (its page, the case's note), and the evidence entries of the history and the admin."""
    with translation.override("zh-hans"):
        text = gettext(msgid)

    assert text != msgid
    assert _punctuated_as_chinese(text), text
    assert _placeholders(text) == _placeholders(msgid)


def test_what_a_held_file_says_reads_with_chinese_punctuation():
    with translation.override("zh-hans"):
        text = evidence_removal_text(HELD_FOR_REVIEW, field="照片")

    assert text.startswith("照片：该 PDF 由超过 100000 个对象组成")
    assert _punctuated_as_chinese(text), text


def test_the_accepted_kinds_are_listed_as_chinese_lists_them():
    """They were joined with ", " whatever the language: "JPEG, PNG, WebP, HEIC, PDF" inside a Chinese sentence."""
    with translation.override("zh-hans"):
        chinese = upload_refusal_text(WRONG_TYPE, field="照片")
        only_two = upload_refusal_text(WRONG_TYPE, field="照片", kinds=(PNG, PDF))
    english = upload_refusal_text(WRONG_TYPE, field="Photo")

    assert chinese == "照片：文件内容不是 JPEG、PNG、WebP、HEIC、PDF 之一（与文件名或声明的类型无关）。"
    assert "不是 PNG、PDF 之一" in only_two
    assert english.startswith("Photo: the file's contents are not one of JPEG, PNG, WebP, HEIC, PDF (whatever")


@pytest.mark.django_db
def test_the_size_refusal_no_file_and_the_removed_files_error_read_with_chinese_punctuation():
    case = call_case()
    with translation.override("zh-hans"):
        with pytest.raises(UploadRefused) as too_big:
            upload_accept(SimpleUploadedFile("r.pdf", PDF_BYTES), field="photo", label="照片", max_bytes=10)
        with pytest.raises(EvidenceInvalid) as nothing:
            evidence_add(case=case, actor=case.assignee.user)
        removed = str(EvidenceRemoved().message)

    assert too_big.value.message.startswith("照片：文件超过了 ")
    assert "，这是可接受的上限。" in too_big.value.message
    for text in (too_big.value.message, nothing.value.message, removed):
        assert _punctuated_as_chinese(text), text
