from django.core.management.base import BaseCommand

from crm.services.evidence_recheck import HELD_FOR_REVIEW, evidence_recheck

HELD = "held for an operator's review (too many objects to check)"


class Command(BaseCommand):
    help = (
        "Read every stored evidence file (PDFs and photos) through today's upload check; remove from its case each "
        "one the check refuses (its file is kept in storage, for audit; ADR 0047), and holds for an operator's review "
        "a PDF of too many objects to check. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would be removed; change nothing.")

    def handle(self, *args, dry_run: bool, **options):
        report = evidence_recheck(dry_run=dry_run)
        words = {"missing": "missing from storage", HELD_FOR_REVIEW: HELD}
        for refused in [*report.refused, *report.held, *report.missing]:
            reason = words.get(refused.reason, refused.reason)
            self.stdout.write(f"evidence #{refused.evidence_id} (case #{refused.case_id}): {reason}")
        files = f"{report.checked} file{'' if report.checked == 1 else 's'}"
        if dry_run:
            self.stdout.write(f"checked {files}: {len(report.refused)} would be removed (dry run)")
        else:
            self.stdout.write(
                f"checked {files}: {len(report.refused)} removed, {report.already} already removed, "
                f"{len(report.missing)} missing from storage"
            )
        if report.held:
            would = "would be " if dry_run else ""
            self.stdout.write(f"{len(report.held)} {would}held for an operator's review: too many objects to check")
        if report.lifted:
            self.stdout.write(f"{report.lifted} kept: an operator lifted its removal for the same reason")
