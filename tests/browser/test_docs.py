"""The docs pages render fully from the app's own assets: no request leaves the machine."""

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import NetworkLog, console_errors, network_log

pytestmark = pytest.mark.slow  # a live server and Chromium


def operation_ids(base_url: str) -> list[str]:
    document = httpx.get(f"{base_url}/openapi.json").json()
    return [
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
    ]


def assert_local_and_complete(driver: WebDriver, base_url: str) -> NetworkLog:
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    log = network_log(driver)
    assert f"{base_url}/openapi.json" in log.requested
    assert log.sent_off_machine() == []
    assert log.failed == []
    assert log.http_errors == []
    resources: list[str] = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources, "the page loaded no assets"
    sent = [url for url in resources if url not in log.blocked]
    assert all(url.startswith(f"{base_url}/") for url in sent), sent
    assert console_errors(driver, ignore=tuple(log.blocked)) == []
    return log


def test_swagger_ui_renders_every_operation_offline(browser: WebDriver, live_server: str) -> None:
    expected = operation_ids(live_server)
    browser.get(f"{live_server}/docs")

    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) == len(expected))
    rendered = {
        element.get_attribute("id")
        for element in browser.find_elements(By.CSS_SELECTOR, ".opblock")
    }
    for operation_id in ("get_country_partners", "get_country_pair", "list_countries"):
        assert any(str(block_id).endswith(f"-{operation_id}") for block_id in rendered)
    assert browser.find_element(By.CSS_SELECTOR, ".info .title").text.startswith("defcoop")

    partners = browser.find_element(By.CSS_SELECTOR, "[id$='-get_country_partners']")
    partners.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
    wait.until(
        ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, "[id$='-get_country_partners'] .parameters"), "threat"
        )
    )

    log = assert_local_and_complete(browser, live_server)
    assert log.blocked == []
    assert f"{live_server}/docs-assets/swagger-ui-bundle.js" in log.requested
    assert f"{live_server}/docs-assets/swagger-ui.css" in log.requested


def test_redoc_renders_offline(browser: WebDriver, live_server: str) -> None:
    expected = operation_ids(live_server)
    browser.get(f"{live_server}/redoc")

    WebDriverWait(browser, 20).until(
        lambda d: (
            len(
                d.find_elements(
                    By.CSS_SELECTOR, "[data-section-id^='tag/'][data-section-id*='/operation/']"
                )
            )
            == len(expected)
        )
    )
    assert browser.find_element(By.CSS_SELECTOR, ".api-info h1").text.startswith("defcoop")
    assert browser.find_elements(
        By.CSS_SELECTOR, "[data-section-id$='/operation/get_country_partners']"
    )

    log = assert_local_and_complete(browser, live_server)
    assert f"{live_server}/docs-assets/redoc.standalone.js" in log.requested
    # ReDoc 2 hard-codes its "API docs by Redocly" logo on a CDN: the page's CSP refuses it
    # in the browser, so it is never sent.
    assert log.blocked == ["https://cdn.redoc.ly/redoc/logo-mini.svg"]
