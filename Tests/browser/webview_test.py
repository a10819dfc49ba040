#!/usr/bin/python3
"""The web view in headless Chromium, as a contact point, the board member and an officer.

Run by scripts/browser-test.sh, which prepares the hub, the PKI and the reports
and passes their names in a JSON plan. Each identity gets a browser profile of
its own: HOME with an NSS database holding the CA (trusted) and that identity's
certificate and key; the policy installed by scripts/bootstrap.sh --browser
presents it to https://127.0.0.1 without asking. Exits non-zero on the first
check that fails, naming it.
"""
import json
import os
import re
import subprocess
import sys

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

plan = json.load(open(sys.argv[1]))
base, pki, work, shots = plan["base"], plan["pki"], plan["work"], plan["shots"]
failures = []


def check(condition, what):
    print(("ok      " if condition else "FAILED  ") + what)
    if not condition:
        failures.append(what)


def profile(name, identity, trust_ca=True):
    """A HOME whose NSS database trusts the CA (unless told not to) and holds `identity`'s certificate (or none)."""
    home = os.path.join(work, "browser-" + name)
    nss = os.path.join(home, ".pki", "nssdb")
    os.makedirs(nss, exist_ok=True)
    db = "sql:" + nss
    subprocess.run(["certutil", "-N", "-d", db, "--empty-password"], check=True)
    if trust_ca:
        subprocess.run(["certutil", "-A", "-d", db, "-n", "ilonet-test-ca", "-t", "C,,", "-i", plan["ca"]], check=True)
    if identity:
        p12 = os.path.join(home, identity + ".p12")
        subprocess.run(["openssl", "pkcs12", "-export", "-in", f"{pki}/{identity}.crt", "-inkey", f"{pki}/{identity}.key",
                        "-out", p12, "-passout", "pass:", "-name", identity], check=True)
        subprocess.run(["pk12util", "-i", p12, "-d", db, "-W", ""], check=True, stdout=subprocess.DEVNULL)
    return home


def browser(home, width=1280, height=900, extra=()):
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     "--user-data-dir=" + os.path.join(home, "chromium"), "--no-first-run", "--disable-extensions", *extra]:
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    service = Service("/usr/bin/chromedriver", env=dict(os.environ, HOME=home))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    return driver


def shot(driver, name):
    """A screenshot of the whole page (as tall as its content)."""
    height = driver.execute_script("return Math.max(document.body.scrollHeight, 600)")
    driver.set_window_size(1280, min(height + 40, 2400))
    driver.save_screenshot(os.path.join(shots, name + ".png"))
    driver.set_window_size(1280, 900)


def submit(driver, button):
    """Clicks a form's button and waits for the page the node answers with (after its 303)."""
    button.click()
    try:
        WebDriverWait(driver, 15).until(expected_conditions.staleness_of(button))
        WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")
    except WebDriverException:
        pass


def text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


