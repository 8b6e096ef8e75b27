"""Thin function-based views: access helper → form → service → redirect."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from perspectives.models import Perspective, Question
from waardevol.accounts.access import (
    RatingNotSubmitted,
    action_for_user,
    assessment_for_user,
    has_municipality,
    is_vng_editor,
    membership_for_user,
    project_for_user,
    rater_for_user,
    rating_round_for_user,
)
from waardevol.audit.models import AuditKind
from waardevol.audit.services import audit_assessment, audit_municipality, export_filters
from waardevol.examples.selectors import example_of_assessment
from waardevol.forms import submitted_data
from waardevol.views import bad_request, save_shared

from . import readmodel, report, selectors, services, tasks
from .csv_export import csv_response, export_refused
from .discussion import DiscussionPresenter
from .forms import (
    ActionFilterForm,
    ActionForm,
    CharacteristicsForm,
    ChosenAnswerForm,
    ComparisonForm,
    OverviewFilterForm,
    PerspectiveStepForm,
    ProjectForm,
    RatingRoundForm,
    ResolveChoice,
)
from .models import ACTIONS_PER_ASSESSMENT, Assessment
from .overview import OverviewPresenter, ProjectPresenter
from .portfolio import PortfolioPresenter, PortfolioReportPresenter
from .portfolio import portfolio_pdf as portfolio_pdf_document
from .progress import ComparisonPresenter
from .results import ResultsPresenter
from .wizard import Wizard


def member_page(view):
    """login_required for a municipality's pages; VNG editors (no municipality), whom a login
    or a link may bring here, land in the admin instead. Any other account without a
    municipality (its membership ended, say) is told why it sees nothing and how to join."""
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if is_vng_editor(request.user):
            return redirect("admin:index")
        if not has_municipality(request.user):
            return render(request, "registration/no_municipality.html", status=403)
        return view(request, *args, **kwargs)
    return wrapped


@member_page
def overview(request: HttpRequest) -> HttpResponse:
    membership = membership_for_user(request.user)
    form = OverviewFilterForm(request.GET)
    form.is_valid()  # an invalid filter is named on the page and left out; the others apply
    return render(request, "assessments/overview.html", {
        "membership": membership, "form": form,
        "overview": OverviewPresenter(membership, form, request.GET.get("pagina")),
    }, status=400 if form.errors else 200)


@member_page
def overview_csv(request: HttpRequest) -> HttpResponse:
    """The filtered overview (every page) as CSV."""
    membership = membership_for_user(request.user)
    form = OverviewFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request)  # the page's own link never sends an invalid filter
    if refused := export_refused(request):
        return refused
    rows = list(OverviewPresenter(membership, form).csv_rows)
    _audit_export(request, membership, AuditKind.PROJECTS_EXPORTED, rows, form)
    return csv_response(rows, _csv_name("projecten", membership))


def _audit_export(request: HttpRequest, membership, kind: str, rows: list, form) -> None:
    """Who took which part of the municipality's data out, and how much (the header row is not
    counted), in the municipality's history."""
    audit_municipality(user=request.user, kind=kind, municipality=membership.municipality,
                       rows=len(rows) - 1, filters=export_filters(form.cleaned_data))


def _csv_name(kind: str, membership) -> str:
    slug = slugify(membership.municipality.name)[:60] or "gemeente"
    return f"waardevol-{kind}-{slug}-{timezone.localdate():%Y-%m-%d}.csv"


@member_page
def portfolio(request: HttpRequest) -> HttpResponse:
    membership = membership_for_user(request.user)
    form = ActionFilterForm(request.GET)
    form.is_valid()
    return render(request, "assessments/portfolio/portfolio.html", {
        "membership": membership, "form": form,
        "portfolio": PortfolioPresenter(membership, form, request.GET.get("kaart"),
                                        request.GET.get("pagina")),
    }, status=400 if form.errors else 200)


