"""PDF reports (team and org) built with fpdf2: charts as PNG, tables, roadmap and owners."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from ..domain.ownership import Finding
from ..domain.roadmap import PHASE_TITLES, PHASE_WINDOWS
from ..domain.vocabulary import CHALLENGE_SHORT, CHALLENGE_TITLES, LEVEL_NAMES, ROLE_TITLES, ROLES
from .summary import SummaryPoint, executive_summary

NAVY = (15, 39, 71)
GREY = (91, 100, 114)
HEAT = {
    None: (243, 244, 246),
    0: (253, 226, 225),
    1: (253, 235, 211),
    2: (253, 246, 211),
    3: (225, 243, 228),
    4: (207, 238, 218),
}


def _score(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _heat(value):
    return HEAT[None if value is None else min(int(value), 4)]


class Report(FPDF):
    """A4 document with Ascent's header, footer and DejaVu fonts (full Unicode)."""

    def __init__(self, title: str, subtitle: str):
        import matplotlib  # ships the DejaVu fonts; imported only when a PDF is made

        super().__init__(format="A4")
        self.title_text, self.subtitle = title, subtitle
        fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        self.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
        self.set_font("DejaVu", size=9)
        self.set_auto_page_break(True, margin=16)
        self.set_title(f"{title} · {subtitle}")
        self.set_creator("Ascent")
        self.alias_nb_pages()

    def header(self):
        self.set_font("DejaVu", "B", 8)
        self.set_text_color(*GREY)
        self.cell(
            0, 5, f"Ascent · {self.title_text} · {self.subtitle}", new_x="LMARGIN", new_y="NEXT"
        )
        self.set_draw_color(200, 214, 234)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)
        self.set_text_color(0, 0, 0)
        self.set_font("DejaVu", size=9)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.set_text_color(*GREY)
        self.cell(
            0,
            5,
            f"Generated {date.today():%d %b %Y} · scores follow the published rule · page {self.page_no()}/{{nb}}",
            align="C",
        )

    def heading(self, text: str, size: int = 13):
        """Write a section heading, starting a page when little room is left."""
        if self.get_y() > self.h - 50:
            self.add_page()
        self.ln(2)
        self.set_font("DejaVu", "B", size)
        self.set_text_color(*NAVY)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.set_font("DejaVu", size=9)
        self.ln(1)

    def para(self, text: str, size: float = 9, colour=(0, 0, 0)):
        """Write a paragraph."""
        self.set_font("DejaVu", size=size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def fits(self, png: bytes, width: float, extra: float = 0) -> bool:
        """Return True when a PNG at this width, and extra millimetres, fit on this page."""
        columns = int.from_bytes(png[16:20], "big")  # the PNG header: width, then height
        rows = int.from_bytes(png[20:24], "big")
        height = width * rows / columns if columns else 0
        return self.get_y() + extra + height <= self.page_break_trigger

    def image_bytes(self, data: bytes, width: float):
        """Place a PNG centred at the given width."""
        import io

        x = (self.w - width) / 2
        self.image(io.BytesIO(data), x=x, w=width)


def team_pdf(team, cycle, questionnaire, plan, ownership, radar_png: bytes) -> bytes:
    """Return the team report as PDF bytes: scores, chart, roadmap and ownership matrix."""
    pdf = Report(f"{team.name} ({team.business_unit})", cycle.name)
    pdf.add_page()
    score = plan.score
    pdf.heading(f"{team.name}: maturity report, {cycle.name}", 16)
    pdf.para(
        f"Overall {_score(score.overall)} ({score.overall_stage or 'no answers yet'}) from "
        f"{score.respondents} submitted response{'s' if score.respondents != 1 else ''}. Scores run from 0 (Ad hoc) "
        "to 4 (Optimized); targets are the team's own.",
        colour=GREY,
    )
    pdf.image_bytes(radar_png, 105)
    pdf.heading("Scores per challenge")
    with pdf.table(
        col_widths=(52, 16, 24, 16, 16, 22, 24),
        text_align=("LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        line_height=5,
        headings_style=FontFace(emphasis="BOLD", fill_color=(228, 238, 251)),
    ) as table:
        table.row(["Challenge", "Score", "Stage", "Target", "Gap", "Coverage", "Agreement"])
        gaps = {g.key: g for g in plan.roadmap.challenges}
        for challenge in questionnaire.challenges:
            cs = score.challenges[challenge.key]
            row = table.row()
            row.cell(challenge.title)
            row.cell(_score(cs.score), style=FontFace(fill_color=_heat(cs.score)))
            row.cell(cs.stage or "–")
            row.cell(str(plan.targets[challenge.key]))
            row.cell(f"{gaps[challenge.key].gap:.1f}")
            row.cell("–" if cs.coverage is None else f"{cs.coverage * 100:.0f}%")
            row.cell(
                "disagree" if cs.disagrees else ("agree" if cs.disagreement is not None else "–")
            )
    _roadmap_section(pdf, plan, ownership)
    _ownership_section(pdf, questionnaire, ownership)
    return bytes(pdf.output())


def _roadmap_section(pdf: Report, plan, ownership) -> None:
    roadmap = plan.roadmap
    pdf.add_page()
    pdf.heading("Roadmap")
    pdf.para(
        f"Actions per phase: {roadmap.capacity}. Top challenges: "
        + (", ".join(CHALLENGE_TITLES[k] for k in roadmap.top_challenges()) or "none below target")
        + ".",
        colour=GREY,
    )
    for phase in ("now", "next", "later"):
        actions = roadmap.phase(phase)
        pdf.heading(
            f"{PHASE_TITLES[phase]} ({PHASE_WINDOWS[phase]}), {len(actions)} action{'s' if len(actions) != 1 else ''}",
            11,
        )
        if not actions:
            pdf.para("Nothing here.", colour=GREY)
        for number, action in enumerate(actions, 1):
            person = ownership.people.get(action.owner) or "nobody named"
            pdf.set_font("DejaVu", "B", 9)
            pdf.multi_cell(0, 4.6, f"{number}. {action.text}", new_x="LMARGIN", new_y="NEXT")
            status = "" if action.status == "open" else f" · {action.status.replace('_', ' ')}"
            pdf.para(
                f"{CHALLENGE_TITLES[action.challenge]} · {LEVEL_NAMES[action.from_level]} → "
                f"{LEVEL_NAMES[action.from_level + 1]} · effort {action.effort} · owner "
                f"{ROLE_TITLES[action.owner]} ({person}){status}",
                size=8,
                colour=GREY,
            )
            pdf.para(f"Why here: {action.why}", size=8, colour=GREY)
            pdf.ln(1)
    backlog, closed = roadmap.phase("backlog"), roadmap.closed
    pdf.para(
        f"Backlog: {len(backlog)} more action{'s' if len(backlog) != 1 else ''} waiting for room. Done or dismissed: {len(closed)}.",
        colour=GREY,
    )


def _ownership_section(pdf: Report, questionnaire, ownership) -> None:
    pdf.heading("Ownership matrix")
    widths = (40,) + (20,) * len(ROLES)
    with pdf.table(
        col_widths=widths,
        text_align="CENTER",
        line_height=4.6,
        headings_style=FontFace(emphasis="BOLD", fill_color=(228, 238, 251), size_pt=7),
    ) as table:
        table.row(["Challenge"] + [ROLE_TITLES[r] for r in ROLES])
        people = table.row()
        people.cell("Person", style=FontFace(emphasis="ITALICS", size_pt=7))
        for role in ROLES:
            people.cell(ownership.people.get(role) or "–", style=FontFace(size_pt=7))
        for challenge in questionnaire.challenges:
            row = table.row()
            row.cell(challenge.title, align="LEFT")
            for role in ROLES:
                letter = ownership.matrix[challenge.key][role]
                row.cell(
                    letter or "–",
                    style=FontFace(
                        emphasis="BOLD" if letter == "A" else None,
                        fill_color=(221, 232, 247) if letter == "A" else None,
                    ),
                )
    _findings(pdf, ownership.findings)


def _findings(pdf: Report, findings: list[Finding]) -> None:
    if not findings:
        pdf.para(
            "No findings: every challenge has one Accountable role with a person named.",
            colour=GREY,
        )
        return
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 5, f"Findings ({len(findings)})", new_x="LMARGIN", new_y="NEXT")
    for finding in findings:
        prefix = f"{CHALLENGE_TITLES[finding.challenge]}: " if finding.challenge else ""
        pdf.para(f"• {prefix}{finding.message}", size=8)


def _summary_section(pdf: Report, summary: list[SummaryPoint]) -> None:
    """Write the executive summary: one labelled line per point, in a shaded box."""
    pdf.set_fill_color(238, 242, 248)
    top = pdf.get_y()
    pdf.ln(2)
    for point in summary:
        pdf.set_x(pdf.l_margin + 3)
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(38, 4.8, point.label)
        pdf.set_font("DejaVu", size=9)
        pdf.multi_cell(pdf.epw - 44, 4.8, point.text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(1)
    pdf.set_draw_color(200, 214, 234)
    pdf.rect(pdf.l_margin, top, pdf.epw, pdf.get_y() - top)
    pdf.ln(2)


def org_pdf(org, board, distribution_png: bytes, trend_png: bytes) -> bytes:
    """Return the org report as PDF bytes: heatmap, distribution, trend, gaps, actions, owners."""
    cycle = board.cycle
    pdf = Report(org.name, cycle.name)
    pdf.add_page()
    pdf.heading(f"{org.name}: AI scaling maturity, {cycle.name}", 16)
    _summary_section(pdf, executive_summary(board))
    pdf.heading("All teams by challenge")
    pdf.para(
        f"{board.scored_teams} of {len(board.teams)} teams have submitted responses in {cycle.name}. "
        "Each cell is a team's score on a challenge, from 0 (Ad hoc) to 4 (Optimized).",
        colour=GREY,
    )
    widths = (44, 28) + (14,) * (len(CHALLENGE_SHORT) + 1)
    with pdf.table(
        col_widths=widths,
        line_height=5,
        text_align=("LEFT", "LEFT") + ("RIGHT",) * 9,
        headings_style=FontFace(emphasis="BOLD", fill_color=(228, 238, 251), size_pt=7),
    ) as table:
        table.row(["Team", "Business unit", "Overall"] + list(CHALLENGE_SHORT.values()))
        for team in board.teams:
            row = table.row()
            row.cell(team.name)
            row.cell(team.business_unit, style=FontFace(size_pt=7))
            if team.suppressed:
                row.cell(
                    f"Scores hidden: fewer than {org.min_respondents} respondents",
                    colspan=len(CHALLENGE_SHORT) + 1,
                    style=FontFace(size_pt=7, color=GREY),
                )
                continue
            row.cell(
                _score(team.overall),
                style=FontFace(emphasis="BOLD", fill_color=_heat(team.overall)),
            )
            for key in CHALLENGE_SHORT:
                value = team.scores.get(key)
                row.cell(_score(value), style=FontFace(fill_color=_heat(value)))
    if not pdf.fits(distribution_png, 130, extra=18):
        pdf.add_page()
    pdf.heading("Distribution of overall maturity")
    pdf.image_bytes(distribution_png, 130)
    pdf.para(
        ", ".join(f"{LEVEL_NAMES[i]}: {n}" for i, n in enumerate(board.stage_counts)),
        size=8,
        colour=GREY,
    )
    pdf.heading("Trend over all cycles")
    pdf.image_bytes(trend_png, 170)
    overall = ", ".join(
        f"{c.name} {_score(v)}"
        for c, v in zip(board.trend_cycles, board.trend["overall"], strict=True)
    )
    pdf.para(f"Mean overall score: {overall}.", size=8, colour=GREY)
    pdf.heading("Largest gaps")
    with pdf.table(
        col_widths=(70, 30, 40),
        line_height=5,
        text_align=("LEFT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=(228, 238, 251)),
    ) as table:
        table.row(["Challenge", "Mean gap", "Teams below target"])
        for key, gap, below, total in board.gaps:
            table.row([CHALLENGE_TITLES[key], f"{gap:.1f}", f"{below} of {total}"])
    pdf.heading("Actions in the most roadmaps")
    if not board.common_actions:
        pdf.para("No action appears in more than one roadmap.", colour=GREY)
    for number, action in enumerate(board.common_actions, 1):
        pdf.set_font("DejaVu", "B", 9)
        pdf.multi_cell(0, 4.6, f"{number}. {action.text}", new_x="LMARGIN", new_y="NEXT")
        pdf.para(
            f"{action.count} teams · {CHALLENGE_TITLES[action.challenge]} · {', '.join(action.teams)}"
            + (f" and {action.hidden} below the respondent minimum" if action.hidden else ""),
            size=8,
            colour=GREY,
        )
        pdf.ln(1)
    pdf.heading("Ownership findings across teams")
    for team in board.teams:
        found = board.ownership.get(team.id, [])
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(
            0,
            5,
            f"{team.name}: {len(found)} finding{'s' if len(found) != 1 else ''}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        for finding in found[:4]:
            prefix = f"{CHALLENGE_TITLES[finding.challenge]}: " if finding.challenge else ""
            pdf.para(f"• {prefix}{finding.message}", size=8)
        if len(found) > 4:
            pdf.para(f"• and {len(found) - 4} more", size=8, colour=GREY)
    return bytes(pdf.output())
