from django.urls import path, register_converter

from . import views


class ExportFormat:
    regex = "xlsx|pdf"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "fmt")

app_name = "reports"

urlpatterns = [
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("statistics/export.<fmt:fmt>", views.StatisticsExportView.as_view(), name="statistics_export"),
    path("statistics/nominees/", views.NomineeListView.as_view(), name="nominees"),
    path("yearly/", views.YearlyReportListView.as_view(), name="yearly_list"),
    path("yearly/<int:campaign>/<int:year>/<int:unit>/", views.YearlyReportView.as_view(), name="yearly_report"),
    path(
        "yearly/<int:campaign>/<int:year>/<int:unit>/finalise/",
        views.YearlyReportFinaliseView.as_view(),
        name="yearly_finalise",
    ),
    path(
        "yearly/<int:campaign>/<int:year>/<int:unit>/export.<fmt:fmt>",
        views.YearlyReportExportView.as_view(),
        name="yearly_export",
    ),
]