@member_page
def portfolio_actions_csv(request: HttpRequest) -> HttpResponse:
    membership = membership_for_user(request.user)
    form = ActionFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request)
    if refused := export_refused(request):
        return refused
    rows = list(PortfolioPresenter(membership, form).actions_csv_rows)
    _audit_export(request, membership, AuditKind.ACTIONS_EXPORTED, rows, form)
    return csv_response(rows, _csv_name("acties", membership))


@member_page
def portfolio_pdf(request: HttpRequest) -> HttpResponse:
    """The one-page portfolio for the college. Every download renders (the figures change with
    every completed assessment), so it counts against the user's report render limit."""
    membership = membership_for_user(request.user)
    if not report.render_allowed(request.user):
        return render(request, "errors/429.html", {
            "message": _("U heeft in korte tijd veel rapporten laten maken. U kunt het over een "
                         "paar minuten opnieuw proberen."),
        }, status=429)
    presenter = PortfolioReportPresenter(membership)
    response = HttpResponse(portfolio_pdf_document(presenter), content_type="application/pdf")
    audit_municipality(user=request.user, kind=AuditKind.PORTFOLIO_DOWNLOADED,
                       municipality=membership.municipality)
    response["Content-Disposition"] = f'attachment; filename="{presenter.file_name}"'
    return response


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    membership = membership_for_user(request.user, write=True)
    form = ProjectForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        project = services.project_create(municipality=membership.municipality,
                                          owner=request.user, **form.submitted())
        messages.success(request, _("Project ‘%(name)s’ is aangemaakt.") % {"name": project.name})
        return redirect("assessments:project_detail", pk=project.pk)
    return render(request, "assessments/project_form.html", {"form": form, "project": None},
                  status=400 if form.errors else 200)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for_user(request.user, pk)
    return render(request, "assessments/project_detail.html", {
        "project": project,
        "page": ProjectPresenter(project, membership_for_user(request.user)),
        "form": ComparisonForm(None, assessments=selectors.completed_assessments(project=project)),
    })


@login_required
def project_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Two completed assessments of a project side by side (the latest two unless chosen)."""
    project = project_for_user(request.user, pk)
    assessments = selectors.completed_assessments(project=project)
    form = ComparisonForm(request.GET, assessments=assessments)
    comparison = None
    if form.is_bound and form.is_valid():
        comparison = ComparisonPresenter.for_assessments(
            form.cleaned_data["van"], form.cleaned_data["met"], language=get_language())
    return render(request, "assessments/comparison.html", {
        "project": project, "form": form, "comparison": comparison,
    }, status=400 if form.errors else 200)


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for_user(request.user, pk, write=True)
    form = ProjectForm(submitted_data(request), instance=project)
    context = {"form": form, "project": project}
    if request.method == "POST" and form.is_valid():
        def saved():
            tasks.store_project_reports_after_commit(project.pk)  # its name is on them
            messages.success(request, _("Het project is opgeslagen."))
            return redirect("assessments:project_detail", pk=project.pk)
        return save_shared(request, form, "assessments/project_form.html", context, saved)
    return render(request, "assessments/project_form.html", context,
                  status=400 if form.errors else 200)


@login_required
@require_POST
def assessment_start(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for_user(request.user, pk, write=True)
    assessment, created = services.assessment_start_or_resume(
        project=project, user=request.user, language=get_language() or "nl")
    if not created:
        messages.info(request, _("Dit project heeft al een conceptbeoordeling. U gaat daarin "
                                 "verder waar die was gebleven."))
        return redirect("assessments:step", pk=assessment.pk, step=assessment.current_step)
    return redirect("assessments:step", pk=assessment.pk, step=0)


@login_required
@require_POST
def assessment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an empty concept (started by mistake); anything with answers stays."""
    assessment = assessment_for_user(request.user, pk, write=True)
    try:
        services.assessment_delete_empty(assessment=assessment, user=request.user)
    except services.AssessmentNotEmpty:
        messages.error(request, _("Deze beoordeling is niet leeg en kan niet worden verwijderd."))
        return redirect("assessments:project_detail", pk=assessment.project_id)
    messages.success(request, _("Het lege concept is verwijderd."))
    return redirect("assessments:project_detail", pk=assessment.project_id)


