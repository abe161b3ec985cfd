from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from org_hierarchy.models import Level, Role
from org_hierarchy.roles import permission_for

from . import selectors, services, views
from .locks import flow_lock
from .models import NominationProcess
from .nodes import SubmitterTask, Switch
from .stages import returned_by, stage


class NominationFlow(flow.Flow):
    """Commendation nomination

    A dossier climbs its stored route, commune, province, ministry, until the authority that decides it.
    """

    process_title = _("Commendation nomination")
    process_description = _(
        "A dossier climbs its stored route, commune, province, ministry, until the authority that decides it."
    )
    process_class = NominationProcess
    lock_impl = flow_lock

    submit = (
        flow.Start(views.SubmitView.as_view())
        .Annotation(title=_("Submit a dossier"))
        .Available(selectors.may_submit)
        .Next(this.commune_entry)
    )

    # commune -> province -> ministry: the same steps; stage unit, deadline and titles differ by level
    (
        commune_entry,
        commune_appraise,
        commune_appraised,
        commune_consult,
        commune_consultation,
        commune_consulted,
        commune_council,
        commune_vote,
        commune_voted,
        commune_sign,
        commune_signed,
    ) = stage(Level.COMMUNE, next_stage=this.province_entry)
    (
        province_entry,
        province_appraise,
        province_appraised,
        province_consult,
        province_consultation,
        province_consulted,
        province_council,
        province_vote,
        province_voted,
        province_sign,
        province_signed,
    ) = stage(Level.PROVINCE, next_stage=this.ministry_entry)
    (
        ministry_entry,
        ministry_appraise,
        ministry_appraised,
        ministry_consult,
        ministry_consultation,
        ministry_consulted,
        ministry_council,
        ministry_vote,
        ministry_voted,
        ministry_sign,
        ministry_signed,
    ) = stage(Level.MINISTRY, next_stage=this.rejected)  # a route never goes past the ministry

    # submitter lane: return for supplement comes back to the stage that returned it
    supplement = (
        SubmitterTask(views.SupplementView.as_view())
        .Annotation(title=_("Supplement the dossier"))
        .Permission(permission_for(Role.SUBMITTER), obj=lambda process: process.dossier.originating_unit)
        .Assign(this.submitter)
        .onCreate(this.announce_task)
        .Next(this.resubmitted)
    )
    resubmitted = (
        Switch()
        .Annotation(title=_("Back to the stage that returned it"))
        .Case(this.commune_appraise, returned_by(Level.COMMUNE))
        .Case(this.province_appraise, returned_by(Level.PROVINCE))
        .Default(this.ministry_appraise)
    )

    decided = flow.End().Annotation(title=_("Decision issued"))
    rejected = flow.End().Annotation(title=_("Rejected"))

    def has_view_permission(self, user, obj=None):
        # viewflow lets any holder of the global view permission see every process (issue #505): scope by tree.
        if obj is None:
            return selectors.may_use_workflow(user=user)
        return selectors.process_is_visible(user=user, process_id=obj.pk)

    def submitter(self, activation):
        return activation.process.dossier.created_by

    def consulted_units(self, activation):
        return [{"unit_id": unit_id} for unit_id in activation.process.consult_unit_ids]

    def announce_task(self, activation):
        services.task_announce(activation=activation)
