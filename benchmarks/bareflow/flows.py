"""A flow with the nodes the ministry route passes, each stage as in ``workflows.stages``, and no services.

Per stage: entry gateway, appraise, two gateways (appraisal outcome, council needed?), vote, one gateway (anyone
passed?), sign, one gateway (the head's decision); the ministry's decision ends the process. The human steps are
viewflow's ``View`` nodes and the gateways its ``Switch``: what viewflow itself writes for the same journey. The
project keeps field history of task rows (``workflows.models``); this flow's rows are left out of it.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpResponse
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Task


def _nothing(request, **kwargs):
    return HttpResponse()


def _always(activation):
    return True


def _stage(name, *, then):
    def ref(step):
        return getattr(this, f"{name}_{step}")

    return (
        flow.Switch().Case(ref("appraise"), _always).Default(then),
        flow.View(_nothing).Next(ref("appraised")),
        flow.Switch().Case(ref("council"), _always).Default(then),
        flow.Switch().Case(ref("vote"), _always).Default(ref("sign")),
        flow.View(_nothing).Next(ref("voted")),
        flow.Switch().Case(ref("sign"), _always).Default(then),
        flow.View(_nothing).Next(ref("signed")),
        flow.Switch().Case(then, _always).Default(then),
    )


class BareFlow(flow.Flow):
    lock_impl = lock.select_for_update_lock

    start = flow.Start(_nothing).Next(this.commune_entry)
    (
        commune_entry,
        commune_appraise,
        commune_appraised,
        commune_council,
        commune_vote,
        commune_voted,
        commune_sign,
        commune_signed,
    ) = _stage("commune", then=this.province_entry)
    (
        province_entry,
        province_appraise,
        province_appraised,
        province_council,
        province_vote,
        province_voted,
        province_sign,
        province_signed,
    ) = _stage("province", then=this.ministry_entry)
    (
        ministry_entry,
        ministry_appraise,
        ministry_appraised,
        ministry_council,
        ministry_vote,
        ministry_voted,
        ministry_sign,
        ministry_signed,
    ) = _stage("ministry", then=this.decided)
    decided = flow.End()


@receiver(pre_save, sender=Task)
def _no_history(sender, instance, **kwargs):
    if instance.flow_task.flow_class is BareFlow:
        instance.skip_history_when_saving = True
