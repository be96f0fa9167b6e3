"""The addresses inside credentials are the LMS's own routes, under its URL prefix, built
from LMS_BASE_URL whatever Host the request names."""

from __future__ import annotations

from pathlib import Path

from lms.badges.service import urls
from lms.links import external_url
from tests.badges.conftest import BASE_URL
from tests.conftest import app_with_tables


def test_badge_urls_are_the_routes_under_the_prefix_whatever_the_host(
    database_url: str, tmp_path: Path
) -> None:
    with app_with_tables(
        database_url,
        LMS_BASE_URL=BASE_URL,
        LMS_URL_PREFIX="/learn",
        LMS_TRUSTED_HOSTS="localhost,evil.example",
        LMS_BADGES_KEY_FILE=str(tmp_path / "key.pem"),
    ) as app:
        result = app.test_cli_runner().invoke(args=["lms", "badges", "init-key"])
        assert result.exit_code == 0, result.output
        with app.test_request_context("/", base_url="http://evil.example"):
            badge_urls = urls()
            assert badge_urls.issuer == external_url("badges.issuer")
            assert badge_urls.issuer == f"{BASE_URL}/learn/badges/issuer"
            assert badge_urls.credential("AB12-CD34-EF56") == external_url(
                "badges.credential", code="AB12-CD34-EF56"
            )
            assert badge_urls.status_list("7") == external_url("badges.status_list", list_id="7")
            assert badge_urls.achievement("cred") == external_url("badges.achievement", slug="cred")

        client = app.test_client()
        response = client.get("/learn/badges/issuer", base_url="http://evil.example")
        assert response.status_code == 200
        issuer = response.get_json(force=True)
        assert "evil.example" not in response.get_data(as_text=True)
        assert issuer["id"] == f"{BASE_URL}/learn/badges/issuer"
        assert issuer["name"] == "Psychedelic Care Learning"  # LMS_SITE_NAME by default
        assert issuer["url"] == BASE_URL
        assert "email" not in issuer
        [method] = issuer["verificationMethod"]
        assert method["id"] == f"{issuer['id']}#{method['publicKeyMultibase']}"
        assert issuer["assertionMethod"] == [method["id"]]
