from django.urls import path

from . import views

app_name = "examples"
urlpatterns = [
    path("voorbeelden/", views.library, name="library"),
    path("voorbeelden/<int:pk>/", views.example_detail, name="detail"),
    path("voorbeelden/<int:pk>/starten/", views.example_start, name="start"),
    path("voorbeelden/<int:pk>/intrekken/", views.example_withdraw, name="withdraw"),
    path("gemeente/beoordelingen/<int:pk>/publiceren/", views.example_publish, name="publish"),
]