@login_required
def assessment_resume(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk)
    if not assessment.is_concept or not request.user.membership.can_edit:
        return redirect("assessments:results", pk=assessment.pk)
    return redirect("assessments:step", pk=assessment.pk, step=assessment.current_step)


def _locked_redirect(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    if assessment.is_completed:
        messages.info(request, _("Deze beoordeling is afgerond en kan niet meer worden "
                                 "gewijzigd. Heropen haar om een nieuwe conceptversie te maken."))
    else:
        messages.info(request, _("Dit concept is vervangen door een nieuwer concept van hetzelfde "
                                 "project en kan niet meer worden gewijzigd."))
    return redirect("assessments:results", pk=assessment.pk)


def _after_save(request: HttpRequest, assessment: Assessment, target: int) -> HttpResponse:
    """Follow the button the user pressed: previous, next, a step in the list, or 'later'."""
    services.assessment_set_step(assessment=assessment, step=target)
    if request.POST.get("navigate") == "later":
        messages.success(request, _("Uw antwoorden zijn opgeslagen. U kunt later verder gaan "
                                    "waar u gebleven was."))
        return redirect("assessments:project_detail", pk=assessment.project_id)
    return redirect("assessments:step", pk=assessment.pk, step=target)


@login_required
def assessment_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk, write=True)
    if not assessment.is_concept:
        return _locked_redirect(request, assessment)
    result = readmodel.assessment_result(assessment)
    wizard = Wizard(assessment, result)
    if not 0 <= step <= wizard.review_step:
        return redirect("assessments:step", pk=pk, step=0)
    if step == 0:
        return _intro_step(request, assessment, wizard)
    if step == wizard.review_step:
        return render(request, "assessments/review.html", wizard.context(step))

    perspective = wizard.perspective_at(step)
    if request.method != "POST":
        # Reading a step changes nothing: where colleagues resume moves with the buttons (a
        # POST), not with a link, a bookmark or the Back button (nor a link on another site).
        form = PerspectiveStepForm(perspective=perspective)
        return render(request, "assessments/step.html", {**wizard.context(step), "form": form})
    target = wizard.target_step(step, request.POST.get("navigate", "next"))
    if target is None:
        return bad_request(request)  # no button of ours sends this: nothing is saved

    form = PerspectiveStepForm(request.POST, perspective=perspective,
                               conflicts=_pending_conflicts(request, perspective))
    if not form.is_valid():
        # Keep any open conflict on the page: its choice is still required.
        pending = [q for q in perspective.questions if q.id in form.conflicts]
        return render(request, "assessments/step.html",
                      {**wizard.context(step), "form": form, "conflicts": pending}, status=400)
    conflicts, settled = {}, {}
    try:
        for question in form.questions:
            values = form.submitted(question)
            if values is None or not form.changed_by_user(question):
                continue
            if form.resolution(question) == ResolveChoice.THEIRS:
                settled[question.id] = question.answer
                continue
            outcome = services.answer_save(
                assessment=assessment, question=_question(question.id), user=request.user,
                values=values, base_version=form.base_version(question))
            if outcome.status == "conflict":
                conflicts[question.id] = outcome.answer
            else:
                settled[question.id] = outcome.answer
    except services.AssessmentLocked:
        return _locked_redirect(request, assessment)
    if conflicts:
        return _conflict_response(request, assessment, step, conflicts, settled)
    confirmed = wizard.confirmed_questions(request.POST.get("navigate", ""), perspective)
    if confirmed:
        return _confirm_adopted(request, assessment, step, confirmed)
    return _after_save(request, assessment, target)


def _confirm_adopted(request: HttpRequest, assessment: Assessment, step: int,
                     question_ids: list[int]) -> HttpResponse:
    """Keep answers adopted from an example as they are (after saving the step's changes, so an
    answer the user changed is theirs already)."""
    try:
        codes = services.answers_confirm_adopted(assessment=assessment, user=request.user,
                                                 question_ids=question_ids)
    except services.AssessmentLocked:
        return _locked_redirect(request, assessment)
    if codes:
        messages.success(request, ngettext("Het antwoord op vraag %(codes)s is bevestigd.",
                                           "De antwoorden op vraag %(codes)s zijn bevestigd.",
                                           len(codes)) % {"codes": ", ".join(codes)})
    anchor = f"#vraag-{codes[0]}" if len(codes) == 1 else ""
    return redirect(reverse("assessments:step", args=[assessment.pk, step]) + anchor)


