"""What adherence a day records is a field of the arm (Arm.adherence), never read from its code."""

from django.urls import reverse

from enrollment.models import AdherenceKind, Arm


def test_an_arm_whose_code_says_nothing_still_gets_the_massage_question(study, make_participant, client_for):
    arm = Arm.objects.create(study=study, code="pijat", label_id="Pijat", label_en="Massage", adherence="massage")
    participant = make_participant(arm=arm)
    form = client_for("midwife.srp1").get(reverse("observations:form", args=[participant.pk, 1])).context["form"]
    assert "massage_minutes" in form.fields


def test_an_arm_code_containing_massage_asks_the_dose_question_when_its_field_says_dose(
    study, make_participant, client_for
):
    arm = Arm.objects.create(study=study, code="no_massage", label_id="Tanpa", label_en="Without", adherence="dose")
    participant = make_participant(arm=arm)
    form = client_for("midwife.srp1").get(reverse("observations:form", args=[participant.pk, 1])).context["form"]
    assert "massage_minutes" not in form.fields


def test_the_demo_arms_say_what_they_record(study):
    assert dict(study.arms.values_list("code", "adherence")) == {
        "moringa": AdherenceKind.DOSE,
        "oxytocin_massage": AdherenceKind.MASSAGE,
    }
