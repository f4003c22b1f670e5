"""Transfers of child protection files (issue 10 §2): started, sent, confirmed and cancelled from the pupil's page;
files received from other schools; and the school's list of both, overdue first."""

from django.shortcuts import render
from django.urls import reverse

from incidents.views.common import form_page
from safeguard.access import capability_required
from safeguard.audit import listed, shown
from safeguard.models import Pupil
from safeguard.selectors import get_pupil_for_user_or_404

from .. import transfer_selectors as selectors
from ..services import transfers as services
from ..transfer_forms import (
    FileReceivedForm,
    TransferCancelForm,
    TransferConfirmedForm,
    TransferSentForm,
    TransferStartForm,
)

LIST_SIZE = 50  # ended transfers and files received shown on the list, newest first (open ones are all shown)


def _pupil(request, pk):
    pupil = get_pupil_for_user_or_404(request.user, request.school, pk)
    shown(request, Pupil, [pupil.pk])
    return pupil


def _transfer(request, pupil, tid):
    return selectors.get_transfer_for_user_or_404(request.user, request.school, pupil, tid)


def _contact(data):
    keys = ("other_school", "other_urn", "contact_name", "contact_email", "contact_phone")
    return {key: data[key] for key in keys}


def _page(request, form, perform, template, success, pupil, **context):
    return form_page(
        request,
        None,
        form,
        perform,
        template,
        success,
        then=reverse("pupil_detail", args=[pupil.pk]),
        pupil=pupil,
        **context,
    )


@capability_required("work_cases")
def transfer_new(request, pk):
    pupil = _pupil(request, pk)
    form = TransferStartForm(request.POST or None)

    def perform(data):
        return services.transfer_start(
            actor=request.user, pupil=pupil, leaving_on=data["leaving_on"], reason=data["reason"], **_contact(data)
        )

    return _page(request, form, perform, "records/transfers/start_form.html", "The transfer is started.", pupil)


@capability_required("work_cases")
def transfer_sent(request, pk, tid):
    pupil = _pupil(request, pk)
    transfer = _transfer(request, pupil, tid)
    reports = selectors.ready_pupil_files(pupil)
    form = TransferSentForm(request.POST or None, reports=reports)

    def perform(data):
        return services.transfer_sent(
            actor=request.user,
            transfer=transfer,
            report=data["report"],
            sent_at=data["sent_at"],
            method=data["method"],
            reference=data["reference"],
        )

    return _page(
        request,
        form,
        perform,
        "records/transfers/sent_form.html",
        "The file's sending is recorded.",
        pupil,
        transfer=transfer,
        any_ready=reports.exists(),
    )


@capability_required("work_cases")
def transfer_confirmed(request, pk, tid):
    pupil = _pupil(request, pk)
    transfer = _transfer(request, pupil, tid)
    form = TransferConfirmedForm(request.POST or None)

    def perform(data):
        return services.transfer_confirmed(
            actor=request.user,
            transfer=transfer,
            confirmed_at=data["confirmed_at"],
            confirmed_by=data["confirmed_by"],
            method=data["method"],
        )

    return _page(
        request,
        form,
        perform,
        "records/transfers/confirmed_form.html",
        "Receipt is confirmed: the transfer is complete.",
        pupil,
        transfer=transfer,
    )


@capability_required("work_cases")
def transfer_cancel(request, pk, tid):
    pupil = _pupil(request, pk)
    transfer = _transfer(request, pupil, tid)
    form = TransferCancelForm(request.POST or None)

    def perform(data):
        return services.transfer_cancel(actor=request.user, transfer=transfer, reason=data["reason"])

    return _page(
        request,
        form,
        perform,
        "records/transfers/cancel_form.html",
        "The transfer is cancelled; it stays on record.",
        pupil,
        transfer=transfer,
    )


@capability_required("work_cases")
def file_received_new(request, pk):
    pupil = _pupil(request, pk)
    form = FileReceivedForm(request.POST or None)

    def perform(data):
        return services.file_received_record(
            actor=request.user,
            pupil=pupil,
            received_at=data["received_at"],
            method=data["method"],
            summary=data["summary"],
            **_contact(data),
        )

    return _page(
        request,
        form,
        perform,
        "records/transfers/received_form.html",
        "The file received is recorded; it is in the pupil's chronology.",
        pupil,
    )


@capability_required("work_cases")
def transfer_list(request):
    """The school's transfers out (open ones overdue first, then the latest ended) and the latest files received.

    It names pupils and that each has a child protection file, so each pupil shown is logged as listed (the
    transfers hold no case detail: the cases themselves are opened from the pupil's page, and logged there).
    """
    transfers = selectors.transfers_for_user(request.user, request.school)
    open_ones = selectors.open_transfers_with_clocks(request.user, request.school)
    ended = transfers.exclude(pk__in=selectors.open_transfers().values("pk")).order_by("-started_at", "-pk")
    ended = selectors.with_clocks(list(ended[:LIST_SIZE]), request.school)
    received = selectors.files_received_for_user(request.user, request.school).order_by("-received_at", "-pk")
    received = list(received[:LIST_SIZE])
    listed(request, Pupil, sorted({row.pupil_id for row in (*open_ones, *ended, *received)}))
    context = {
        "open_transfers": open_ones,
        "ended_transfers": ended,
        "received": received,
        "list_size": LIST_SIZE,
        "in_school_days": all(t.clock.in_school_days for t in (*open_ones, *ended)),
    }
    return render(request, "records/transfers/list.html", context)
