"""The stylesheet of report.html: readable on a laptop screen, printable on A4.

Only the system font stack (`style.FONT`) and no external resource, so that the report looks the
same offline. Charts are laid out again at `PRINT_WIDTH_PX` when printed (`html.PAGE_SCRIPT`).
"""

from __future__ import annotations

from lrtsim.report.style import FONT

PAGE_WIDTH_PX = 1100
"""Widest the text and charts get on a screen."""
PRINT_WIDTH_PX = 680
"""Width of a printed chart: A4 (210 mm) less 2 × 16 mm margins, at 96 px an inch."""
PRINT_MAX_HEIGHT_PX = 860
"""Tallest a printed chart gets, so that it and its caption fit on one A4 page."""

CSS = f"""
:root {{
  --ink: #1b1f24;
  --muted: #545b64;
  --rule: #d5d9de;
  --band: #f3f5f7;
  --accent: #1f5fa8;
}}
* {{ box-sizing: border-box; }}
html {{ -webkit-text-size-adjust: 100%; }}
body {{
  margin: 0;
  color: var(--ink);
  background: #ffffff;
  font-family: {FONT};
  font-size: 16px;
  line-height: 1.5;
}}
.page {{ max-width: {PAGE_WIDTH_PX}px; margin: 0 auto; padding: 0 24px 48px; }}
a {{ color: var(--accent); }}
a:focus-visible {{ outline: 2px solid var(--accent); outline-offset: 2px; }}

.report-header {{
  margin: 0 0 28px;
  padding: 28px 0 18px;
  border-bottom: 3px solid var(--accent);
}}
.report-header .kicker {{
  margin: 0;
  color: var(--muted);
  font-size: 13px;
  letter-spacing: 0.08em;
  text-transform: uppercase;
}}
.report-header h1 {{ margin: 4px 0 8px; font-size: 30px; line-height: 1.2; }}
.report-header .lead {{ margin: 0 0 16px; color: var(--muted); max-width: 75ch; }}
.meta {{
  display: flex;
  flex-wrap: wrap;
  gap: 10px 40px;
  margin: 0;
}}
.meta div {{ min-width: 0; max-width: 100%; }}
.meta dt {{ color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: 0.06em; }}
.meta dd {{ margin: 0; font-weight: 600; overflow-wrap: anywhere; }}

nav.toc {{
  margin: 0 0 36px;
  padding: 14px 20px 16px;
  background: var(--band);
  border-radius: 6px;
}}
nav.toc h2 {{ margin: 0 0 6px; font-size: 17px; border: 0; padding: 0; }}
nav.toc ol {{ margin: 0; padding-left: 1.6em; columns: 2 260px; column-gap: 32px; }}
nav.toc li {{ break-inside: avoid; padding: 2px 0; }}
nav.toc .count {{ color: var(--muted); font-size: 13px; }}

section {{ margin: 0 0 44px; }}
h2 {{
  margin: 0 0 12px;
  padding-bottom: 6px;
  font-size: 23px;
  line-height: 1.25;
  border-bottom: 1px solid var(--rule);
}}
h2 .number {{ color: var(--accent); margin-right: 0.4em; }}
section p {{ max-width: 80ch; margin: 0 0 12px; }}

.table-wrap {{ margin: 18px 0 22px; overflow-x: auto; }}
table {{
  border-collapse: collapse;
  font-size: 14.5px;
  font-variant-numeric: tabular-nums;
  min-width: 50%;
}}
caption {{
  caption-side: top;
  text-align: left;
  font-weight: 650;
  font-size: 15.5px;
  padding: 0 0 6px;
}}
caption .number, figcaption .number {{ color: var(--muted); font-weight: 600; }}
th, td {{ padding: 5px 12px; text-align: left; vertical-align: top; }}
thead th {{
  border-bottom: 2px solid var(--ink);
  font-weight: 650;
  font-size: 13.5px;
  vertical-align: bottom;
  min-width: 5ch;
}}
tbody tr:nth-child(even) {{ background: var(--band); }}
tbody th {{ font-weight: 600; white-space: nowrap; }}
tbody tr {{ border-bottom: 1px solid var(--rule); }}
.num {{ text-align: right; }}
td.num, td.short {{ white-space: nowrap; }}
.table-note {{ margin: 6px 0 0; color: var(--muted); font-size: 13.5px; max-width: 90ch; }}

figure.chart {{
  margin: 22px 0 30px;
  padding: 8px 8px 10px;
  border: 1px solid var(--rule);
  border-radius: 6px;
}}
.plot {{ width: 100%; min-height: 200px; }}
figcaption {{
  margin: 8px 6px 0;
  color: var(--muted);
  font-size: 14px;
  max-width: 95ch;
}}
figcaption .title {{ color: var(--ink); font-weight: 600; }}

.report-footer {{
  margin-top: 48px;
  padding-top: 12px;
  border-top: 1px solid var(--rule);
  color: var(--muted);
  font-size: 13px;
}}
noscript p {{ padding: 8px 12px; background: #fff4e5; border: 1px solid #e67e22; }}

@page {{ size: A4; margin: 16mm 16mm 18mm; }}
@media print {{
  body {{ font-size: 10.5pt; line-height: 1.4; }}
  .page {{ max-width: none; padding: 0; }}
  a {{ color: inherit; text-decoration: none; }}
  .report-header {{ padding-top: 0; }}
  .report-header h1 {{ font-size: 22pt; }}
  nav.toc {{ background: none; border: 1px solid var(--rule); break-inside: avoid; }}
  nav.toc ol {{ columns: 2; }}
  section {{ break-before: page; margin: 0; }}
  h2 {{ font-size: 16pt; break-after: avoid; }}
  caption {{ font-size: 11pt; }}
  table {{ font-size: 9pt; min-width: 0; }}
  thead th {{ white-space: normal; font-size: 8.5pt; }}
  th, td {{ padding: 3px 7px; }}
  .table-wrap {{ overflow: visible; break-inside: avoid; }}
  tbody tr:nth-child(even) {{ background: #f3f5f7; print-color-adjust: exact;
    -webkit-print-color-adjust: exact; }}
  figure.chart {{ break-inside: avoid; page-break-inside: avoid; border: 0; padding: 0;
    margin: 10pt 0 16pt; }}
  .plot {{ width: {PRINT_WIDTH_PX}px; }}
  .modebar-container {{ display: none !important; }}
  figcaption {{ font-size: 9.5pt; }}
  .report-footer {{ break-before: avoid; }}
}}
"""
"""The whole stylesheet, screen first, then `@media print`."""