def _question(question_id: int) -> Question:
    return get_object_or_404(Question, pk=question_id)


def _pending_conflicts(request: HttpRequest, perspective) -> dict[int, object]:
    """Questions whose conflict choice is being submitted (the form then requires a choice)."""
    return {q.id: q.answer for q in perspective.questions
            if f"q{q.id}-resolve" in request.POST or f"q{q.id}-conflict" in request.POST}


def _conflict_response(request, assessment, step, conflicts, settled) -> HttpResponse:
    """Show the user's own (unsaved) answers next to the colleague's, and ask which to keep.

    Questions settled in this same submit (saved, or resolved in the colleague's favour) show
    what is now stored, so a later submit does not write the user's old values over them.
    """
    data = request.POST.copy()
    for question_id, stored in settled.items():
        _put_answer(data, question_id, stored)
        for key in (f"q{question_id}-resolve", f"q{question_id}-conflict"):
            data.pop(key, None)
    for question_id, theirs in conflicts.items():
        data[f"q{question_id}-version"] = str(theirs.version if theirs else 0)
        data[f"q{question_id}-original"] = services.answer_fingerprint(
            services.AnswerValues.of(theirs))
        data.pop(f"q{question_id}-resolve", None)
        data[f"q{question_id}-conflict"] = "1"
    result = readmodel.assessment_result(assessment)
    wizard = Wizard(assessment, result)
    perspective = wizard.perspective_at(step)
    new_form = PerspectiveStepForm(data, perspective=perspective, conflicts=conflicts)
    new_form.is_valid()
    conflict_views = [q for q in perspective.questions if q.id in conflicts]
    return render(request, "assessments/step.html", {
        **wizard.context(step), "form": new_form, "conflicts": conflict_views,
    }, status=409)


def _put_answer(data, question_id: int, answer) -> None:
    """Write a stored answer into form data, as the page would show it freshly loaded."""
    prefix = f"q{question_id}"
    if answer is None:
        return
    data[f"{prefix}-answer"] = str(answer.score) if answer.kind == "score" else answer.kind
    data[f"{prefix}-reason"] = answer.na_reason
    data[f"{prefix}-note"] = answer.note
    data[f"{prefix}-version"] = str(answer.version)
    data[f"{prefix}-original"] = services.answer_fingerprint(services.AnswerValues.of(answer))


def _intro_step(request: HttpRequest, assessment: Assessment, wizard: Wizard) -> HttpResponse:
    project = assessment.project
    form = CharacteristicsForm(submitted_data(request), instance=project)
    if request.method != "POST":
        return render(request, "assessments/intro.html", {**wizard.context(0), "form": form})
    target = wizard.target_step(0, request.POST.get("navigate", "next"))
    if target is None:
        return bad_request(request)
    if not form.is_valid():
        return render(request, "assessments/intro.html",
                      {**wizard.context(0), "form": form}, status=400)
    set_aside_before = _answers_set_aside(wizard.result)

    def saved():
        project.refresh_from_db()
        set_aside = _answers_set_aside(readmodel.assessment_result(assessment))
        _tell_answers_set_aside(request, hidden=len(set_aside - set_aside_before),
                                back=len(set_aside_before - set_aside))
        return _after_save(request, assessment, target)
    return save_shared(request, form, "assessments/intro.html", wizard.context(0), saved)


def _answers_set_aside(result) -> set[int]:
    """The questions answered that the project's characteristics and phase make not applicable:
    their answers are kept, and not counted."""
    return {q.id for q in result.questions if not q.applicable and q.answer is not None}


