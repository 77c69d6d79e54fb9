import time
import pytest
pytestmark = pytest.mark.browser
def test_sleep(page):
    page.goto("/")
    time.sleep(120)
