#!/usr/bin/env python3
"""A minimal live dashboard: reads the desk's event stream and prints open tickets per tier,
breached and at-risk counts, refreshed from the summary whenever a ticket event arrives.

    SERVICEDESK_URL=http://127.0.0.1:8080 SERVICEDESK_TOKEN=<integration token> \
        python3 docs/dashboard_client.py

Standard library only. It resumes with Last-Event-ID after a dropped connection.
"""
import json
import os
import sys
import time
import urllib.request

BASE = os.environ.get("SERVICEDESK_URL", "http://127.0.0.1:8080")
TOKEN = os.environ["SERVICEDESK_TOKEN"]


def get(path, headers=None):
    request = urllib.request.Request(
        BASE + path, headers={"Authorization": f"Bearer {TOKEN}", **(headers or {})}
    )
    return urllib.request.urlopen(request, timeout=60)


def show(summary, last_event):
    tiers = summary["open_by_tier"]
    print(
        f"{summary['generated_at']}  open tier 1: {tiers['1']:4}  tier 2: {tiers['2']:4}  "
        f"breached: {summary['breached_open']:4}  at risk: {summary['at_risk_open']:4}  "
        f"escalated today: {summary['escalated_today']:4}  last: {last_event}",
        flush=True,
    )


def events(last_id):
    """Yields (id, type, data) from the stream; heartbeats are skipped."""
    headers = {"Accept": "text/event-stream"}
    if last_id:
        headers["Last-Event-ID"] = last_id
    with get("/api/v1/events/stream", headers) as stream:
        fields = {}
        for raw in stream:
            line = raw.decode("utf-8").rstrip("\n")
            if not line:
                if "data" in fields:
                    yield fields.get("id"), fields.get("event"), json.loads(fields["data"])
                fields = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(": ")
                fields[name] = value


def main():
    last_id = None
    show(json.load(get("/api/v1/dashboard/summary")), "-")
    while True:
        try:
            for event_id, kind, data in events(last_id):
                last_id = event_id
                if not kind.startswith("notification_"):
                    summary = json.load(get("/api/v1/dashboard/summary"))
                    show(summary, f"{kind} {data['ticket_number']}")
        except (OSError, ValueError) as error:
            print(f"stream lost ({error}); reconnecting", file=sys.stderr)
            time.sleep(2)


if __name__ == "__main__":
    main()