def _tell_answers_set_aside(request: HttpRequest, *, hidden: int, back: int) -> None:
    # Changed characteristics never delete an answer, but without a word the answers to
    # questions that no longer apply would seem lost (and the scores change with them).
    if hidden:
        messages.info(request, ngettext(
            "Met deze kenmerken is %(count)s beantwoorde vraag niet meer van toepassing. Het "
            "antwoord blijft bewaard, maar telt niet mee. Zet u de kenmerken terug, dan telt "
            "het weer mee.",
            "Met deze kenmerken zijn %(count)s beantwoorde vragen niet meer van toepassing. De "
            "antwoorden blijven bewaard, maar tellen niet mee. Zet u de kenmerken terug, dan "
            "tellen ze weer mee.", hidden) % {"count": hidden})
    if back:
        messages.info(request, ngettext(
            "%(count)s eerder gegeven antwoord telt weer mee: de vraag is met deze kenmerken "
            "weer van toepassing.",
            "%(count)s eerder gegeven antwoorden tellen weer mee: de vragen zijn met deze "
            "kenmerken weer van toepassing.", back) % {"count": back})


@login_required
@require_POST
def answer_autosave(request: HttpRequest, pk: int, question_id: int) -> JsonResponse:
    """Background save of one answer (JavaScript enhancement of the step form)."""
    try:
        assessment = assessment_for_user(request.user, pk, write=True)
    except RatingNotSubmitted as exc:
        # A script reads this answer: JSON, as the endpoint's other refusals.
        return JsonResponse({
            "status": "rating_pending",
            "message": _("Eerst uw eigen scores: dien ze in voordat u de beoordeling bewerkt."),
            "url": reverse("assessments:rating_step", args=[exc.round_id, 0]),
        }, status=403)
    if not assessment.is_concept:
        return JsonResponse({"status": "locked", "message": _("Deze beoordeling is afgerond.")},
                            status=409)
    result = readmodel.assessment_result(assessment)
    question_view = next((q for q in result.questions if q.id == question_id and q.applicable),
                         None)
    if question_view is None:
        return JsonResponse({"status": "not_found"}, status=404)
    perspective = next(p for p in result.perspectives if question_view in p.questions)
    single = PerspectiveStepForm(request.POST, perspective=perspective)
    single.fields = {k: v for k, v in single.fields.items() if k.startswith(f"q{question_id}-")}
    if not single.is_valid():
        errors = [str(e) for errs in single.errors.values() for e in errs]
        return JsonResponse({"status": "invalid", "errors": errors}, status=400)
    values = single.submitted(question_view)
    if values is None:
        return JsonResponse({"status": "unchanged"})
    try:
        outcome = services.answer_save(assessment=assessment, question=_question(question_id),
                                       user=request.user, values=values,
                                       base_version=single.base_version(question_view))
    except services.AssessmentLocked:
        return JsonResponse({"status": "locked", "message": _("Deze beoordeling is afgerond.")},
                            status=409)
    answer = outcome.answer
    payload = {
        "status": outcome.status,
        "version": answer.version if answer else 0,
        "original": services.answer_fingerprint(services.AnswerValues.of(answer)),
    }
    if outcome.status != "conflict":
        # The step list's counts, with this answer as now stored (no second read of the rest).
        question_view.answer = answer
        wizard = Wizard(assessment, result)
        payload["steps"] = [
            {"number": link.number, "state": link.state, "label": str(link.state_label)}
            for link in (wizard.perspective_link(perspective, perspective.step),
                         wizard.review_link(perspective.step))
        ]
    if outcome.status == "conflict":
        payload["message"] = _("Een collega heeft dit antwoord intussen gewijzigd. Kies "
                               "‘Opslaan’ om beide antwoorden te zien en te kiezen.")
        return JsonResponse(payload, status=409)
    return JsonResponse(payload)


@login_required
@require_POST
def assessment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk, write=True)
    if not assessment.is_concept:
        return _locked_redirect(request, assessment)
    try:
        services.assessment_complete(assessment=assessment, user=request.user)
    except services.AssessmentLocked:
        return _locked_redirect(request, assessment)  # completed a moment ago (double click)
    except services.AssessmentIncomplete:
        messages.error(request, _("De beoordeling kan nog niet worden afgerond: beantwoord eerst "
                                  "alle vragen die van toepassing zijn."))
        review = Wizard(assessment, readmodel.assessment_result(assessment)).review_step
        return redirect("assessments:step", pk=pk, step=review)
    messages.success(request, _("De beoordeling is afgerond."))
    return redirect("assessments:results", pk=pk)


