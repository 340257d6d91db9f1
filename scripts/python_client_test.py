"""A ticket's whole life driven through a client generated from api-spec/openapi.yaml.

Run by scripts/python-client.sh, which generates the client (package `servicedesk_client`),
starts a fresh server and passes its address and the admin's credentials in the environment.
Every request goes through the generated functions; the only exceptions are the answers the
generator cannot parse (see `send_raw`), which still use the generated request builder and the
generated client's own configured httpx client, and the event stream, which the generated
function would read to its end (it has none). Anything unexpected raises.
"""

import datetime
import os
import uuid

from servicedesk_client import AuthenticatedClient, Client
from servicedesk_client.api.auth import create_session, get_me
from servicedesk_client.api.dashboard import event_stream
from servicedesk_client.api.reports import availability_report, sla_report
from servicedesk_client.api.tickets import (
    acknowledge_ticket,
    close_ticket,
    create_comment,
    create_ticket,
    escalate_ticket,
    get_ticket,
    list_ticket_events,
    list_tickets,
    pend_ticket,
    reopen_ticket,
    resolve_ticket,
    resume_ticket,
    return_ticket,
)
from servicedesk_client.api.units import create_unit, list_units
from servicedesk_client.api.users import create_user
from servicedesk_client.models import (
    AcknowledgeRequest,
    AvailabilityReportFormat,
    CloseRequest,
    EscalateRequest,
    Kind,
    Level,
    ListTicketsStatusItem,
    LoginInput,
    NewComment,
    NewTicket,
    NewUnit,
    NewUser,
    PendRequest,
    ReopenRequest,
    Reporter,
    ResolveRequest,
    ResumeRequest,
    ReturnRequest,
    Role,
    SlaReportFormat,
    Status,
    TicketView,
    UnitKind,
)

BASE = os.environ["SERVICEDESK_URL"]
DOMAIN = os.environ["SERVICEDESK_DOMAIN"]
PASSWORD = os.environ["SERVICEDESK_PASSWORD"]


class Unexpected(AssertionError):
    pass


def expect(condition, what):
    if not condition:
        raise Unexpected(what)


def answered(response, status, kind=None):
    """The parsed body of a response of the generated client, which must have `status`."""
    expect(
        response.status_code == status,
        f"expected {status}, got {response.status_code}: {response.content[:500]!r}",
    )
    if kind is not None:
        expect(isinstance(response.parsed, kind), f"expected a {kind.__name__}: {response.parsed!r}")
    return response.parsed


def sign_in(email):
    client = Client(base_url=BASE, raise_on_unexpected_status=True)
    login = answered(
        create_session.sync_detailed(client=client, body=LoginInput(email=email, password=PASSWORD)),
        200,
    )
    expect(login.token_type == "Bearer", f"token type {login.token_type}")
    return AuthenticatedClient(
        base_url=BASE, token=login.access_token, raise_on_unexpected_status=True
    )


def send_raw(client, kwargs):
    """Sends a request the generated module built (`_get_kwargs`) through the generated
    client's own httpx client. For the CSV reports: the generator reads a 200 as its first
    content type, JSON, and fails on the `text/csv` the contract names beside it."""
    return client.get_httpx_client().request(**kwargs)


def act(client, ticket, operation, body, expected_status):
    """One move through its own generated operation, with the ETag last read."""
    name = operation.__name__.rsplit(".", 1)[-1]
    moved = answered(
        operation.sync_detailed(ticket.id, client=client, body=body, if_match=f'"{ticket.version}"'),
        200,
        TicketView,
    )
    expect(
        moved.status == expected_status,
        f"{name}: expected {expected_status.value}, got {moved.status.value}",
    )
    expect(moved.version == ticket.version + 1, f"{name}: version {moved.version}")
    return moved