# Italy's national contact point, who subscribes to everything: the inbox, search and every form.
reader = browser(profile("reader", "authority-it-user"))
try:
    reader.get(base + "/")
    page = text(reader)
    check("ncp.it.bianchi" in page and "Inbox" in reader.title, "contact point: the inbox opens with the reader's identity")
    check("Large group at Ras Ajdir" in page and "flash" in page, "contact point: the flash border report is in the inbox")
    rows = reader.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    check(len(rows) > 0 and "flash" in rows[0].text, "contact point: the inbox lists the most urgent first")
    shot(reader, "inbox")
    reader.set_window_size(390, 844)  # a phone
    reader.get(base + "/")
    overflow = reader.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
    check(not overflow, "contact point: the inbox fits a phone's width (tables scroll inside their box)")
    reader.save_screenshot(os.path.join(shots, "inbox-phone.png"))
    reader.set_window_size(1280, 900)

    reader.get(base + "/search?q=sabratha")
    page = text(reader)
    check("kumquat crates" in page.lower() and "Marmalade" not in page, "contact point: search finds the open report, not the H2 one for the board")
    check(len(reader.find_elements(By.TAG_NAME, "mark")) > 0, "contact point: matched words are highlighted")
    shot(reader, "search")

    # Every form of the web view, clicked as a person would (issue 27: a green
    # suite once hid three forms that Chromium's own Origin header broke).
    reader.get(base + "/subscriptions")
    reader.find_element(By.ID, "filter").send_keys("smuggling/TN/#")
    submit(reader, reader.find_element(By.CSS_SELECTOR, "form[action='/subscriptions/add'] button[type=submit]"))
    page = text(reader)
    check("Subscribed: the subscription is in the list below." in page and "smuggling/TN/#" in page,
          "contact point: the Subscribe form, submitted in Chromium, subscribes")
    submit(reader, reader.find_element(By.XPATH, "//tr[td/code[text()='smuggling/TN/#']]//button[text()='Unsubscribe']"))
    page = text(reader)
    check("Unsubscribed: the subscription left the list below." in page and "smuggling/TN/#" not in page,
          "contact point: the Unsubscribe form, submitted in Chromium, unsubscribes")
    # The mailbox: one report marked read, then unread, by its own buttons; then a selection.
    reader.get(base + "/")
    # The flash report by its own link: the twelve weeks of reports have headlines like it.
    link = "/report/" + plan["flash"]
    row = f"//tr[.//a[@href='{link}']]"

    def section(read):
        """The page's Read section (read=True) or everything before it, as HTML."""
        parts = reader.page_source.split("<h2>Read</h2>", 1)
        return (parts[1] if len(parts) == 2 else "") if read else parts[0]

    submit(reader, reader.find_element(By.XPATH, row + "//button[text()='Mark read']"))
    check("Marked as read." in text(reader) and "403" not in text(reader) and link in section(True) and link not in section(False),
          "contact point: Mark read, clicked in Chromium, moves the report under Read")
    submit(reader, reader.find_element(By.XPATH, row + "//button[text()='Mark unread']"))
    check("Marked as unread" in text(reader) and link in section(False) and link not in section(True),
          "contact point: Mark unread, clicked in Chromium, brings it back among the unread")
    reader.find_element(By.XPATH, row + "//input[@type='checkbox']").click()
    submit(reader, reader.find_element(By.XPATH, "//button[text()='Mark selected as read']"))
    check("Marked as read." in text(reader) and link in section(True) and link not in section(False),
          "contact point: a ticked report, marked with Mark selected as read, is read")
    reader.find_element(By.XPATH, row + "//input[@type='checkbox']").click()
    submit(reader, reader.find_element(By.XPATH, "//button[text()='Mark selected as unread']"))
    check("Marked as unread" in text(reader) and link in section(False) and link not in section(True),
          "contact point: a ticked report, marked with Mark selected as unread, is unread again")
    shot(reader, "inbox-read")
    reader.get(base + "/?done=Re-enter+your+passphrase")
    check("Re-enter" not in text(reader), "contact point: no text from the address reaches the page's banner")
finally:
    reader.quit()

# The steering-board member (issue 31): what is addressed to the board, the event shared
# with it, digests, trends and the activity report — and nothing else.
board = browser(profile("board", "board-fr"))
try:
    board.get(base + "/")
    page = text(board)
    check("board.fr.martin" in page and "Inbox" in board.title, "board: the inbox opens with the board member's identity")
    check("Marmalade network" in page and "kumquat" not in page.lower(), "board: the inbox holds what is addressed to the board, not everything")

    board.get(base + "/report/" + plan["h2"])
    page = text(board)
    check("Marmalade network" in page, "board: the H2 report addressed to the board opens")
    check("H2" in page and "permission of the provider" in page, "board: the report shows its handling code with its meaning")
    check("the signature verified" in page, "board: the report shows its verified signer")
    check("a source that has proved reliable in most instances" in page, "board: evaluation codes in words")
    shot(board, "report")

    board.get(base + "/search?q=sabratha")
    page = text(board)
    check("Marmalade" in page and "kumquat crates" not in page.lower(), "board: search finds the report addressed to it, not the others")

    board.get(base + "/events")
    page = text(board)
    check(plan["flash"][-8:] in page, "board: the events page lists the event shared with the board")
    board.find_element(By.XPATH, f"//a[@href='/event/{plan['flash']}']").click()
    WebDriverWait(board, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")
    page = text(board)
    check("Large group at Ras Ajdir" in page and "IT-PS" in page and "share" in page,
          "board: the event page, opened by its link, shows the shared report, the owner and the share")
    shot(board, "event")

    board.get(base + f"/trends?from={plan['from']}&to={plan['to']}&every=week&by=kind")
    page = text(board)
    check("Reports per week" in page and "smuggling" in page, "board: the trend page lists weekly counts per kind")
    image = board.find_element(By.CSS_SELECTOR, ".chart img")
    loaded = board.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)
    check(loaded, "board: the SVG trend chart loads (served under the page's Content-Security-Policy)")
    shot(board, "trends")

    board.get(base + f"/activity?from={plan['from']}&to={plan['to']}")
    page = text(board)
    check("Reports created from" in page and "Reports by quarter" in page, "board: the activity report opens")
    check(plan["h2"] not in page and "Marmalade" not in page, "board: the activity report names no report and no headline")
    check("Tripoli" in page and "Tunis" in page, "board: the activity report lists the deployed officers' posts")
    shot(board, "activity")

    board.get(base + "/report/" + plan["open"])
    check("No report" in text(board) and "kumquat" not in text(board).lower(), "board: a report not addressed or shared discloses nothing")