@login_required
@require_POST
def assessment_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk, write=True)
    if not assessment.is_completed:
        return redirect("assessments:resume", pk=pk)
    copy, created = services.assessment_reopen_or_resume(assessment=assessment, user=request.user)
    if created:
        messages.success(request, _("Er is een nieuwe conceptbeoordeling gemaakt op basis van de "
                                    "afgeronde. De afgeronde beoordeling blijft bewaard."))
    else:
        messages.info(request, _("Dit project heeft al een conceptbeoordeling. U gaat daarin "
                                 "verder; de afgeronde beoordeling blijft bewaard."))
    return redirect("assessments:step", pk=copy.pk, step=0)


@login_required
def assessment_results(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk)
    can_edit = request.user.membership.can_edit
    example = None
    if can_edit and assessment.is_completed:
        # Published already: the page says so and links it, instead of offering to publish.
        example = example_of_assessment(assessment=assessment)
    return render(request, "assessments/results.html", {
        "assessment": assessment, "project": assessment.project,
        "results": ResultsPresenter.for_assessment(assessment, language=get_language()),
        "can_edit": can_edit, "example": example,
    })


@login_required
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A page of its own, so that an error shows where the user is (not at the foot of the
    results); "Actie toevoegen" beside a perspective's advice pre-selects that perspective."""
    assessment = assessment_for_user(request.user, pk, write=True)
    perspective = Perspective.objects.filter(
        number=_number(request.GET.get("perspectief"))).first()
    form = ActionForm(submitted_data(request), initial={"perspective": perspective})
    context = {"form": form, "assessment": assessment, "action": None,
               "back_url": reverse("assessments:results", kwargs={"pk": pk})
               + (f"#perspectief-{perspective.number}" if perspective else "#acties")}
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(assessment=assessment, user=request.user, **form.submitted())
        except services.ActionLimitReached:
            form.add_error(None, _(
                "Een beoordeling kan ten hoogste %(max)s verbeteracties hebben. Voeg acties samen "
                "of verwijder er een voordat u een nieuwe toevoegt.") % {
                    "max": ACTIONS_PER_ASSESSMENT})
        else:
            messages.success(request, _("De verbeteractie is toegevoegd."))
            return redirect(reverse("assessments:results", kwargs={"pk": pk}) + "#acties")
    return render(request, "assessments/action_form.html", context,
                  status=400 if form.errors else 200)


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 4 else None


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = action_for_user(request.user, pk, write=True)
    form = ActionForm(submitted_data(request), instance=action)
    back_url = reverse("assessments:results", kwargs={"pk": action.assessment_id}) + "#acties"
    context = {"form": form, "action": action, "assessment": action.assessment,
               "back_url": back_url}
    if request.method == "POST" and form.is_valid():
        def saved():
            if action.assessment.is_completed:  # the action plan is in its stored report
                tasks.store_reports_after_commit([action.assessment_id])
            messages.success(request, _("De verbeteractie is opgeslagen."))
            return redirect(back_url)
        return save_shared(request, form, "assessments/action_form.html", context, saved)
    return render(request, "assessments/action_form.html", context,
                  status=400 if form.errors else 200)


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF advice report, for bewerkers and lezers of the municipality: a completed one from
    storage (rendered once, at completion), a concept rendered when it changed."""
    # A stored report's download does not need the frozen result, and decoding its JSON would
    # take most of its time; a render loads it when it needs it. (The access helper leaves the
    # content snapshot unread for every view.)
    assessment = assessment_for_user(request.user, pk, defer=("result",))
    file_name = report.report_file_name(assessment)
    try:
        if assessment.is_completed:
            response = FileResponse(report.stored_report_open(assessment, user=request.user),
                                    as_attachment=True, filename=file_name,
                                    content_type="application/pdf")
        else:
            document, file_name = report.concept_report_pdf(assessment, user=request.user)
            response = HttpResponse(document, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    except report.RenderLimitReached:
        return render(request, "errors/429.html", {
            "message": _("U heeft in korte tijd veel rapporten laten maken. Een rapport dat al "
                         "eens is gemaakt en niet is veranderd, kunt u wel meteen downloaden; "
                         "voor een nieuw rapport kunt u het over een paar minuten opnieuw "
                         "proberen."),
        }, status=429)
    audit_assessment(user=request.user, kind=AuditKind.REPORT_DOWNLOADED, assessment=assessment)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def report_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's HTML, for staff styling the template (same access rules as the report)."""
    assessment = assessment_for_user(request.user, pk)
    if not request.user.is_staff:
        raise PermissionDenied
    presenter = report.ReportPresenter.for_assessment(assessment)
    return HttpResponse(report.report_html(presenter, for_pdf=False, csp_nonce=str(request.csp_nonce)))


