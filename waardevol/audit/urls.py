from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("geschiedenis/", views.municipality_history, name="municipality_history"),
    path("geschiedenis.csv", views.municipality_history_csv, name="municipality_history_csv"),
    path("projecten/<int:pk>/geschiedenis/", views.project_history, name="project_history"),
    path("projecten/<int:pk>/geschiedenis.csv", views.project_history_csv,
         name="project_history_csv"),
    path("beoordelingen/<int:pk>/geschiedenis/", views.assessment_history,
         name="assessment_history"),
    path("beoordelingen/<int:pk>/geschiedenis.csv", views.assessment_history_csv,
         name="assessment_history_csv"),
]