finally:
    board.quit()

# An officer: his own posts' reports, never the board's H2 report, no activity report.
officer = browser(profile("officer", "officer-it"))
try:
    officer.get(base + "/")
    page = text(officer)
    check("officer.it.rossi" in page, "officer: the inbox opens with the officer's identity")
    check("Activity report" not in page, "officer: no activity report in the menu")
    officer.get(base + "/search?q=marmalade")
    page = text(officer)
    check("No report you may read matches" in page and "Marmalade network" not in page, "officer: search does not find the H2 report")
    officer.get(base + "/report/" + plan["h2"])
    page = text(officer)
    check("Marmalade" not in page and "No report" in page, "officer: the H2 report's page discloses nothing")
    officer.get(base + "/search?q=kumquat")
    check("kumquat crates" in text(officer).lower(), "officer: search finds the open report about his post's country")
    officer.get(base + "/activity")
    page = text(officer)
    check("forbidden" in page and "Reports by" not in page, "officer: the activity report is refused")
    shot(officer, "officer-activity-refused")
finally:
    officer.quit()

# Germany's contact point: a passenger list (personal data) opens only after a reason is given in the form.
authority = browser(profile("authority", "authority-de-user"))
try:
    authority.get(base + "/report/" + plan["case"])
    page = text(authority)
    check("Why do you read this report?" in page and "Quentin Marmaduke" not in page, "authority: a report with personal data asks for a reason first")
    field = authority.find_element(By.NAME, "reason")
    check(field.get_attribute("required") is not None, "authority: the reason is a required field")
    shot(authority, "report-reason")
    field.send_keys("return of the charter passengers: identification")
    submit(authority, authority.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    page = text(authority)
    check("Quentin Marmaduke" in page and "Charter passenger list" in page, "authority: with a reason, the passenger list opens")
    import sqlite3
    store = sqlite3.connect(f"file:{plan['work']}/store.sqlite?mode=ro", uri=True)
    kept = store.execute("SELECT count(*) FROM audit WHERE report_id = ? AND event = 'read' AND detail = ?",
                         (plan["case"], "reason: return of the charter passengers: identification")).fetchone()[0]
    store.close()
    check(kept == 1, "authority: the reason is in the node's audit trail with the read")
    # The scan attached to it: shown on the page (loaded under the page's CSP, scaled by the browser),
    # served with its exact type and nosniff, offered as a download; each view and download audited.
    image = authority.find_element(By.CSS_SELECTOR, "img.attachment")
    loaded = authority.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image)
    check(bool(loaded), "authority: the attached image is shown on the report page")
    shot(authority, "report-attachment")
    # Download clicked in Chromium: saved as a file (Content-Disposition: attachment), the exact bytes.
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads, exist_ok=True)
    authority.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    link = authority.find_element(By.LINK_TEXT, "Download")
    href = link.get_attribute("href")
    link.click()
    import time
    saved = os.path.join(downloads, plan["case"] + "-1.jpg")
    for _ in range(100):
        if os.path.exists(saved):
            break
        time.sleep(0.1)
    expected = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ILONetTests", "Fixtures", "attachments", "plain.jpg"), "rb").read()
    check(os.path.exists(saved) and open(saved, "rb").read() == expected, "authority: Download saves the file, byte for byte, under its report's id")
    # The headers of both answers, read with the same certificate (the page's CSP lets no script fetch them).
    import ssl
    import urllib.request
    context = ssl.create_default_context(cafile=plan["ca"])
    context.check_hostname = False
    context.load_cert_chain(f"{pki}/authority-de-user.crt", f"{pki}/authority-de-user.key")
    for url, disposition in [(href, "attachment;"), (image.get_attribute("src"), "inline;")]:
        with urllib.request.urlopen(url, context=context) as answer:
            headers = answer.headers
            check(answer.status == 200 and headers["Content-Type"] == "image/jpeg" and headers["Content-Disposition"].startswith(disposition)
                  and headers["X-Content-Type-Options"] == "nosniff" and "img-src 'self'" in headers["Content-Security-Policy"]
                  and "default-src 'none'" in headers["Content-Security-Policy"],
                  "authority: %s has its media type, Content-Disposition %s nosniff and the CSP" % (url.split("?")[0].split("/file/")[1], disposition))
    store = sqlite3.connect(f"file:{plan['work']}/store.sqlite?mode=ro", uri=True)
    viewed = store.execute("SELECT count(*) FROM audit WHERE report_id = ? AND event = 'read' AND detail LIKE 'attachment 1; reason: %'",
                           (plan["case"],)).fetchone()[0]
    store.close()
    check(viewed >= 2, "authority: the view and the download are read records naming the file (%d)" % viewed)
    authority.get(base + "/orders")
    authority.find_element(By.NAME, "report").send_keys(plan["mistake"])
    submit(authority, authority.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    page = text(authority)
    check("withdrawn at 1 of 1 node that held it" in page and "signed by the node, verified" in page,
          "authority: the orders page shows the withdrawal of a report of its authority, with the node's verified receipt")
    shot(authority, "orders")
finally:
    authority.quit()

# The data-protection officer: the record of processing, and a subject-access lookup by its form.
dpo = browser(profile("dpo", "dpo"))
try:
    dpo.get(base + "/dpo")
    page = text(dpo)
    check("Record of processing" in page and "return-passenger-list" in page and "allow read-personal" in page,
          "dpo: the record of processing lists the categories and who may receive them")
    check("Inbox" not in page.split("Record of processing")[0], "dpo: no inbox in the menu (a dpo reads no content)")
    dpo.get(base + "/dpo/find")
    dpo.find_element(By.NAME, "document_number").send_keys("a 000 0001")
    dpo.find_element(By.NAME, "reason").send_keys("data subject request 2026-114")
    submit(dpo, dpo.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    page = text(dpo)
    check(plan["case"] in page and "return-passenger-list" in page and "Quentin" not in page,
          "dpo: the lookup finds the passenger list by document number, without its content")
    shot(dpo, "subject-lookup")
    store = sqlite3.connect(f"file:{plan['work']}/store.sqlite?mode=ro", uri=True)
    logged = store.execute("SELECT count(*) FROM audit WHERE event = 'subject-lookup' AND actor = 'dpo.board' AND detail LIKE 'reason: data subject request 2026-114;%'").fetchone()[0]
    store.close()
    check(logged == 1, "dpo: the lookup is in the audit trail with its reason")
finally:
    dpo.quit()

# No certificate, a revoked one, a browser that does not trust the network's CA,
# and an address that is not in the node's certificate: no page is served, and the
# error Chromium shows is printed (docs/WEB.md §3.1 lists them).
# A name the hub's certificate does not carry, resolved to the hub's address by Chromium itself.
wrong_name = base.replace("127.0.0.1", "wrong-name.ilonet.example")
for name, identity, trust_ca, address in [("nocert", None, True, base), ("revoked", "officer-revoked", True, base),
                                          ("untrusted-ca", "board-fr", False, base), ("wrong-name", "board-fr", True, wrong_name)]:
    driver = browser(profile(name, identity, trust_ca), extra=["--host-resolver-rules=MAP wrong-name.ilonet.example 127.0.0.1"])
    try:
        served = True
        shown = ""
        try:
            driver.get(address + "/")
            served = "Inbox" in driver.title
            shown = driver.page_source
        except WebDriverException as error:
            served = False
            shown = str(error)
        check(not served, f"{name}: gets nothing")
        # What the person sees (docs/WEB.md §3.1 lists it): Chromium's own error page and its code.
        codes = sorted(set(re.findall(r"(?:NET::)?ERR_[A-Z_]+", shown)))
        print(f"        {name}: Chromium shows {', '.join(codes) or shown[:80]!r}")
    finally:
        driver.quit()

print(f"screenshots in {shots}")
if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
print("browser test passed")
