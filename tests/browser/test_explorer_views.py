"""The explorer's pictures: the whole network year by year, the ties among a country's
partners, the evidence kept in view, and names never cut at a picture's edge.

Every count and code the page draws is compared with the public API's own answer.
"""

from typing import Any

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.select import Select

from tests.browser.conftest import console_errors, screenshot
from tests.browser.test_explorer import open_explorer, partner_codes, wait

pytestmark = pytest.mark.slow  # a live server and Chromium

NETWORK_SIZE = 15  # the partners the country's picture draws

# The text of every name in a picture whose box is not inside the picture's own box.
LABELS_OUTSIDE = """
const picture = arguments[0].getBoundingClientRect();
return [...arguments[0].querySelectorAll("text")]
  .filter((text) => {
    const box = text.getBoundingClientRect();
    return box.left < picture.left - 0.5 || box.right > picture.right + 0.5
      || box.top < picture.top - 0.5 || box.bottom > picture.bottom + 0.5;
  })
  .map((text) => text.textContent);
"""


def api_network(base_url: str, **params: str) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/v1/network", params=params, timeout=30)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def drawn(driver: WebDriver, css: str) -> list[dict[str, str]]:
    """The data-* attributes of every element that matches, read in one call."""
    found: list[dict[str, str]] = driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((e) => ({...e.dataset}))", css
    )
    return found


def drawn_world(driver: WebDriver) -> tuple[set[str], set[frozenset[str]]]:
    nodes = {node["iso3"] for node in drawn(driver, "#world g.node")}
    edges = {frozenset((e["source"], e["target"])) for e in drawn(driver, "#world .edge")}
    return nodes, edges


def of_api(network: dict[str, Any]) -> tuple[set[str], set[frozenset[str]]]:
    nodes = {node["iso3"] for node in network["nodes"]}
    edges = {frozenset((edge["source"], edge["target"])) for edge in network["edges"]}
    return nodes, edges


def type_year(driver: WebDriver, year: str) -> None:
    """Replace the year field's value as a person does: select it, type, Enter."""
    field = driver.find_element(By.ID, "year-input")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(year, Keys.ENTER)


def world_year(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "world-year-value").text


def place(driver: WebDriver, iso3: str) -> tuple[str, str]:
    circle = driver.find_element(By.CSS_SELECTOR, f"#world g.node[data-iso3='{iso3}'] circle")
    return str(circle.get_attribute("cx")), str(circle.get_attribute("cy"))


def test_the_whole_network_follows_the_year(browser: WebDriver, live_server: str) -> None:
    open_explorer(browser, live_server, "?view=network&year=2015")
    in_2015 = of_api(api_network(live_server, year="2015"))
    assert in_2015[0] and in_2015[1]
    assert drawn_world(browser) == in_2015
    assert world_year(browser) == "2015"
    assert f"{len(in_2015[0])} countries, {len(in_2015[1])} cooperating pairs" in (
        browser.find_element(By.ID, "status").text
    )
    screenshot(browser, "explorer-network-2015")

    # The slider's first year (Home), then the next one: the picture is the API's for each.
    slider = browser.find_element(By.ID, "world-year")
    first = int(str(slider.get_attribute("min")))
    slider.send_keys(Keys.HOME)
    wait(browser).until(lambda d: world_year(d) == str(first) and f"year={first}" in d.current_url)
    at_first = of_api(api_network(live_server, year=str(first)))
    assert at_first != in_2015  # the data changes over the years, so must the picture
    wait(browser).until(lambda d: drawn_world(d) == at_first)

    browser.find_element(By.ID, "year-next").click()
    following = of_api(api_network(live_server, year=str(first + 1)))
    wait(browser).until(lambda d: world_year(d) == str(first + 1))
    wait(browser).until(lambda d: drawn_world(d) == following)
    screenshot(browser, f"explorer-network-{first + 1}")

    # A country keeps its place from one year to another.
    common = sorted(following[0] & in_2015[0])[0]
    there = place(browser, common)
    type_year(browser, "2015")
    wait(browser).until(lambda d: drawn_world(d) == in_2015)
    assert place(browser, common) == there

    # A country of the picture opens its partners, for the same year.
    browser.find_element(By.CSS_SELECTOR, "#world g.node[data-iso3='IDN']").send_keys(Keys.ENTER)
    wait(browser).until(lambda d: "MYS" in partner_codes(d))
    assert "country=IDN" in browser.current_url and "year=2015" in browser.current_url
    assert "view=network" not in browser.current_url
    assert console_errors(browser) == []


def test_a_year_outside_the_data_shows_its_coverage_note(
    browser: WebDriver, live_server: str
) -> None:
    open_explorer(browser, live_server, "?view=network&year=2015")
    note = browser.find_element(By.ID, "coverage-note")
    inside = api_network(live_server, year="2015")["meta"]["coverage"]
    assert all(part["note"] in note.text for part in inside)
    assert "outside" not in str(note.get_attribute("class"))

    type_year(browser, "1900")
    wait(browser).until(lambda d: "No data for 1900:" in note.text)
    outside = api_network(live_server, year="1900")
    assert outside["nodes"] == [] and outside["meta"]["coverage"]
    assert all(part["note"] in note.text for part in outside["meta"]["coverage"])
    assert "outside" in str(note.get_attribute("class")) and note.is_displayed()
    assert browser.find_elements(By.CSS_SELECTOR, "#world svg") == []
    caption = browser.find_element(By.ID, "world-caption").text
    assert caption == "No ties are recorded in 1900."
    assert "year=1900" in browser.current_url and world_year(browser) == "1900"
    screenshot(browser, "explorer-network-1900")


