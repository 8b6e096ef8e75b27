from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("projecten.csv", views.overview_csv, name="overview_csv"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("portfolio/acties.csv", views.portfolio_actions_csv, name="portfolio_actions_csv"),
    path("portfolio/portfolio.pdf", views.portfolio_pdf, name="portfolio_pdf"),
    path("projecten/nieuw/", views.project_create, name="project_create"),
    path("projecten/<int:pk>/", views.project_detail, name="project_detail"),
    path("projecten/<int:pk>/vergelijken/", views.project_compare, name="project_compare"),
    path("projecten/<int:pk>/bewerken/", views.project_edit, name="project_edit"),
    path("projecten/<int:pk>/beoordelen/", views.assessment_start, name="assessment_start"),
    path("beoordelingen/<int:pk>/", views.assessment_resume, name="resume"),
    path("beoordelingen/<int:pk>/stap/<int:step>/", views.assessment_step, name="step"),
    path("beoordelingen/<int:pk>/antwoord/<int:question_id>/", views.answer_autosave,
         name="answer_autosave"),
    path("beoordelingen/<int:pk>/afronden/", views.assessment_complete, name="complete"),
    path("beoordelingen/<int:pk>/heropenen/", views.assessment_reopen, name="reopen"),
    path("beoordelingen/<int:pk>/verwijderen/", views.assessment_delete, name="delete"),
    path("beoordelingen/<int:pk>/resultaten/", views.assessment_results, name="results"),
    path("beoordelingen/<int:pk>/acties/nieuw/", views.action_create, name="action_create"),
    path("beoordelingen/<int:pk>/rapport.pdf", views.report_download, name="report_pdf"),
    path("beoordelingen/<int:pk>/rapport/voorbeeld/", views.report_preview, name="report_preview"),
    path("acties/<int:pk>/", views.action_edit, name="action_edit"),
    path("beoordelingen/<int:pk>/ronde/nieuw/", views.round_start, name="round_start"),
    path("rondes/<int:pk>/mijn-scores/stap/<int:step>/", views.rating_step, name="rating_step"),
    path("rondes/<int:pk>/mijn-scores/indienen/", views.rating_submit, name="rating_submit"),
    path("rondes/<int:pk>/bespreking/", views.round_discussion, name="round_discussion"),
    path("rondes/<int:pk>/bespreking/<int:question_id>/", views.round_choose,
         name="round_choose"),
    path("rondes/<int:pk>/sluiten/", views.round_close, name="round_close"),
]
