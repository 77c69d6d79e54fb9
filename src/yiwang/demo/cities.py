"""The demo's city portals (name, host, six-digit region code), free of Django so that
`yiwang.demo.run` can print their addresses; `yiwang.demo.brands` publishes them."""

DEMO_CITIES = (
    ("在泉城全办成", "jinan.localhost", "370100"),
    ("泰好办", "taian.localhost", "370900"),
)


def city_notes(host: str, port: int) -> list[str]:
    """One line per demo city: its portal by host name (browsers resolve *.localhost to the
    loopback address) and by path on the platform's own address."""
    return [
        f"城市品牌“{name}”：http://{city_host}:{port}/ （或 http://{host}:{port}/city/{code}/）"
        for name, city_host, code in DEMO_CITIES
    ]
