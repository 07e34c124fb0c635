"""The yardstick of bench/throughput.py: a bare Flask app rendering a 50-row Jinja table.

It does what any page must (route, render a template of the same shape as a list
page, return HTML) and nothing the platform adds (session, database, access rules,
translations), so a page's throughput divided by this one's says how much the
platform costs, whatever the machine's speed.

    gunicorn -w 2 -b 127.0.0.1:8001 --chdir bench bare_app:app
"""

from __future__ import annotations

from flask import Flask, render_template_string

app = Flask(__name__)

ROWS = [{"id": number, "code": f"BENCH-{number:04d}", "title": f"Operation number {number}",
         "status": ("Under way", "Planned", "Closed")[number % 3], "phase": "Operational",
         "host": "KR", "taking_part": 20 + number, "role": "Contact point"}
        for number in range(1, 51)]

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Operations</title></head>
<body><main><h1>Operations</h1>
<table><thead><tr><th>Operation</th><th>Status</th><th>Current phase</th><th>Host</th>
<th>Taking part</th><th>Your role</th></tr></thead><tbody>
{% for row in rows %}<tr><th scope="row"><a href="/operations/{{ row.id }}">{{ row.code }}</a>
<br><span>{{ row.title }}</span></th><td>{{ row.status }}</td><td>{{ row.phase }}</td>
<td>{{ row.host }}</td><td>{{ row.taking_part }}</td><td>{{ row.role }}</td></tr>
{% endfor %}</tbody></table></main></body></html>"""


@app.get("/")
def table():
    return render_template_string(PAGE, rows=ROWS)
