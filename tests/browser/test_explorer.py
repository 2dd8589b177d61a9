"""The explorer at /: search, partners, threat filter, evidence, network picture, language."""

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import console_errors, network_log

pytestmark = pytest.mark.slow  # a live server and Chromium

WAIT = 15


def wait(driver: WebDriver) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, WAIT)


def open_explorer(driver: WebDriver, base_url: str, query: str = "") -> None:
    driver.get(f"{base_url}/{query}")
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "body[data-ready='true']")))


def partner_codes(driver: WebDriver) -> list[str]:
    rows = driver.find_elements(By.CSS_SELECTOR, "#partners-body tr")
    return [str(row.get_attribute("data-iso3")) for row in rows]


def status(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "status").text


def search_indonesia(driver: WebDriver) -> None:
    """Type part of the name, pick the suggestion with the keyboard."""
    field = driver.find_element(By.ID, "country-input")
    field.send_keys("indon")
    wait(driver).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "#suggestions [data-iso3='IDN']"))
    )
    field.send_keys(Keys.ARROW_DOWN)
    assert field.get_attribute("aria-expanded") == "true"
    assert field.get_attribute("aria-activedescendant") == "suggestion-0"
    field.send_keys(Keys.ENTER)
    wait(driver).until(ec.text_to_be_present_in_element((By.ID, "country-heading"), "Indonesia"))
    wait(driver).until(lambda d: "MYS" in partner_codes(d))


def test_explorer_finds_indonesia_and_its_partners(browser: WebDriver, live_server: str) -> None:
    open_explorer(browser, live_server)
    network_log(browser)
    search_indonesia(browser)

    codes = partner_codes(browser)
    assert "MYS" in codes
    assert status(browser) == f"{len(codes)} partners of Indonesia"
    malaysia = browser.find_element(By.CSS_SELECTOR, "#partners-body tr[data-iso3='MYS']")
    cells = [cell.text for cell in malaysia.find_elements(By.CSS_SELECTOR, "td")]
    ties, organizations, exercises, agreements, operations = map(int, cells[1:6])
    assert ties == organizations + exercises + agreements + operations > 0
    assert "Terrorism" in malaysia.text

    # The picture: Indonesia in the centre, at most 15 partners, widest edge for the most ties.
    network = browser.find_element(By.CSS_SELECTOR, "#network svg")
    assert network.find_element(By.CSS_SELECTOR, ".centre text").text == "IDN"
    nodes = network.find_elements(By.CSS_SELECTOR, "g.node")
    assert len(nodes) == min(15, len(codes))
    assert [node.get_attribute("data-iso3") for node in nodes] == codes[: len(nodes)]
    widths = [
        float(str(e.get_attribute("stroke-width")))
        for e in network.find_elements(By.CSS_SELECTOR, ".edge.spoke")
    ]
    assert widths == sorted(widths, reverse=True)

    # Everything came from this machine and the public API.
    log = network_log(browser)
    assert log.sent_off_machine() == [] and log.failed == [] and log.http_errors == []
    assert any("/v1/countries/IDN/partners" in url for url in log.requested)
    assert console_errors(browser) == []
    assert "country=IDN" in browser.current_url


def test_explorer_filters_partners_by_threat_and_year(browser: WebDriver, live_server: str) -> None:
    open_explorer(browser, live_server, "?country=IDN")
    wait(browser).until(lambda d: "MYS" in partner_codes(d))
    unfiltered = status(browser)

    Select(browser.find_element(By.ID, "threat-select")).select_by_value("terrorism")
    wait(browser).until(lambda d: status(d) != unfiltered and "Terrorism" in status(d))
    rows = browser.find_elements(By.CSS_SELECTOR, "#partners-body tr")
    assert rows and all("Terrorism" in row.text for row in rows)
    by_threat = int(status(browser).split()[0])
    assert by_threat == len(rows) < int(unfiltered.split()[0])
    assert "threat=terrorism" in browser.current_url

    year = browser.find_element(By.ID, "year-input")
    year.send_keys("2024", Keys.ENTER)
    wait(browser).until(lambda d: "year 2024" in status(d))
    assert int(status(browser).split()[0]) <= by_threat
    assert "MYS" in partner_codes(browser)