# Rating rounds: colleagues score a concept independently, then choose its answers together.

@login_required
def round_start(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk, write=True)
    if not assessment.is_concept:
        return _locked_redirect(request, assessment)
    existing = selectors.latest_round(assessment=assessment)
    if existing is not None and existing.is_open:
        messages.info(request, _("Voor deze beoordeling loopt al een ronde."))
        return redirect("assessments:round_discussion", pk=existing.pk)
    form = RatingRoundForm(submitted_data(request),
                           municipality=request.user.membership.municipality)
    if request.method == "POST" and form.is_valid():
        raters = form.cleaned_data["raters"]
        try:
            rating_round = services.rating_round_start(assessment=assessment, user=request.user,
                                                       raters=raters)
        except services.AssessmentLocked:
            return _locked_redirect(request, assessment)
        except services.RoundAlreadyOpen:
            messages.info(request, _("Voor deze beoordeling loopt al een ronde."))
            return redirect("assessments:round_discussion",
                            pk=selectors.latest_round(assessment=assessment).pk)
        messages.success(request, _("De ronde is gestart. Uw collega's vinden hun scores op de "
                                    "pagina van het project."))
        if any(rater.pk == request.user.pk for rater in raters):
            return redirect("assessments:rating_step", pk=rating_round.pk, step=0)
        return redirect("assessments:round_discussion", pk=rating_round.pk)
    return render(request, "assessments/rating/round_form.html", {
        "form": form, "assessment": assessment, "project": assessment.project,
    }, status=400 if form.errors else 200)


def _rating_closed_redirect(request: HttpRequest, rater) -> HttpResponse:
    """A rater who submitted reads the discussion; a closed round or assessment ends rating."""
    rater.refresh_from_db(fields=["submitted_at"])  # perhaps submitted from another tab since
    if rater.is_submitted:
        messages.info(request, _("U hebt uw scores al ingediend; ze liggen vast."))
        return redirect("assessments:round_discussion", pk=rater.round_id)
    messages.info(request, _("Deze ronde is gesloten: er kan niet meer worden gescoord."))
    return redirect("assessments:project_detail", pk=rater.round.assessment.project_id)