def peers_of_api(base_url: str, partners: list[str], **params: str) -> set[frozenset[str]]:
    """The API's edges among the partners a country's picture draws."""
    top = set(partners[:NETWORK_SIZE])
    return {
        pair
        for pair in of_api(api_network(base_url, **params))[1]
        if pair <= top  # both ends among the drawn partners (the country itself is not)
    }


def drawn_peers(driver: WebDriver) -> set[frozenset[str]]:
    return {frozenset((e["source"], e["target"])) for e in drawn(driver, "#network .edge.peer")}


def test_a_country_picture_draws_the_ties_among_its_partners(
    browser: WebDriver, live_server: str
) -> None:
    open_explorer(browser, live_server, "?country=IDN")
    wait(browser).until(lambda d: "MYS" in partner_codes(d))
    expected = peers_of_api(live_server, partner_codes(browser))
    assert expected
    wait(browser).until(lambda d: drawn_peers(d) == expected)
    assert f"({len(expected)} pairs)" in browser.find_element(By.ID, "network-caption").text

    # The ties among the partners follow the filters, as the partners do.
    Select(browser.find_element(By.ID, "threat-select")).select_by_value("terrorism")
    wait(browser).until(lambda d: "Terrorism" in d.find_element(By.ID, "status").text)
    by_threat = peers_of_api(live_server, partner_codes(browser), threat="terrorism")
    assert by_threat != expected
    wait(browser).until(lambda d: drawn_peers(d) == by_threat)

    # Choosing a partner brings out its own ties among the others.
    browser.find_element(By.CSS_SELECTOR, "#network g.node[data-iso3='MYS']").click()
    wait(browser).until(ec.visibility_of_element_located((By.ID, "evidence")))
    marked = drawn(browser, "#network .edge.peer.selected")
    assert marked and all("MYS" in (e["source"], e["target"]) for e in marked)
    screenshot(browser, "explorer-peers-IDN")


def in_viewport(driver: WebDriver, element_id: str) -> bool:
    """The element's top, and its heading, lie within the window."""
    result: bool = driver.execute_script(
        """const element = document.getElementById(arguments[0]);
        const box = element.getBoundingClientRect();
        const head = element.querySelector("h2").getBoundingClientRect();
        return box.top >= 0 && box.top < window.innerHeight
          && head.top >= 0 && head.bottom <= window.innerHeight;""",
        element_id,
    )
    return result


def test_the_evidence_stays_in_view(browser: WebDriver, live_server: str) -> None:
    open_explorer(browser, live_server, "?country=IDN")
    wait(browser).until(lambda d: len(partner_codes(d)) > 20)
    last = partner_codes(browser)[-1]
    button = browser.find_element(By.CSS_SELECTOR, f"button.partner-link[data-iso3='{last}']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'end'})", button)
    assert browser.execute_script("return window.scrollY") > 0  # the table's foot, far down
    button.click()
    heading = browser.find_element(By.ID, "evidence-heading")
    wait(browser).until(lambda d: "Indonesia and" in heading.text)
    assert in_viewport(browser, "evidence")
    screenshot(browser, "explorer-evidence-wide")

    # Beside the partners, it stays as the page scrolls.
    browser.execute_script("window.scrollTo(0, 0)")
    browser.execute_script("window.scrollBy(0, 900)")
    assert in_viewport(browser, "evidence")

    # On a narrow screen it sits below the partners and is brought up when a pair is chosen.
    browser.set_window_size(760, 1000)
    browser.execute_script("window.scrollTo(0, 0)")
    browser.find_element(By.ID, "close-evidence").click()
    wait(browser).until(ec.invisibility_of_element_located((By.ID, "evidence")))
    browser.execute_script("window.scrollTo(0, 0)")
    browser.find_element(By.CSS_SELECTOR, "#network g.node[data-iso3='MYS']").click()
    wait(browser).until(lambda d: "Indonesia and Malaysia" in heading.text)
    wait(browser).until(lambda d: in_viewport(d, "evidence"))
    screenshot(browser, "explorer-evidence-narrow")


@pytest.mark.parametrize(
    "query",
    [
        "?country=IDN",
        "?country=SGP",  # Brunei Darussalam, beside the node on the right, once ran off the edge
        "?country=MYS&lang=id",
        "?country=GBR&year=2000",
        "?view=network&year=2015",
        "?view=network&year=1990&lang=id",
    ],
)
def test_no_name_is_cut_at_a_picture_edge(browser: WebDriver, live_server: str, query: str) -> None:
    open_explorer(browser, live_server, query)
    holder = "world" if "view=network" in query else "network"
    picture = wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, f"#{holder} svg"))
    )
    assert len(picture.find_elements(By.CSS_SELECTOR, "text")) > 10
    assert browser.execute_script(LABELS_OUTSIDE, picture) == []
