"""A certificate as a one-page PDF (fpdf2: pure Python, nothing to install on the system)."""

from __future__ import annotations

from fpdf import FPDF

from lms.models import Certificate
from lms.text import hours_number


def _latin1(text: str) -> str:
    # The PDF's built-in fonts cover Latin-1; other characters print as "?", and the
    # verification page (HTML) always shows the exact name.
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(
    certificate: Certificate, verify_url: str, site_name: str, *, badge: bool = False
) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin1(f"Certificate: {certificate.course_title}"))
    pdf.set_author(_latin1(site_name))
    pdf.add_page()
    pdf.set_draw_color(29, 107, 95)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(35)
    pdf.set_font("Helvetica", "", 16)
    provider = certificate.provider or site_name
    pdf.cell(0, 10, _latin1(provider), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 30)
    pdf.cell(0, 20, "Certificate of completion", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 10, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 24)
    pdf.cell(0, 14, _latin1(certificate.learner_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 10, "has completed", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(
        0, 10, _latin1(certificate.course_title), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "", 13)
    completed = certificate.completed_at or certificate.issued_at
    details = [f"Completed on {completed.day} {completed:%B %Y}"]
    if certificate.activity_dates:
        details.append(f"Activity offered {certificate.activity_dates}")
    details += [f"{c['type']}: {hours_number(c['amount'])}" for c in certificate.credits]
    if certificate.licence:
        details.append(f"Licence: {certificate.licence}")
    for line in details:
        pdf.cell(0, 7, _latin1(line), align="C", new_x="LMARGIN", new_y="NEXT")
    if certificate.accreditation_statement:
        pdf.set_font("Helvetica", "", 10)
        pdf.set_x(30)
        pdf.multi_cell(237, 5, _latin1(certificate.accreditation_statement), align="C")
    pdf.set_auto_page_break(False)  # the footer sits at a fixed place inside the frame
    pdf.set_y(174 if badge else 178)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(
        0, 6, f"Verification code: {certificate.code}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.cell(0, 6, _latin1(f"Verify at {verify_url}"), align="C", new_x="LMARGIN", new_y="NEXT")
    if badge:
        pdf.set_font("Helvetica", "", 9)
        note = "Also issued as a signed Open Badge: its holder downloads it from that page."
        pdf.cell(0, 6, note, align="C")
    return bytes(pdf.output())