def main():
    admin = sign_in(f"admin@{DOMAIN}")
    me = answered(get_me.sync_detailed(client=admin), 200)
    expect(me.role == Role.ADMIN, f"signed in as {me.role}")

    pd = answered(
        create_unit.sync_detailed(
            client=admin,
            body=NewUnit(code="DINKES", name="Dinas Kesehatan", kind=UnitKind.PD),
        ),
        201,
    )
    units = answered(list_units.sync_detailed(client=admin, limit=200), 200)
    dinas = next(unit for unit in units.items if unit.kind == UnitKind.DINAS)
    for email, role, unit in [
        (f"teknisi.dinkes@{DOMAIN}", Role.TIER1, pd.id),
        (f"tier2@{DOMAIN}", Role.TIER2, dinas.id),
    ]:
        answered(
            create_user.sync_detailed(
                client=admin,
                body=NewUser(name=email, email=email, role=role, password=PASSWORD, unit_id=unit),
            ),
            201,
        )
    tier1 = sign_in(f"teknisi.dinkes@{DOMAIN}")
    tier2 = sign_in(f"tier2@{DOMAIN}")
    tier1_id = answered(get_me.sync_detailed(client=tier1), 200).id

    # The stream is opened first, so that the ticket recorded below is its first event. The
    # generated event_stream.sync reads the whole body as text, which never ends on a stream;
    # its request builder and the client's httpx client read it line by line instead.
    stream_kwargs = event_stream._get_kwargs()
    with tier2.get_httpx_client().stream(**stream_kwargs) as stream:
        expect(stream.status_code == 200, f"stream answered {stream.status_code}")
        media = stream.headers["content-type"].split(";")[0]
        expect(media == "text/event-stream", f"stream is {media}")
        lines = stream.iter_lines()
        expect(next(lines) == "retry: 3000", "the stream starts with its retry interval")
        comment = next(lines)
        expect(comment.startswith(":"), f"then a comment: {comment!r}")

        new_ticket = NewTicket(
            kind=Kind.INCIDENT,
            title="SIMPEG tidak bisa diakses",
            description="Halaman login SIMPEG menampilkan 502 sejak pagi.",
            impact=Level.HIGH,
            urgency=Level.MEDIUM,
            reporter=Reporter(name="Siti Rahmawati", email=f"siti@{DOMAIN}"),
        )
        key = str(uuid.uuid4())
        ticket = answered(
            create_ticket.sync_detailed(client=tier1, body=new_ticket, idempotency_key=key),
            201,
            TicketView,
        )
        again = answered(
            create_ticket.sync_detailed(client=tier1, body=new_ticket, idempotency_key=key),
            201,
            TicketView,
        )
        expect(again.id == ticket.id, "a retry with the same Idempotency-Key makes no second ticket")
        expect(ticket.status == Status.NEW and ticket.tier == 1, f"recorded as {ticket.status}")

        event = {}
        for line in lines:
            if line == "":
                if "data" in event:
                    break
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            event[name] = value.strip()
        expect(ticket.id in event["data"], f"the stream tells of the new ticket: {event}")

    read = answered(get_ticket.sync_detailed(ticket.id, client=tier1), 200, TicketView)
    expect(read.id == ticket.id and read.version == ticket.version, "read back as recorded")

    def listed(client, **filters):
        page = answered(list_tickets.sync_detailed(client=client, **filters), 200)
        return [item.id for item in page.items]

    is_open = [ListTicketsStatusItem.OPEN]
    expect(ticket.id in listed(tier1, status=is_open), "an open ticket is listed as open")
    ticket = act(tier1, ticket, acknowledge_ticket, AcknowledgeRequest(), Status.IN_PROGRESS)
    expect(ticket.assignee_id == tier1_id, "acknowledging takes the ticket")
    expect(
        ticket.id in listed(tier1, status=is_open, assignee_id="me"),
        "listed under assignee_id=me",
    )
    expect(ticket.id not in listed(tier2, status=is_open, assignee_id="me"), "not Tier 2's")

    comment = answered(
        create_comment.sync_detailed(
            ticket.id,
            client=tier1,
            body=NewComment(body="Sudah dicek, server aplikasi merespons lambat.", internal=False),
        ),
        201,
    )
    expect(comment.body.startswith("Sudah dicek"), "the comment is kept")
    # A comment is a new version of the ticket: read it again for its ETag.
    ticket = answered(get_ticket.sync_detailed(ticket.id, client=tier1), 200, TicketView)

    ticket = act(tier1, ticket, pend_ticket, PendRequest(reason="Menunggu vendor"), Status.PENDING)
    ticket = act(tier1, ticket, resume_ticket, ResumeRequest(), Status.IN_PROGRESS)
    ticket = act(
        tier1, ticket, escalate_ticket, EscalateRequest(reason="Butuh akses server"), Status.IN_PROGRESS
    )
    expect(ticket.tier == 2, f"escalated to tier {ticket.tier}")
    ticket = act(
        tier2, ticket, return_ticket, ReturnRequest(solution="Restart layanan"), Status.IN_PROGRESS
    )
    expect(ticket.tier == 1, f"returned to tier {ticket.tier}")
    ticket = act(
        tier1, ticket, resolve_ticket, ResolveRequest(resolution="Layanan pulih"), Status.RESOLVED
    )
    ticket = act(tier1, ticket, reopen_ticket, ReopenRequest(reason="Masih galat"), Status.IN_PROGRESS)
    ticket = act(
        tier1, ticket, resolve_ticket, ResolveRequest(resolution="Pulih sepenuhnya"), Status.RESOLVED
    )
    ticket = act(tier1, ticket, close_ticket, CloseRequest(), Status.CLOSED)

    events = answered(list_ticket_events.sync_detailed(ticket.id, client=tier1), 200)
    kinds = [event.type_ for event in events]
    for expected in [
        "created",
        "acknowledged",
        "commented",
        "pended",
        "resumed",
        "escalated",
        "returned",
        "resolved",
        "reopened",
        "closed",
    ]:
        expect(expected in kinds, f"no {expected} event in {kinds}")

    now = datetime.datetime.now(datetime.timezone.utc)
    period = {"from_": now - datetime.timedelta(days=7), "to": now + datetime.timedelta(hours=1)}
    report = answered(sla_report.sync_detailed(client=tier2, **period), 200)
    expect(isinstance(report.rows, list), f"an SLA report: {report!r}")
    availability = answered(availability_report.sync_detailed(client=tier2, **period), 200)
    expect(availability is not None, "an availability report")
    for module, fmt in [
        (sla_report, SlaReportFormat.CSV),
        (availability_report, AvailabilityReportFormat.CSV),
    ]:
        csv = send_raw(tier2, module._get_kwargs(format_=fmt, **period))
        expect(csv.status_code == 200, f"{module.__name__} CSV answered {csv.status_code}")
        media = csv.headers["content-type"].split(";")[0]
        expect(media == "text/csv", f"{module.__name__} CSV is {media}")
        header = csv.text.splitlines()[0]
        expect("," in header, f"{module.__name__} CSV header: {header!r}")

    print(f"the generated client took ticket {ticket.number} through its whole life")


if __name__ == "__main__":
    main()
