"""Demo messages in CATALYST-DEMO: OCU bulletins, bilateral alerts with shipment details,
requests and their replies, some awaiting acknowledgement (Spain's among them, so that
cp.es's home page shows one), a few with small attachments made here.

Sent through the domain functions as the demo's people, then dated back into the
operational phase. Loading twice changes nothing: once the first bulletin exists in the
operation, nothing more is sent.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from opsplatform.auth.models import User
from opsplatform.auth.operations import find_user_by_email
from opsplatform.core.db import db
from opsplatform.operations.access import standing_in
from opsplatform.operations.models import Operation

from . import attachments, deliveries
from . import operations as messaging
from .models import Audience, Message, MessageKind, MessagePriority, MessageRead
from .operations import AlertFields, MessageFields

DEMO_DOMAIN = "demo.example.org"
OPERATION_CODE = "CATALYST-DEMO"
FIRST_BULLETIN = "OCU bulletin 1: the operational phase is open"


# -- small files, made here ------------------------------------------------------------------


def tiny_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` (Helvetica), with a correct cross-reference table."""
    text = ["BT", "/F1 16 Tf", "50 790 Td", f"({_pdf_text(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        text += ["0 -20 Td", f"({_pdf_text(line)}) Tj"]
    stream = "\n".join([*text, "ET"]).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _pdf_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def tiny_png(width: int = 96, height: int = 64) -> bytes:
    """A grey picture of a parcel (a brown box with a strap), as a valid RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # no filter
        for x in range(width):
            inside = width // 6 <= x < width * 5 // 6 and height // 5 <= y < height * 4 // 5
            strap = abs(x - width // 2) < 3
            if inside and strap:
                pixel = (230, 220, 190)
            elif inside:
                pixel = (150, 105, 60)
            else:
                pixel = (200, 200, 200)
            row += bytes(pixel)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


LAB_RESULTS_CSV = (
    "sample,seized_on,form,substance,purity_percent\n"
    "DE-2291-01,{day},tablets,3-MMC,71\n"
    "DE-2291-02,{day},powder,alpha-PVP,64\n"
    "DE-2291-03,{day},crystals,4-CMC,58\n"
)


# -- the exchange ----------------------------------------------------------------------------


@dataclass
class Demo:
    """One demo message: who sends what to whom, when (days ago, hour UTC), and what
    follows (acknowledgements by administration code, readers, replies)."""

    key: str
    sender: str
    subject: str
    body: str
    days_ago: int
    hour: int
    kind: MessageKind = MessageKind.GENERAL
    priority: MessagePriority = MessagePriority.ROUTINE
    audience: Audience = Audience.CHOSEN
    to: list[str] = field(default_factory=list)
    requires_ack: bool = False
    acknowledged_by: list[str] = field(default_factory=list)
    read_by: list[str] = field(default_factory=list)
    alert: AlertFields | None = None
    files: list[tuple[str, str]] = field(default_factory=list)  # (file name, maker key)
    reply_to: str | None = None


def _exchange(today: date) -> list[Demo]:
    arrival = today + timedelta(days=2)
    everyone_ack = ["JP", "CN", "DE", "NL", "US", "FR", "GB", "IT", "AU", "CA", "SG", "HK"]
    return [
        Demo("b1", "ocu", FIRST_BULLETIN,
             "The operational phase of CATalyst starts today. Report seizures of synthetic "
             "cathinones and other NPS in postal and express consignments.\n\n"
             "- Returns are **weekly**, due two days after each period.\n"
             "- Alerts go to the administrations concerned, copied to the OCU.\n"
             "- The OCU is staffed 24/7 in Seoul.",
             16, 8, MessageKind.BULLETIN, audience=Audience.ALL,
             read_by=["cp.jp", "cp.de", "cp.nl", "cp.us", "cp.es", "cp.fr"]),
        Demo("b2", "ocu", "OCU bulletin 2: risk indicators for postal parcels",
             "Risk indicators agreed at the briefing seminar are attached. Most seizures "
             "so far were declared as *bath salts*, *plant food* or *research chemicals*.",
             14, 9, MessageKind.BULLETIN, audience=Audience.ALL,
             files=[("CATALYST-risk-indicators.pdf", "indicators")],
             read_by=["cp.jp", "cp.de", "cp.es"]),
        Demo("a1", "cp.kr", "Alert: parcel to Japan, suspected synthetic cathinones",
             "X-ray at Incheon International Mail Centre showed crystalline powder in a "
             "parcel declared as cosmetic powder. Released under control for Japan. "
             "Picture of the parcel attached.",
             12, 6, MessageKind.ALERT, MessagePriority.URGENT, to=["JP"], requires_ack=True,
             acknowledged_by=["JP"], read_by=["cp.jp"],
             alert=AlertFields(tracking_number="RR123456785KR", transport_mode="postal",
                               route_countries=["KR", "JP"],
                               commodity="Cosmetic powder (declared), about 2 kg",
                               expected_arrival=arrival, consignee="Tanaka Trading K.K."),
             files=[("parcel-xray.png", "parcel")]),
        Demo("a1r", "cp.jp", "", "Parcel located at Kawasaki sorting centre; controlled "
             "delivery being prepared with the police. We will report the outcome.",
             11, 3, reply_to="a1", read_by=["cp.kr"]),
        Demo("a1r2", "cp.kr", "", "Thank you. Our lab confirms 4-CMC in the sample taken "
             "before release.", 10, 5, reply_to="a1r"),
        Demo("a2", "cp.nl", "Alert: container from India via Rotterdam, precursors suspected",
             "Documents show a consignee with no history and a forwarder seen in earlier "
             "cases. Container continues by barge to Antwerp and by rail to Germany.",
             11, 10, MessageKind.ALERT, MessagePriority.URGENT, to=["BE", "DE"],
             requires_ack=True, acknowledged_by=["DE"],
             alert=AlertFields(container_number="CSQU3054383", transport_mode="sea_container",
                               route_countries=["IN", "NL", "BE", "DE"],
                               commodity="Industrial cleaning agent, 18 drums",
                               consignee="Rhein Chemiehandel GmbH")),
        Demo("a2r", "cp.be", "", "Antwerp will scan the container on arrival. Please send "
             "the bill of lading if you have it.", 10, 9, reply_to="a2"),
        Demo("a3", "cp.cn", "Alert: air cargo to Hong Kong and Singapore",
             "Two consignments from the same shipper, declared as plant fertiliser.",
             9, 2, MessageKind.ALERT, MessagePriority.FLASH, to=["HK", "SG"],
             requires_ack=True, acknowledged_by=["HK"],
             alert=AlertFields(air_waybill="020-12345675", transport_mode="air_cargo",
                               route_countries=["CN", "HK", "SG"],
                               commodity="Plant fertiliser (declared), 40 kg",
                               expected_arrival=today - timedelta(days=8))),
        Demo("a3r", "cp.hk", "", "Consignment held at the Air Cargo Terminal; 38 kg of "
             "white powder, tests under way.", 8, 7, reply_to="a3"),
        Demo("r1", "cp.us", "Request: courier account used in three seizures",
             "Three express parcels seized at JFK share a courier account. Have you seen "
             "it in your seizures? Details in the attached list.",
             9, 14, MessageKind.REQUEST, to=["CA", "GB"], requires_ack=True,
             acknowledged_by=["CA", "GB"],
             files=[("courier-account-parcels.txt", "courier")]),
        Demo("r1r1", "cp.ca", "", "One hit: a parcel to Toronto, seized last week. Report "
             "follows through the usual channel.", 8, 16, reply_to="r1"),
        Demo("r1r2", "cp.gb", "", "No match in our seizures so far.", 8, 11, reply_to="r1"),
        Demo("r2", "cp.fr", "Request: consignee address in Valencia",
             "A parcel seized in Roissy was addressed to a company in Valencia. Can you "
             "tell us whether it is known to you? Please acknowledge when received.",
             3, 9, MessageKind.REQUEST, MessagePriority.URGENT, to=["ES"], requires_ack=True),
        Demo("g1", "cp.de", "Laboratory results of the tablets seized in Leipzig",
             "Results of the three samples are attached as a table.", 7, 12,
             to=["NL", "BE"], files=[("lab-results-DE-2291.csv", "lab")], read_by=["cp.nl"]),
        Demo("g1r", "cp.nl", "", "The 3-MMC purity matches the tablets we seized in May.",
             6, 8, reply_to="g1"),
        Demo("o1", "cp.it", "Question on nil returns",
             "If we seized nothing in a week, do we still file a return?", 6, 10,
             to=[], audience=Audience.OCU),
        Demo("o1r", "ocu", "", "Yes: file a nil return, so that the table shows you "
             "reported.", 6, 11, reply_to="o1"),
        Demo("b3", "ocu", "OCU bulletin 3: first week's results",
             "19 administrations reported. 41 seizures so far, mostly in postal parcels "
             "from East Asia to Europe.", 9, 8, MessageKind.BULLETIN, audience=Audience.ALL,
             read_by=["cp.jp", "cp.es"]),
        Demo("b4", "ocu", "OCU bulletin 4: new routes through the Gulf",
             "Several parcels routed through hubs in the Gulf were re-labelled there. "
             "Please acknowledge this bulletin.", 2, 8, MessageKind.BULLETIN,
             MessagePriority.URGENT, audience=Audience.ALL, requires_ack=True,
             acknowledged_by=everyone_ack),
        Demo("u1", "ocu", "Figures for the UNODC SMART update",
             "Provisional figures by substance group, for the next SMART update.", 5, 9,
             to=["UNODC"]),
        Demo("u1r", "observer", "", "Thank you; we will credit the operation.", 4, 10,
             reply_to="u1"),
        Demo("a4", "cp.au", "Alert: parcels to New Zealand from the same sender",
             "Five parcels from one sender in Sydney, declared as vitamins.", 4, 3,
             MessageKind.ALERT, MessagePriority.URGENT, to=["NZ"], requires_ack=True,
             alert=AlertFields(tracking_number="CX987654326AU", transport_mode="express_courier",
                               route_countries=["AU", "NZ"],
                               commodity="Vitamins (declared), 5 parcels")),
        Demo("r3", "cp.sg", "Request: shipper in Kuala Lumpur",
             "Is the shipper below known to Royal Malaysian Customs?", 3, 4,
             MessageKind.REQUEST, to=["MY"]),
        Demo("r3r", "cp.my", "", "Known: a front company, under investigation since "
             "March.", 2, 6, reply_to="r3"),
        Demo("g2", "cp.th", "Contact for controlled deliveries",
             "Our duty officer for controlled deliveries this month is in the directory.",
             5, 5, to=["MY", "SG"]),
        Demo("a5", "cp.in", "Alert: courier parcels to the United States",
             "Tablets hidden in greeting cards; two parcels already dispatched.", 1, 7,
             MessageKind.ALERT, MessagePriority.FLASH, to=["US"], requires_ack=True,
             alert=AlertFields(transport_mode="express_courier", route_countries=["IN", "US"],
                               commodity="Greeting cards with tablets")),
        Demo("g3", "cp.gb", "Briefing slides for the mid-term call",
             "The slides for Thursday's call, for the OCU.", 1, 13, to=[],
             audience=Audience.OCU, files=[("mid-term-call.pdf", "slides")]),
    ]


def _files(today: date) -> dict[str, bytes]:
    return {
        "indicators": tiny_pdf("CATalyst - risk indicators", [
            "Declared as bath salts, plant food, research chemicals or cosmetics",
            "Sender and consignee without trade history",
            "Routing through transit hubs with re-labelling",
            "Weight inconsistent with the declared goods"]),
        "slides": tiny_pdf("CATalyst - mid-term call", [
            "Seizures by week and by transport mode",
            "Alerts exchanged and acknowledged",
            "Questions for the OCU"]),
        "parcel": tiny_png(),
        "courier": (b"Courier account 4471-0093-XS\n"
                    b"JFK 1: 2 kg, declared as plant food\n"
                    b"JFK 2: 1.5 kg, declared as bath salts\n"
                    b"JFK 3: 3 kg, declared as research chemicals\n"),
        "lab": LAB_RESULTS_CSV.format(day=(today - timedelta(days=9)).isoformat()).encode(),
    }


def _person(local_part: str) -> User:
    user = find_user_by_email(f"{local_part}@{DEMO_DOMAIN}")
    if user is None:
        raise LookupError(f"the demo account {local_part}@{DEMO_DOMAIN} is missing")
    return user


def _at(today: date, days_ago: int, hour: int) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(hour, 0), tzinfo=UTC)


def load_demo_messages(today: date | None = None) -> int:
    """Send the demo's messages in CATALYST-DEMO unless they are there; how many were sent."""
    today = today or date.today()
    operation = db.session.scalar(select(Operation).where(Operation.code == OPERATION_CODE))
    if operation is None or db.session.scalar(select(Message.id).where(
            Message.operation_id == operation.id, Message.subject == FIRST_BULLETIN)):
        return 0
    files = _files(today)
    sent: dict[str, Message] = {}
    for demo in _exchange(today):
        sender = _person(demo.sender)
        access = standing_in(sender, operation)
        fields = MessageFields(
            subject=demo.subject, body=demo.body, kind=demo.kind, priority=demo.priority,
            audience=demo.audience, organisations=demo.to, requires_ack=demo.requires_ack,
            alert=demo.alert)
        if demo.reply_to is not None:
            message = messaging.reply_to(sent[demo.reply_to], fields, actor=sender,
                                         access=access, operation=operation)
        else:
            message = messaging.send_message(operation, fields, actor=sender, access=access)
        for filename, key in demo.files:
            attachments.add_attachment(message, filename, files[key], actor=sender,
                                       access=access)
        for code in demo.acknowledged_by:
            person = _person(f"cp.{code.lower()}")
            messaging.acknowledge(message, actor=person, access=standing_in(person, operation))
        for local_part in demo.read_by:
            messaging.mark_read(message, _person(local_part))
        _date_back(message, _at(today, demo.days_ago, demo.hour))
        sent[demo.key] = message
    db.session.flush()
    return len(sent)


def _date_back(message: Message, sent_at: datetime) -> None:
    """Place the message, its acknowledgements and reads at the time the demo says."""
    message.sent_at = sent_at
    deliveries.redated(message)
    for number, addressee in enumerate(message.addressees):
        if addressee.acknowledged_at is not None:
            addressee.acknowledged_at = sent_at + timedelta(hours=1, minutes=7 * number)
    for number, read in enumerate(db.session.scalars(
            select(MessageRead).where(MessageRead.message_id == message.id))):
        read.read_at = sent_at + timedelta(minutes=20 + 9 * number)
