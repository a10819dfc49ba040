#!/usr/bin/env python3
"""Writes the seed corpora of Fuzz/Corpus/ from the example configuration and a
few hand-made protocol frames and reports. Run from the repository root;
re-run after changing the wire format or the report schema."""
import json, os, shutil, struct

root = "Fuzz/Corpus"

def frame(kind, request, payload, flags=0):
    body = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
    return struct.pack(">IBBI", 6 + len(body), kind, flags, request) + body

report = {
    "id": "01a20459-4591-707b-8eea-8f24554a08ad", "kind": "smuggling", "country": "LY", "priority": "routine",
    "created": "2026-11-22T10:00:00Z", "headline": "Departures from Zuwara", "format": 2,
    "reliability": "B", "accuracy": 2, "level": "operational",
    "body": {"route": {"origin": ["NE"], "transit": ["LY"], "destination": ["IT"]},
             "modus_operandi": "Night departures.", "means_of_transport": ["truck", "rubber-boat"]},
}
ret = dict(report, id="01a20459-4592-7016-b77a-5d336670fd3e", kind="return",
           body={"returnees": 12, "nationality": "NG", "travel_document_status": "third-country-travel-document", "readmission_cooperation": {"assessment": "partial"}})
border = dict(report, id="01a20459-4594-7561-bacd-8634fa9312cf", kind="border", priority="flash",
              body={"location": {"crossing_point": "Ras Ajdir"}, "situation_type": "large-group", "time": "2026-11-22T02:15:00Z", "impact": "high", "nationalities": [{"country": "SD", "persons": 120}]})
case = dict(report, id="01a20459-4595-770b-9599-4dd9d4308e80", kind="return", personal_data="return-identification",
            erase_by="2027-05-22T00:00:00Z", body=ret["body"])

seeds = {
    "FuzzFrames": {
        "hello": frame(0x01, 1, {"protocol": "ilonet", "versions": [1]}),
        "publish": frame(0x10, 7, {"report": report}),
        "hello-then-publish": frame(0x01, 1, {"protocol": "ilonet", "versions": [1]}) + frame(0x10, 2, {"report": border}),
        "forward-with-path": frame(0x30, 0x80000001, {"report": report, "path": ["post-tripoli.ilonet.example"]}),
        "confirm": frame(0x22, 9, {"ids": [report["id"], ret["id"]]}),
        "subscribe": frame(0x50, 3, {"filter": "smuggling/LY/#", "mode": "digest", "period": "daily", "at": "07:00"}),
        "ping-empty-payload": frame(0x04, 5, b""),
        "not-json": frame(0x10, 4, b"{\"report\": [1, 2,"),
        "length-too-short": struct.pack(">IBBI", 2, 1, 0, 1),
        "unknown-type": frame(0x7F, 1, {}),
    },
    "FuzzReport": {
        "smuggling.json": json.dumps(report).encode(),
        "return.json": json.dumps(ret).encode(),
        "border.json": json.dumps(border).encode(),
        "case.json": json.dumps(case).encode(),
        "unicode.json": json.dumps(dict(report, headline="Übergang \u00e9t\u00e9 \ud83d\ude80 \u202e")).encode(),
        "numbers.json": b'{"kind":"return","body":{"returnees":1e400,"nationality":"NG"},"country":"LY"}',
        "deep.json": b"[" * 200 + b"]" * 200,
    },
}

# FuzzSession: [selector][length, 2 bytes][payload] per request; the selector
# indexes MessageType.allCases without HELLO, in the order Message.swift declares them.
session_types = ["welcome", "error", "ping", "pong", "bye", "ok", "publish", "accepted", "fetch", "batch", "confirm", "get", "report",
                 "forward", "queue", "queueState", "queueControl", "routeTest", "routes", "status", "nodeStatus", "audit", "auditRecords",
                 "subscribe", "unsubscribe", "subscriptions", "subscriptionList", "watch", "deliver", "digestPreview", "digest"]

def request(kind, payload):
    body = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
    return bytes([session_types.index(kind)]) + struct.pack(">H", len(body)) + body

seeds["FuzzSession"] = {
    "publish-fetch-confirm": request("publish", {"report": report}) + request("fetch", {"limit": 5})
        + request("confirm", {"ids": [report["id"]]}),
    "subscribe-watch": request("subscribe", {"filter": "smuggling/#"}) + request("watch", {"filter": "smuggling/#"}),
    "preview": request("digestPreview", {"filter": "#", "since": "36500d"}) + request("digestPreview", {"filter": "border/LY/#", "since": "1h"}),
    "get-route-status": request("get", {"id": report["id"]}) + request("routeTest", {"country": "LY"}) + request("status", {})
        + request("queue", {"limit": 10}) + request("audit", {"after": 0}),
    "digest-subscribe": request("subscribe", {"filter": "#", "digest": {"period": "daily", "at": "06:00"}})
        + request("subscriptions", {}) + request("unsubscribe", {"filter": "#", "digest": True}),
    "publish-case": request("publish", {"report": case}) + request("publish", {"report": border}),
    "forward": request("forward", {"report": report, "path": ["post-tripoli.ilonet.example"]}),
    "bye": request("ping", {}) + request("bye", {}),
}

os.makedirs(root, exist_ok=True)
for harness, files in seeds.items():
    os.makedirs(f"{root}/{harness}", exist_ok=True)
    for name, data in files.items():
        with open(f"{root}/{harness}/{name}", "wb") as f:
            f.write(data)
for harness, sources in {
    "FuzzConfig": ["config/hub.conf"] + [f"config/network/{n}" for n in sorted(os.listdir("config/network")) if n.endswith(".conf")],
    "FuzzRoutes": [f"config/network/{n}" for n in sorted(os.listdir("config/network")) if n.endswith(".routes")],
    "FuzzAccess": ["config/network/access.rules"],
    "FuzzAttachments": [f"Tests/ILONetTests/Fixtures/attachments/{n}" for n in ["gps.jpg", "meta.png", "js-objstm.pdf", "author.pdf", "text-level1.zlib"]],
}.items():
    os.makedirs(f"{root}/{harness}", exist_ok=True)
    for source in sources:
        shutil.copy(source, f"{root}/{harness}/{os.path.basename(source)}")
