from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from org_hierarchy.models import Level, Role
from org_hierarchy.roles import permission_for

from . import selectors, services, views
from .locks import flow_lock
from .models import NominationProcess
from .nodes import End, Outcome, SubmitterTask, Switch
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

    # commune -> province -> ministry: the same steps; stage unit, deadline and titles differ by level.
    # The ministry is the last stage of every route: no forward from it.
    _commune = stage(Level.COMMUNE, next_stage=this.province_entry)
    commune_entry = _commune.entry
    commune_appraise = _commune.appraise
    commune_appraised = _commune.appraised
    commune_consult = _commune.consult
    commune_consultation = _commune.consultation
    commune_consulted = _commune.consulted
    commune_council = _commune.council
    commune_posting = _commune.posting
    commune_vote = _commune.vote
    commune_voted = _commune.voted
    commune_sign = _commune.sign
    commune_signed = _commune.signed

    _province = stage(Level.PROVINCE, next_stage=this.ministry_entry)
    province_entry = _province.entry
    province_appraise = _province.appraise
    province_appraised = _province.appraised
    province_consult = _province.consult
    province_consultation = _province.consultation
    province_consulted = _province.consulted
    province_council = _province.council
    province_posting = _province.posting
    province_vote = _province.vote
    province_voted = _province.voted
    province_sign = _province.sign
    province_signed = _province.signed

    _ministry = stage(Level.MINISTRY)
    ministry_entry = _ministry.entry
    ministry_appraise = _ministry.appraise
    ministry_appraised = _ministry.appraised
    ministry_consult = _ministry.consult
    ministry_consultation = _ministry.consultation
    ministry_consulted = _ministry.consulted
    ministry_council = _ministry.council
    ministry_posting = _ministry.posting
    ministry_vote = _ministry.vote
    ministry_voted = _ministry.voted
    ministry_sign = _ministry.sign
    ministry_signed = _ministry.signed
    del _commune, _province, _ministry

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

    # the outcomes a stage's gateways lead to: the flow acts, each node calling its one service
    issue_decision = (
        Outcome(services.outcome_issue_decision).Annotation(title=_("Issue the decision")).Next(this.decided)
    )
    reject = Outcome(services.outcome_reject).Annotation(title=_("Reject the dossier")).Next(this.rejected)
    return_for_supplement = (
        Outcome(services.outcome_return).Annotation(title=_("Return the dossier for supplement")).Next(this.supplement)
    )

    decided = End().Annotation(title=_("Decision issued"))
    rejected = End().Annotation(title=_("Rejected"))

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