def test_explorer_opens_the_evidence_for_a_pair(browser: WebDriver, live_server: str) -> None:
    open_explorer(browser, live_server)
    search_indonesia(browser)

    button = browser.find_element(By.CSS_SELECTOR, "button.partner-link[data-iso3='MYS']")
    button.send_keys(Keys.ENTER)
    evidence = wait(browser).until(ec.visibility_of_element_located((By.ID, "evidence")))
    wait(browser).until(
        ec.text_to_be_present_in_element((By.ID, "evidence-heading"), "Indonesia and Malaysia")
    )
    assert browser.switch_to.active_element == browser.find_element(By.ID, "evidence-heading")

    ties = evidence.find_elements(By.CSS_SELECTOR, "li.tie")
    channels = {tie.get_attribute("data-channel") for tie in ties}
    assert {"organization", "exercise", "agreement"} <= channels
    asean = evidence.find_element(By.CSS_SELECTOR, ".initiative a[href='/v1/organizations/asean']")
    assert asean.text == "Association of Southeast Asian Nations"
    asean_tie = tie_of(asean)
    assert "1967" in asean_tie.find_element(By.CSS_SELECTOR, ".years").text
    assert "Terrorism" in asean_tie.text
    assert asean_tie.find_elements(By.CSS_SELECTOR, ".sources li")
    assert "ASEAN" in evidence.text
    assert f"{len(ties)} ties" in browser.find_element(By.ID, "evidence-summary").text

    # Closing returns the focus to the partner; the address opens the same pair again.
    browser.find_element(By.ID, "close-evidence").click()
    wait(browser).until(ec.invisibility_of_element_located((By.ID, "evidence")))
    focused = browser.switch_to.active_element
    assert focused.get_attribute("data-iso3") == "MYS" and focused.tag_name == "button"
    assert "partner=" not in browser.current_url
    open_explorer(browser, live_server, "?country=IDN&partner=MYS")
    wait(browser).until(ec.visibility_of_element_located((By.ID, "evidence")))
    assert "Malaysia" in browser.find_element(By.ID, "evidence-heading").text

    # The same evidence from the picture, by keyboard.
    browser.find_element(By.ID, "close-evidence").click()
    wait(browser).until(ec.invisibility_of_element_located((By.ID, "evidence")))
    node = browser.find_element(By.CSS_SELECTOR, "#network g.node[data-iso3='MYS']")
    node.send_keys(Keys.ENTER)
    wait(browser).until(ec.visibility_of_element_located((By.ID, "evidence")))
    wait(browser).until(
        ec.text_to_be_present_in_element((By.ID, "evidence-heading"), "Indonesia and Malaysia")
    )
    assert "partner=MYS" in browser.current_url


def tie_of(element: WebElement) -> WebElement:
    return element.find_element(By.XPATH, "ancestor::li[contains(@class, 'tie')]")


def test_explorer_switches_to_indonesian(browser: WebDriver, live_server: str) -> None:
    open_explorer(browser, live_server, "?country=IDN&threat=terrorism")
    wait(browser).until(lambda d: "MYS" in partner_codes(d))
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("lang") == "en"

    toggle = browser.find_element(By.ID, "lang-toggle")
    assert toggle.get_attribute("lang") == "id"
    toggle.click()
    wait(browser).until(lambda d: html.get_attribute("lang") == "id")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Penjelajah defcoop"
    assert browser.find_element(By.CSS_SELECTOR, "label[for='threat-select']").text == "Ancaman"
    assert (
        Select(browser.find_element(By.ID, "threat-select")).first_selected_option.text
        == "Terorisme"
    )
    assert " mitra Indonesia" in status(browser)
    assert (
        "Terorisme"
        in browser.find_element(By.CSS_SELECTOR, "#partners-body tr[data-iso3='MYS']").text
    )
    assert toggle.text == "English"
    assert "lang=id" in browser.current_url

    # The API's names come in Indonesian too: a partner's, an initiative's in the evidence.
    philippines = httpx.get(f"{live_server}/v1/countries/PHL").json()
    asean = httpx.get(f"{live_server}/v1/organizations/asean").json()
    assert philippines["name_id"] != philippines["name"]
    row = "#partners-body tr[data-iso3='PHL']"
    wait(browser).until(
        lambda d: philippines["name_id"] in d.find_element(By.CSS_SELECTOR, row).text
    )
    browser.find_element(By.CSS_SELECTOR, "button.partner-link[data-iso3='MYS']").click()
    link = ".initiative a[href='/v1/organizations/asean']"
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, link).text == asean["name_id"])

    # The choice is kept for the next visit.
    open_explorer(browser, live_server, "?country=IDN")
    assert html_lang(browser) == "id"
    wait(browser).until(lambda d: "MYS" in partner_codes(d))
    assert "Jaringan kerja sama Indonesia" in str(
        browser.find_element(By.CSS_SELECTOR, "#network svg").get_attribute("aria-label")
    )


def html_lang(driver: WebDriver) -> str:
    return str(driver.find_element(By.TAG_NAME, "html").get_attribute("lang"))


def test_explorer_shows_api_errors(browser: WebDriver, live_server: str) -> None:
    open_explorer(browser, live_server, "?country=XYZ")
    error = wait(browser).until(ec.visibility_of_element_located((By.ID, "error")))
    assert error.get_attribute("role") == "alert"
    assert "No country with code 'XYZ'" in error.text  # the problem+json detail

    open_explorer(browser, live_server, "?country=IDN&year=1700")
    error = wait(browser).until(ec.visibility_of_element_located((By.ID, "error")))
    assert "year" in error.text.lower()
    assert not browser.find_element(By.ID, "panels").is_displayed()
