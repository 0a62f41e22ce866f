"""A small trial with planted free text, and a crawler that requests every URL pattern and every API
endpoint of the OpenAPI schema with its path parameters filled from that trial.

Used by test_masked_crawl.py: what a masked investigator may not see, and what an investigator
may not read (real participant IDs, calendar dates of participant events, free text).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import dateformat, timezone, translation
from pypdf import PdfReader

from enrollment import exclusion, services
from enrollment.models import Participant, Screening, StudyControl
from observations import services as observation_services
from observations.models import Adherence, Observation
from observations.safety import adverse_events, deviations, queries

# Every free text a person can type about a mother: none may reach a de-identified viewer.
PLANTED = {
    "note": "Catatan-tanam-NOTE ibu tinggal dekat pasar",
    "deviation_reason": "Alasan-tanam-LATE ibu di rumah orang tua",
    "correction": "Alasan-tanam-FIX salah ketik timbangan",
    "withdrawal": "Alasan-tanam-WITHDRAW pindah ke Medan",
    "exclusion": "Alasan-tanam-EXCLUDE protokol dilanggar",
    "rationale": "Alasan-tanam-ASSIGN jadwal kunjungan",
    "unlock": "Alasan-tanam-UNLOCK verifikasi ulang",
    "ae_description": "Narasi-tanam-AE demam setelah menyusui",
    "ae_other": "Istilah-tanam-OTHER ruam kulit",
    "ae_follow_up": "Alasan-tanam-FOLLOWUP kabar dari keluarga",
    "query": "Pertanyaan-tanam-QUERY berat bayi tidak wajar",
    "answer": "Jawaban-tanam-ANSWER sudah ditimbang ulang",
    "deviation": "Uraian-tanam-DEVIATION kunjungan terlambat",
    "corrective": "Tindakan-tanam-CORRECTIVE kunjungan ulang",
    "preventive": "Tindakan-tanam-PREVENTIVE jadwal pengingat",
}
NAMES = ("Siti Tanam Aminah", "Dewi Tanam Lestari", "Rina Tanam Wati", "Nur Tanam Halimah")
PHONES = ("081298760001", "081298760002", "081298760003", "081298760004")


@dataclass
class Trial:
    participants: list[Participant]
    observations: list[Observation] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)  # path keyword -> a pk to put in URLs

    def forbidden_dates(self) -> set[date]:
        """Every calendar date of a participant event (never today: pages may show today's date)."""
        dates = set()
        for p in Participant.objects.filter(pk__in=[p.pk for p in self.participants]):
            dates |= {p.enrolled_on, p.intervention_start, p.status_date, p.delivery_date, p.date_of_birth}
            dates |= {p.intervention_start + timedelta(days=d) for d in range(-2, p.study.n_days + 2)}
        for s in Screening.objects.filter(participant__in=self.participants):
            dates.add(s.screened_on)
        return dates - {None, timezone.localdate()}


def date_spellings(day: date) -> set[str]:
    """The ways a page or a file may write ``day``: ISO, day/month/year, and in words in each language."""
    spelled = {day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%d-%m-%Y"), day.strftime("%Y%m%d")}
    for language in ("id", "en"):
        with translation.override(language):
            spelled |= {dateformat.format(day, f) for f in ("j N Y", "j F Y", "N j, Y", "F j, Y", "j M Y")}
    return spelled


def _mother(n: int, screened_on: date) -> services.MotherDetails:
    return services.MotherDetails(
        full_name=NAMES[n], phone=PHONES[n], date_of_birth=screened_on - timedelta(days=9000 + 37 * n),
        delivery_date=screened_on - timedelta(days=2), delivery_mode="vaginal", parity=1 + n % 3,
        infant_birth_weight_g=3000 + 10 * n,
    )  # fmt: skip


def _enrol(study, site, arm, by, start: date, n: int) -> Participant:
    answers = {c.code: c.kind == "inclusion" for c in study.criteria.all()}
    screening = services.screen_mother(
        site=site, by=by, screened_on=start - timedelta(days=1), mother=_mother(n, start - timedelta(days=1)),
        answers=answers,
    )  # fmt: skip
    return services.enroll_participant(
        screening=screening, by=by, enrolled_on=start - timedelta(days=1), intervention_start=start, arm=arm,
        consent=services.ConsentDetails(consented_on=start - timedelta(days=1), form_version="1.0"),
        rationale=PLANTED["rationale"],
    )  # fmt: skip


def _values(participant: Participant, observed_on: date, day: int) -> dict:
    massage = participant.arm.adherence == "massage"
    return {
        "observed_on": observed_on, "feeds_24h": 8 + day % 3, "wet_diapers_24h": 6, "breast_full_then_soft": True,
        "sleep_after_feed_hours": Decimal("2.5"), "adherence": Adherence.YES if massage else Adherence.PARTLY,
        "massage_minutes": 20 if massage else None,
    }  # fmt: skip


def _observe(trial: Trial, participant: Participant, by) -> None:
    schedule = participant.schedule
    for day in range(1, participant.study.n_days + 1):
        values = _values(participant, schedule.target(day), day)
        if day == 3:
            values["notes"] = PLANTED["note"]
        if day == 4:
            values.update(
                observed_on=schedule.target(day) + timedelta(days=3), deviation_reason=PLANTED["deviation_reason"]
            )
        trial.observations.append(
            observation_services.record_observation(participant=participant, day=day, values=values, by=by)
        )


def build_trial(study, cast) -> Trial:
    """Four mothers (two per arm, both sites) enrolled 60 days ago, every free text planted once."""
    coordinator, start = cast["coordinator"], timezone.localdate() - timedelta(days=60)
    arms, sites = list(study.arms.order_by("order")), list(study.sites.order_by("order"))
    midwives = {s.pk: cast[f"midwife.{s.code.lower()}"] for s in sites}
    people = [_enrol(study, sites[n % 2], arms[n // 2], midwives[sites[n % 2].pk], start + timedelta(days=n), n)
              for n in range(4)]  # fmt: skip
    trial = Trial(people)
    for participant in people:
        _observe(trial, participant, midwives[participant.site_id])
    _plant_changes(trial, coordinator)
    _plant_safety(trial, cast)
    StudyControl.objects.update_or_create(study=study, defaults={"outcome_masking": True})
    return trial


def _plant_changes(trial: Trial, coordinator) -> None:
    first, second = trial.participants[0], trial.participants[1]
    obs = trial.observations[1]
    values = {name: getattr(obs, name) for name in ("observed_on", "feeds_24h", "wet_diapers_24h",
                                                    "sleep_after_feed_hours", "breast_full_then_soft", "adherence",
                                                    "massage_minutes")}  # fmt: skip
    observation_services.correct_observation(
        observation=obs, values={**values, "feeds_24h": 11}, by=coordinator, reason=PLANTED["correction"],
        expected_version=obs.version,
    )  # fmt: skip
    observation_services.verify_observations(observations=Observation.objects.filter(pk=obs.pk), by=coordinator)
    observation_services.unlock_observation(
        observation=Observation.objects.get(pk=obs.pk), by=coordinator, reason=PLANTED["unlock"]
    )
    services.withdraw_participant(
        participant=second, status="withdrawn", on=second.intervention_start + timedelta(days=8),
        reason=PLANTED["withdrawal"], by=coordinator,
    )  # fmt: skip
    exclusion.exclude_from_population(
        participant=trial.participants[2], scope="per_protocol", reason=PLANTED["exclusion"], by=coordinator
    )
    trial.ids.update(participant=first.pk, observation=obs.pk)


def _plant_safety(trial: Trial, cast) -> None:
    coordinator, first = cast["coordinator"], trial.participants[0]
    event = adverse_events.record_adverse_event(
        participant=first, by=coordinator,
        values={"subject": "mother", "onset_date": first.intervention_start + timedelta(days=2), "term": "other",
                "term_other": PLANTED["ae_other"], "severity": "moderate", "serious_hospitalisation": True,
                "relatedness": "unlikely", "expectedness": "unexpected", "action_taken": "none",
                "outcome": "recovered", "resolution_date": first.intervention_start + timedelta(days=5),
                "description": PLANTED["ae_description"]},
    )  # fmt: skip
    event = adverse_events.follow_up_adverse_event(
        event=event, values={**_ae_values(event), "severity": "severe"}, by=coordinator,
        reason=PLANTED["ae_follow_up"], expected_version=event.version,
    )  # fmt: skip
    query = queries.raise_query(participant=first, text=PLANTED["query"], by=coordinator, day=2)
    queries.answer_query(query=query, by=cast["midwife.srp1"], answer=PLANTED["answer"])
    deviation = deviations.record_deviation(
        site=first.site, participant=first, by=coordinator,
        values={"category": "visit_window", "grade": "minor", "description": PLANTED["deviation"],
                "corrective_action": PLANTED["corrective"], "preventive_action": PLANTED["preventive"],
                "occurred_on": first.intervention_start + timedelta(days=3),
                "identified_on": first.intervention_start + timedelta(days=4)},
    )  # fmt: skip
    trial.ids.update(adverse_event=event.pk, query=query.pk, deviation=deviation.pk)


def _ae_values(event) -> dict:
    return {name: getattr(event, name) for name in adverse_events.AE_FIELDS}


# --- Crawling ----------------------------------------------------------------------------------

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\{(\w+)\}")

# The literal path segment before a parameter says what it names.
WHAT = {
    "participants": "participant", "participant": "participant", "screening": "screening", "sites": "site",
    "people": "user", "api-tokens": "user", "site": "site", "screenings": "screening",
    "adverse-events": "adverse_event",
    "queries": "query", "data-queries": "query", "deviations": "deviation", "observation": "observation",
    "observations": "observation", "studies": "study", "day": "day", "template": "template", "analysis": "analysis",
}  # fmt: skip


def patterns(resolvers=None, prefix=""):
    """Every URL pattern of the project, as written (nested includes joined)."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern)


def plain(route: str) -> str:
    """A pattern without regex anchors and escapes; its parameters are left for PARAM to find."""
    return route.replace("^", "").replace("$", "").replace("\\", "")


def _value(route: str, start: int, name: str, values: dict) -> str:
    if name == "app_label":
        return "enrollment"
    if name == "model_name":
        return "participant"
    before = [s for s in route[:start].split("/") if s]
    what = "participant" if route.startswith("audit/") else WHAT.get(before[-1] if before else "", "")
    if what not in values:
        raise LookupError(f"no value for <{name}> in {route}: add it to WHAT")
    return str(values[what])


def fill(route: str, values: dict) -> str:
    """``route`` with every path parameter replaced by a value of the trial."""
    route = plain(route)
    out, last = [], 0
    for match in PARAM.finditer(route):
        name = match.group(2) or match.group(3) or match.group(4)
        out += [route[last : match.start()], _value(route, match.start(), name, values)]
        last = match.end()
    out.append(route[last:])
    url = "".join(out).replace("(?:", "").replace(")?", "").replace("[^/.]+", "")
    return url if url.startswith("/") else "/" + url


def url_values(trial: Trial, study, cast) -> dict:
    return {
        **trial.ids, "screening": trial.participants[0].screening_id, "site": trial.participants[0].site_id,
        "user": cast["midwife.srp1"].pk, "study": study.slug, "day": 2, "template": "participants",
        "analysis": study.slug,
    }  # fmt: skip


def page_urls(values: dict) -> list[str]:
    urls = {fill(p, values) for p in patterns() if not p.startswith("api/") and not p.startswith("admin/")}
    return sorted(u for u in urls if "(?P<format>" not in u)


def api_urls(client: Client, values: dict) -> list[str]:
    """Every GET path of the OpenAPI schema, filled in."""
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    return sorted(fill(path, values) for path, methods in schema["paths"].items() if "get" in methods)


def crawl(client: Client, urls: list[str]) -> dict[str, str]:
    """url -> the body text of every answer that is not a redirect (status 2xx, 4xx); a PDF's text as read."""
    bodies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code < 300 and response.get("Content-Type", "").startswith("application/pdf"):
            bodies[url] = pdf_text(response.content)
        elif response.status_code < 300 and not getattr(response, "streaming", False):
            bodies[url] = response.content.decode("utf-8", "replace")
        elif getattr(response, "streaming", False):
            bodies[url] = b"".join(response.streaming_content).decode("utf-8", "replace")
    return bodies


def pdf_text(content: bytes) -> str:
    """The text of every page, whitespace collapsed (a table row reads "label 2 1 1 0 1")."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