@login_required
def rating_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    """A rater's own questionnaire: the wizard's steps, with their own scores only."""
    rater = rater_for_user(request.user, pk)
    rating_round = rater.round
    assessment = rating_round.assessment
    if rater.is_submitted or not rating_round.is_open or not assessment.is_concept:
        return _rating_closed_redirect(request, rater)
    result = readmodel.assessment_result(assessment, answers=selectors.ratings_of(rater=rater))
    wizard = Wizard(assessment, result, step_url="assessments:rating_step",
                    step_pk=rating_round.pk, for_rater=True)
    if not 0 <= step <= wizard.review_step:
        return redirect("assessments:rating_step", pk=pk, step=0)
    context = {**wizard.context(step), "rating_round": rating_round}
    if step == 0:
        return render(request, "assessments/rating/intro.html", context)
    if step == wizard.review_step:
        return render(request, "assessments/rating/review.html", context)
    perspective = wizard.perspective_at(step)
    if request.method != "POST":
        return render(request, "assessments/rating/step.html",
                      {**context, "form": PerspectiveStepForm(perspective=perspective)})
    target = wizard.target_step(step, request.POST.get("navigate", "next"))
    if target is None:
        return bad_request(request)
    form = PerspectiveStepForm(request.POST, perspective=perspective)
    if not form.is_valid():
        return render(request, "assessments/rating/step.html", {**context, "form": form},
                      status=400)
    try:
        for question in form.questions:
            values = form.submitted(question)
            if values is not None and form.changed_by_user(question):
                services.rating_save(rater=rater, question=_question(question.id), values=values)
    except services.RatingClosed:
        return _rating_closed_redirect(request, rater)
    if request.POST.get("navigate") == "later":
        messages.success(request, _("Uw scores zijn opgeslagen. Alleen u ziet ze, tot u ze "
                                    "indient."))
        return redirect("assessments:project_detail", pk=assessment.project_id)
    return redirect("assessments:rating_step", pk=pk, step=target)


@login_required
@require_POST
def rating_submit(request: HttpRequest, pk: int) -> HttpResponse:
    rater = rater_for_user(request.user, pk)
    try:
        services.rating_submit(rater=rater)
    except services.RatingClosed:
        return _rating_closed_redirect(request, rater)
    messages.success(request, _("Uw scores zijn ingediend. U ziet nu ook die van uw collega's."))
    return redirect("assessments:round_discussion", pk=pk)


@login_required
def round_discussion(request: HttpRequest, pk: int) -> HttpResponse:
    rating_round = rating_round_for_user(request.user, pk)
    return _discussion(request, DiscussionPresenter(
        rating_round, can_choose=request.user.membership.can_edit))


def _discussion(request: HttpRequest, presenter: DiscussionPresenter, *, form=None,
                status: int = 200) -> HttpResponse:
    return render(request, "assessments/rating/discussion.html", {
        "page": presenter, "assessment": presenter.assessment, "project": presenter.project,
        "rating_round": presenter.round, "form": form,
    }, status=status)


@login_required
@require_POST
def round_choose(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    """The group's answer to one question, saved as the assessment's answer."""
    rating_round = rating_round_for_user(request.user, pk, write=True)
    assessment = rating_round.assessment
    if not assessment.is_concept:
        return _locked_redirect(request, assessment)
    result = readmodel.assessment_result(assessment)
    question = next((q for q in result.questions if q.id == question_id and q.applicable), None)
    if question is None:
        raise Http404
    form = ChosenAnswerForm(request.POST, question=question)
    if not form.is_valid():
        return _discussion(request, DiscussionPresenter(rating_round, can_choose=True, bound=form),
                           form=form, status=400)
    try:
        outcome = services.answer_choose(
            rating_round=rating_round, question=_question(question.id), user=request.user,
            values=form.submitted(question), base_version=form.base_version(question))
    except services.AssessmentLocked:
        return _locked_redirect(request, assessment)
    if outcome.status == "conflict":
        # Nothing was written: show the colleague's answer, and let a new choice replace it.
        data = request.POST.copy()
        stored = outcome.answer
        data[f"q{question.id}-version"] = str(stored.version if stored else 0)
        data[f"q{question.id}-original"] = services.answer_fingerprint(
            services.AnswerValues.of(stored))
        again = ChosenAnswerForm(data, question=question)
        again.is_valid()
        return _discussion(request, DiscussionPresenter(rating_round, can_choose=True,
                                                        bound=again, conflict=stored),
                           status=409)
    messages.success(request, _("Het antwoord op vraag %(code)s is vastgelegd.") % {
        "code": question.code})
    return redirect(reverse("assessments:round_discussion", args=[pk]) + f"#vraag-{question.code}")


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    rating_round = rating_round_for_user(request.user, pk, write=True)
    services.rating_round_close(rating_round=rating_round, user=request.user)
    messages.success(request, _("De ronde is gesloten. Wie nog niet had ingediend, kan niet "
                                "meer scoren."))
    return redirect("assessments:round_discussion", pk=pk)
