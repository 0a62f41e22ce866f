from django.core.management.base import BaseCommand, CommandError

from trialsite import auditchain


class Command(BaseCommand):
    help = (
        "Recompute the audit hash chain and name the first event that does not match; "
        "the result is stored and shown on the audit trail page. Exits 1 when the chain is broken."
    )

    def handle(self, *args, **options):
        report = auditchain.verify_chain()
        verification = auditchain.record_verification(report)
        if not report.intact:
            raise CommandError(
                f"Audit trail BROKEN at {report.first_broken or 'the end of the chain'}: "
                f"{auditchain.describe(report.problem)} ({report.events_checked} events checked, "
                f"{verification.checked_at:%Y-%m-%d %H:%M:%S %Z})."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit trail intact: {report.events_checked} events, head {report.head or '-'}.")
        )
