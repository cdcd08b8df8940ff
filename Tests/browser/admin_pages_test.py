#!/usr/bin/env python3
"""The admin pages in a real browser: headless Chromium (Debian's chromium + chromium-driver)
driven by selenium logs in to a fresh `serviceplatform demo`, registers a system, puts it in
MONOPOLBRUD, requests and approves an agreement, finds a real call in the audit log and looks
at the status page, taking a screenshot of each page. Fails on an error page or a missing
element. Screenshots go to <work>/screenshots and test-artifacts/screenshots/."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from demo_process import Demo

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Browser:
    def __init__(self, shots):
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1440,1100",
                     "--lang=en-US"):
            options.add_argument(flag)
        service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(30)
        self.shots = shots
        self.count = 0

    def open(self, url):
        self.driver.get(url)

    def submit(self, element):
        """Clicks a submit button and waits until the next page has replaced this one."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def replaced(_):
            # Chrome answers a node of a document already replaced either with a stale-element
            # error or, while the new page loads, with "Node with given id does not belong to the
            # document" (a plain WebDriverException): both mean the old page is gone.
            try:
                old.is_enabled()
                return False
            except WebDriverException:  # StaleElementReferenceException is one
                return True

        WebDriverWait(self.driver, 20).until(replaced)
        WebDriverWait(self.driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def page(self, name, main_id):
        """Checks the page is the expected one and no error page, then takes its screenshot."""
        d = self.driver
        mains = d.find_elements(By.ID, main_id)
        errors = d.find_elements(By.ID, "error") + d.find_elements(By.CSS_SELECTOR, ".error")
        assert mains, f"{name}: no <main id={main_id}> at {d.current_url} (title {d.title!r})"
        assert not errors, f"{name}: error on the page: {errors[0].text}"
        self.count += 1
        path = os.path.join(self.shots, f"{self.count:02d}-{name}.png")
        # The whole page, not only the window.
        height = d.execute_script("return document.documentElement.scrollHeight")
        d.set_window_size(1440, max(1100, min(height + 40, 4000)))
        d.save_screenshot(path)
        d.set_window_size(1440, 1100)
        print(f"ok   {name}: {d.title} -> {os.path.relpath(path, ROOT) if path.startswith(ROOT) else path}")

    def quit(self):
        self.driver.quit()


def self_signed_certificate(work, name):
    key, cert = os.path.join(work, "browser-key.pem"), os.path.join(work, "browser-cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "365", "-subj", f"/C=DK/O=Browser test/CN={name}"], check=True, capture_output=True)
    return open(cert).read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--work", default=None)
    parser.add_argument("--artifacts", default=os.path.join(ROOT, "test-artifacts", "screenshots"))
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="sp-browser-")
    shots = os.path.join(work, "screenshots")
    os.makedirs(shots, exist_ok=True)
    print(f"== admin pages in headless Chromium ({work})")

    with Demo(args.binary, os.path.join(work, "data"), work) as demo:
        admin = demo.admin_url
        browser = Browser(shots)
        d = browser.driver
        try:
            # Login: a page without a session lands on the login form.
            browser.open(admin + "/admin/systems")
            assert d.current_url.endswith("/admin/login"), d.current_url
            browser.page("login", "page-login")
            d.find_element(By.ID, "token").send_keys("not the token")
            browser.submit(d.find_element(By.CSS_SELECTOR, "#login-form button"))
            assert "not the admin token" in d.find_element(By.ID, "error").text
            d.find_element(By.ID, "token").send_keys(demo.admin_token)
            browser.submit(d.find_element(By.CSS_SELECTOR, "#login-form button"))
            assert d.current_url.endswith("/admin/"), d.current_url
            cookie = d.get_cookie("sp_admin_session")
            assert cookie and cookie["secure"] and cookie["httpOnly"] and cookie.get("sameSite") == "Strict", cookie
            assert cookie["value"] != demo.admin_token
            print("ok   the session cookie is Secure, HttpOnly, SameSite=Strict over http://127.0.0.1 and holds no token")
            browser.page("overview", "page-overview")

            # Register a system (its name has markup: it must show as text).
            name = "Browser <b>test</b> system"
            browser.open(admin + "/admin/systems")
            d.find_element(By.ID, "name").send_keys(name)
            d.find_element(By.ID, "certificatePem").send_keys(self_signed_certificate(work, "Browser test system"))
            browser.submit(d.find_element(By.CSS_SELECTOR, "#register-system button"))
            flash = d.find_element(By.ID, "flash").text
            system_id = re.search(r"registered with id (\S+)\.", flash).group(1)
            row = d.find_element(By.CSS_SELECTOR, f'tr[data-system-id="{system_id}"]')
            assert name in row.text and not row.find_elements(By.TAG_NAME, "b"), row.get_attribute("innerHTML")
            print(f"ok   system registered ({system_id}); its name shows as text")
            browser.page("systems", "page-systems")

            # Visibility group.
            browser.open(admin + "/admin/visibility-groups")
            Select(d.find_element(By.ID, "group-system")).select_by_value(system_id)
            browser.submit(d.find_element(By.CSS_SELECTOR, "#add-group button"))
            assert "Added to MONOPOLBRUD" in d.find_element(By.ID, "flash").text
            assert name in d.find_element(By.ID, "groups").text
            browser.page("visibility-groups", "page-visibilityGroups")

            # Request an agreement, then approve it with its button.
            browser.open(admin + "/admin/agreements")
            Select(d.find_element(By.ID, "agreement-system")).select_by_value(system_id)
            Select(d.find_element(By.ID, "municipalityCvr")).select_by_value("64942212")
            browser.submit(d.find_element(By.CSS_SELECTOR, "#request-agreement button"))
            agreement_id = re.search(r"Agreement (\S+) requested", d.find_element(By.ID, "flash").text).group(1)
            row = d.find_element(By.CSS_SELECTOR, f'tr[data-agreement-id="{agreement_id}"]')
            assert "requested" in row.text
            browser.submit(row.find_element(By.XPATH, ".//button[text()='Approve']"))
            assert "is now approved" in d.find_element(By.ID, "flash").text
            row = d.find_element(By.CSS_SELECTOR, f'tr[data-agreement-id="{agreement_id}"]')
            assert "approved" in row.text and not row.find_elements(By.XPATH, ".//button[text()='Approve']")
            print(f"ok   agreement {agreement_id} requested and approved")
            browser.page("agreements", "page-agreements")

            browser.open(admin + "/admin/receivers")
            assert "demo-jobcenter" in d.find_element(By.ID, "receivers").text
            browser.page("receivers", "page-receivers")

            # A real call, found in the audit log by its BeskedID.
            result = subprocess.run(["bash", "-c", demo.command("serviceplatform")], capture_output=True, text=True, timeout=60)
            besked = re.search(r"BeskedID=(\S+)", result.stdout).group(1)
            browser.open(admin + "/admin/audit")
            d.find_element(By.ID, "beskedId").send_keys(besked)
            browser.submit(d.find_element(By.CSS_SELECTOR, "#audit-filters button"))
            rows = d.find_elements(By.CSS_SELECTOR, "#audit tbody tr[data-transaction-id]")
            assert len(rows) == 1 and besked in rows[0].text and "Modtaget" in rows[0].text, [r.text for r in rows]
            print(f"ok   the call {besked} is in the audit log")
            browser.page("audit", "page-audit")

            # The same call counted on the usage page, under its caller.
            browser.open(admin + "/admin/usage")
            assert int(d.find_element(By.ID, "usage-total").text) >= 1, d.find_element(By.ID, "usage").text
            print("ok   the usage page counts it")
            browser.page("usage", "page-usage")

            browser.open(admin + "/admin/test-certificates")
            browser.page("test-certificates", "page-testCertificates")

            browser.open(admin + "/status")
            assert "Fuldt tilgængelig" in d.find_element(By.CSS_SELECTOR, "section.summary").text
            # The status page is open, outside the admin session's cookie path.
            browser.page("status", "receivers")
        except (AssertionError, WebDriverException, AttributeError) as error:
            path = os.path.join(shots, "failure.png")
            try:
                d.save_screenshot(path)
            except WebDriverException:
                pass
            print(f"FAIL {type(error).__name__}: {error} (screenshot {path}; page {d.current_url})")
            return 1
        finally:
            browser.quit()
            os.makedirs(args.artifacts, exist_ok=True)
            for f in os.listdir(shots):
                shutil.copy(os.path.join(shots, f), args.artifacts)
    print(f"admin pages in the browser: all checks passed ({browser.count} screenshots in {args.artifacts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
