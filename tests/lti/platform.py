"""A small LTI 1.3 platform for the tests, built on the `lti1p3platform` library.

It plays Canvas or Moodle on loopback: a person clicks a link (`/start?user=&link=`), the
platform initiates the OIDC login at the tool, answers the tool's authorisation request
with a signed id_token in an auto-posting form (the page a browser would submit), issues
service tokens for the tool's signed client assertions (checked against the tool's key
set URL), and keeps the scores the tool posts in its line items.

To test the tool's refusals, `mutate` changes the next launch message before signing and
`signing_key` signs with another key (under the platform's key id).

`/course-frame` is a course page that shows a link in a frame, as Canvas and Moodle can,
and offers LTI Platform Storage (1EdTech "LTI Client Side postMessages") to the tool in it:
it answers `lti.capabilities`, `lti.put_data` and `lti.get_data` from the tool's origin
only. With `impostor=1` another origin (the same server as 127.0.0.1) answers the tool's
`lti.get_data` instead, with the values the tool expects: the tool must ignore it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, jsonify, redirect, request
from lti1p3platform.exceptions import LtiException, LtiServiceException
from lti1p3platform.lineitem import TLineItem
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.score import TScore, UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService, TPage

from tests.live import serving

#: The platform's side of LTI Platform Storage, in its course page: a store per page,
#: answering the tool's origin only (`window.platformLog` says what it did).
PLATFORM_STORAGE_JS = """
var tool = TOOL_ORIGIN, impostor = IMPOSTOR, store = {};
window.platformLog = [];
window.addEventListener("message", function (event) {
  var m = event.data;
  if (!m || typeof m !== "object" || typeof m.subject !== "string") { return; }
  if (event.origin !== tool) {
    window.platformLog.push("ignored " + m.subject + " from " + event.origin);
    return;
  }
  window.platformLog.push(m.subject + " " + (m.key || ""));
  var reply = {subject: m.subject + ".response", message_id: m.message_id};
  if (m.subject === "lti.capabilities") {
    reply.supported_messages = [{subject: "lti.capabilities"}, {subject: "lti.put_data"},
                                {subject: "lti.get_data"}];
  } else if (m.subject === "lti.put_data") {
    store[m.key] = m.value; reply.key = m.key; reply.value = m.value;
  } else if (m.subject === "lti.get_data" && impostor) {
    window.frames.impostor.postMessage(m, "*");  // the impostor answers instead
    return;
  } else if (m.subject === "lti.get_data") {
    reply.key = m.key;
    if (Object.prototype.hasOwnProperty.call(store, m.key)) { reply.value = store[m.key]; }
    else { reply.error = {code: "key_not_found", message: "No value for " + m.key}; }
  } else {
    reply.error = {code: "unsupported_subject", message: "Unsupported: " + m.subject};
  }
  event.source.postMessage(reply, event.origin);
});
"""

#: An impostor frame on another origin: answers a read with the very values expected.
IMPOSTOR_JS = """
window.addEventListener("message", function (event) {
  var m = event.data;
  window.parent.frames.tool.postMessage({
    subject: "lti.get_data.response", message_id: m.message_id, key: m.key,
    value: m.key.replace(/^lti_(state|nonce)_/, "")}, "*");
});
"""

LEARNER = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
INSTRUCTOR = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]


def rsa_pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class Person:
    sub: str
    roles: list[str]
    name: str | None = None
    email: str | None = None


@dataclass
class Link:
    """A link placed in a platform course: what it opens, and its line item if graded."""

    id: str
    context: str
    target: str  # the tool page (target_link_uri)
    graded: bool = False
    context_title: str = ""


@dataclass
class PlatformState:
    issuer: str = ""
    client_id: str = "lms-tool-1"
    deployment_id: str = "deployment-1"
    tool_login_url: str = ""
    tool_launch_url: str = ""
    tool_keyset_url: str = ""
    people: dict[str, Person] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    #: Line items by id: {"label":..., "scoreMaximum":..., "scores": [score, ...]}
    lineitems: dict[str, dict[str, Any]] = field(default_factory=dict)
    mutate: Callable[[dict[str, Any]], None] | None = None
    signing_key: str | None = None
    #: Seconds the id_token is valid (negative: expired when made).
    expiration: int = 300
    #: True: the services answer 503 (the platform is down).
    down: bool = False
    token_requests: int = 0
    #: The tool's configuration received by dynamic registration.
    registration_request: dict[str, Any] | None = None
    #: Platform courses' members: context id -> {person key: status ("Active", ...)}.
    rosters: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The content items the tool returned by deep linking, in order.
    deep_linked: list[dict[str, Any]] = field(default_factory=list)


class FlaskPlatformRequest(Request):
    def build_metadata(self, req: Any) -> TRequest:
        return {
            "method": req.method,
            "form_data": req.form.to_dict(),
            "get_data": req.args.to_dict(),
            "headers": req.headers,
            "content_type": req.content_type,
            "path": req.path,
            "json": req.get_json(silent=True),
        }


def make_platform(state: PlatformState) -> Flask:
    app = Flask("lti-test-platform")
    private_pem, public_pem = rsa_pem_pair()

    class Conf(LTI1P3PlatformConfAbstract):
        def init_platform_config(self, **kwargs: Any) -> None:
            self._registration = self.get_registration_by_params()

        def get_registration_by_params(self, **kwargs: Any) -> Registration:
            return (
                Registration()
                .set_iss(state.issuer)
                .set_client_id(state.client_id)
                .set_deployment_id(state.deployment_id)
                .set_launch_url(state.tool_launch_url)
                .set_deeplink_launch_url(state.tool_launch_url)
                .set_oidc_login_url(state.tool_login_url)
                .set_tool_key_set_url(state.tool_keyset_url)
                .set_platform_public_key(public_pem)
                .set_platform_private_key(private_pem)
            )

    class Login(OIDCLoginAbstract):
        storage_target: str | None = None

        def set_lti_message_hint(self, **kwargs: Any) -> None:
            self._lti_message_hint = kwargs["link"]

        def prepare_preflight_url(self, user_id: str) -> str:
            url = super().prepare_preflight_url(user_id)
            if self.storage_target:  # the platform offers its storage (postMessage)
                url += "&" + urlencode({"lti_storage_target": self.storage_target})
            return url

        def get_redirect(self, url: str) -> Any:
            return redirect(url)

    class Launch(LTIAdvantageMessageLaunchAbstract):
        def prepare_launch(self, preflight_response: dict[str, Any], **kwargs: Any) -> None:
            person = state.people[preflight_response["login_hint"]]
            hint = preflight_response["lti_message_hint"]
            if hint.startswith("deep-link:"):  # "add content" in a platform course
                context = hint.removeprefix("deep-link:")
                self.set_user_data(person.sub, person.roles, person.name, person.email)
                self.set_launch_context_claim(context, context_title=context)
                self.set_dl(
                    f"{state.issuer}/deep-link/return?context={context}",
                    title="Add LMS content",
                    accept_types={"ltiResourceLink"},
                )
                return
            link = state.links[hint]
            self.set_user_data(person.sub, person.roles, person.name, person.email)
            self.set_resource_link_claim(link.id, title=link.id)
            self.set_launch_context_claim(
                link.context,
                ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
                link.context_title or link.context,
            )
            self.set_launch_url(link.target)
            self.set_nrps(f"{state.issuer}/memberships/{link.context}")
            if link.graded:
                state.lineitems.setdefault(
                    link.id,
                    {
                        "id": f"{state.issuer}/lineitems/{link.id}",
                        "label": link.id,
                        "scoreMaximum": 100,
                        "resourceLinkId": link.id,
                        "scores": [],
                    },
                )
                self.set_ags(
                    lineitems_url=f"{state.issuer}/lineitems",
                    lineitem_url=f"{state.issuer}/lineitems/{link.id}",
                )

        def get_launch_data(self) -> Any:
            message, launch_state = super().get_launch_data()
            if state.mutate is not None:
                state.mutate(message)
            return message, launch_state

        def generate_launch_request(self) -> Any:
            self.set_id_token_expiration(state.expiration)
            if state.signing_key is None:
                return super().generate_launch_request()
            message, launch_state = self.get_launch_data()
            assert self._registration is not None
            token = Registration.encode_and_sign(
                message, state.signing_key, {"kid": self._registration.get_kid()}, state.expiration
            )
            return {"state": launch_state, "id_token": token}

        def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> Any:
            if launch_data["launch_url"] != state.tool_launch_url:
                return Response("redirect_uri is not the tool's registered launch URL", 400)
            fields = "".join(
                f'<input type="hidden" name="{name}" value="{html.escape(launch_data[name])}">'
                for name in ("id_token", "state")
            )
            action = html.escape(launch_data["launch_url"])
            page = (
                f'<form id="launch" method="post" action="{action}">'
                f"{fields}<button>Continue</button></form>"
                "<script>document.getElementById('launch').submit()</script>"
            )
            return Response(page, 200, mimetype="text/html")

    class Grades(AssignmentsGradesService):
        def find_lineitems(self, page: int = 1, limit: int | None = None, **kw: Any) -> TPage:
            items = [
                {k: v for k, v in li.items() if k != "scores"} for li in state.lineitems.values()
            ]
            return {"content": items, "has_next": False, "next": None}

        def find_lineitem(self, line_item_id: str) -> TLineItem:
            item = state.lineitems[line_item_id]
            return {k: v for k, v in item.items() if k != "scores"}  # type: ignore[return-value]

        def create_lineitem(self, creation_data: TLineItem) -> TLineItem:
            line_id = f"created-{len(state.lineitems) + 1}"
            item = dict(creation_data, id=f"{state.issuer}/lineitems/{line_id}", scores=[])
            state.lineitems[line_id] = item
            return {k: v for k, v in item.items() if k != "scores"}  # type: ignore[return-value]

        def update_lineitem(self, update_data: TLineItem) -> TLineItem:
            raise NotImplementedError

        def delete_lineitem(self, line_item_id: str) -> None:
            raise NotImplementedError

        def update_score(self, line_item_id: str, score: TScore) -> UpdateScoreStatus:
            state.lineitems[line_item_id]["scores"].append(score)
            return UpdateScoreStatus.SUCCESS

        def get_results(self, line_item_id: str, page: int = 1, **kw: Any) -> TPage:
            return {"content": [], "has_next": False, "next": None}

    def grades() -> Grades:
        return Grades(
            FlaskPlatformRequest(request),
            Conf(),
            lineitems_url=f"{state.issuer}/lineitems",
            lineitem_url=None,
        )

    def service_response(result: Any) -> Response:
        if result.result is None:  # a score accepted: no body (the AGS score service's way)
            return Response("" if result.code < 400 else result.message, result.code)
        response = jsonify(result.result)
        response.status_code = result.code
        return response

    @app.before_request
    def maybe_down() -> Any:
        if state.down and request.path != "/start" and request.path != "/auth":
            return Response("Service unavailable", 503)
        return None

    @app.get("/course")
    def course_page() -> Any:
        """The platform's course page: its links open the tool in a new window."""
        items = "".join(
            f'<li><a target="_blank" href="/start?user={html.escape(request.args["user"])}'
            f'&amp;link={html.escape(key)}">{html.escape(link.id)}</a></li>'
            for key, link in state.links.items()
        )
        return Response(f"<h1>Platform course</h1><ul>{items}</ul>", mimetype="text/html")

    @app.get("/course-frame")
    def course_frame() -> Any:
        """A platform course page showing a link in a frame (`storage=1`: with platform
        storage; `impostor=1`: another origin answers the tool's reads)."""
        query = {"user": request.args["user"], "link": request.args["link"]}
        storage = request.args.get("storage") == "1"
        if storage:
            query["storage"] = "1"
        tool_origin = "{0.scheme}://{0.netloc}".format(urlsplit(state.tool_login_url))
        impostor = request.args.get("impostor") == "1"
        impostor_url = f"http://127.0.0.1:{urlsplit(state.issuer).port}/impostor"
        page = (
            "<!doctype html><title>Platform course</title><h1>Platform course</h1>"
            f'<iframe name="tool" title="Course" width="1000" height="700" '
            f'src="/start?{html.escape(urlencode(query))}"></iframe>'
            + (
                f'<iframe name="impostor" title="Impostor" src="{impostor_url}"></iframe>'
                if impostor
                else ""
            )
            + (
                "<script>"
                + PLATFORM_STORAGE_JS.replace("TOOL_ORIGIN", json.dumps(tool_origin)).replace(
                    "IMPOSTOR", json.dumps(impostor)
                )
                + "</script>"
                if storage
                else ""
            )
        )
        return Response(page, mimetype="text/html")

    @app.get("/impostor")
    def impostor() -> Any:
        """Another origin in the platform's page: answers the tool's reads it is given."""
        return Response(f"<!doctype html><script>{IMPOSTOR_JS}</script>", mimetype="text/html")

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify(Conf().get_jwks())

    @app.get("/start")
    def start() -> Any:
        """A person clicks a link in the platform: OIDC login initiation at the tool."""
        link = state.links[request.args["link"]]
        login = Login(FlaskPlatformRequest(request), Conf())
        login.set_lti_message_hint(link=request.args["link"])
        login.set_launch_url(link.target)
        if request.args.get("storage") == "1":
            login.storage_target = "_parent"
        return login.initiate_login(request.args["user"])

    @app.get("/memberships/<context>")
    def memberships(context: str) -> Any:
        """Names and Role Provisioning: the context's members, for a valid service token."""
        auth = request.headers.get("Authorization", "").split()
        scope = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
        try:
            valid = len(auth) == 2 and Conf().validate_token(auth[1], [scope])
        except Exception:
            valid = False
        if not valid:
            return Response("Invalid token", 401)
        members = []
        for key, status in state.rosters.get(context, {}).items():
            person = state.people[key]
            member = {"user_id": person.sub, "roles": person.roles, "status": status}
            if person.name:
                member["name"] = person.name
            if person.email:
                member["email"] = person.email
            members.append(member)
        body = {"id": request.url, "context": {"id": context}, "members": members}
        response = jsonify(body)
        response.mimetype = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
        return response

    @app.get("/.well-known/openid-configuration")
    def openid_configuration() -> Any:
        """Dynamic registration: the platform's configuration."""
        return jsonify(
            {
                "issuer": state.issuer,
                "authorization_endpoint": f"{state.issuer}/auth",
                "token_endpoint": f"{state.issuer}/token",
                "jwks_uri": f"{state.issuer}/jwks",
                "registration_endpoint": f"{state.issuer}/register",
                "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                    "product_family_code": "test-canvas",
                    "version": "1.0",
                },
            }
        )

    @app.post("/register")
    def dynamic_register() -> Any:
        """Dynamic registration: the tool's configuration in, a client id out."""
        if request.headers.get("Authorization") != "Bearer registration-token-1":
            return Response("Bad registration token", 401)
        tool = request.get_json()
        state.registration_request = tool
        state.client_id, state.deployment_id = "dyn-client-1", "dyn-deployment-1"
        state.tool_login_url = tool["initiate_login_uri"]
        state.tool_launch_url = tool["redirect_uris"][0]
        state.tool_keyset_url = tool["jwks_uri"]
        config = dict(tool["https://purl.imsglobal.org/spec/lti-tool-configuration"])
        config["deployment_id"] = state.deployment_id
        return jsonify(
            dict(tool, client_id=state.client_id)
            | {"https://purl.imsglobal.org/spec/lti-tool-configuration": config}
        )

    @app.get("/deep-link/start")
    def deep_link_start() -> Any:
        """An instructor presses "add content" in a platform course."""
        login = Login(FlaskPlatformRequest(request), Conf())
        login.set_lti_message_hint(link="deep-link:" + request.args["context"])
        login.set_launch_url(state.tool_launch_url)
        return login.initiate_login(request.args["user"])

    @app.post("/deep-link/return")
    def deep_link_return() -> Any:
        """The tool's signed content items: each becomes a link in the platform course."""
        try:
            items = Conf().validate_deeplinking_resp(request.form.to_dict())
        except Exception as error:
            return Response(f"Deep linking response refused: {error!r}", 400)
        for item in items:
            link_id = f"deep-{len(state.links) + 1}"
            state.links[link_id] = Link(
                link_id,
                request.args["context"],
                item["url"],
                graded="lineItem" in item,
                context_title=request.args["context"],
            )
            state.deep_linked.append(item)
        return Response(f"Added {len(items)} item(s)", 200)

    @app.route("/auth", methods=["GET", "POST"])
    def auth() -> Any:
        """The tool's authorisation request: the id_token in a form posted to the tool."""
        try:
            return Launch(FlaskPlatformRequest(request), Conf()).lti_launch()
        except (LtiException, AssertionError, KeyError) as error:
            return Response(f"Bad authorisation request: {error!r}", 400)

    @app.post("/token")
    def token() -> Any:
        state.token_requests += 1
        try:
            return jsonify(Conf().get_access_token(request.form.to_dict()))
        except Exception as error:
            return Response(f"Token refused: {error!r}", 400)

    @app.route("/lineitems", methods=["GET", "POST"])
    def lineitems() -> Any:
        service = grades()
        handler = (
            service.handle_create_lineitem
            if request.method == "POST"
            else service.handle_get_lineitems
        )
        try:
            return service_response(handler())
        except LtiServiceException as error:
            return Response(error.message, error.status_code)
        except LtiException as error:
            return Response(str(error), 401)

    @app.post("/lineitems/<line_id>/scores")
    def scores(line_id: str) -> Any:
        if line_id not in state.lineitems:
            return Response("No such line item", 404)
        service = grades()
        try:
            return service_response(service.handle_update_score(line_id))
        except LtiServiceException as error:
            return Response(error.message, error.status_code)
        except LtiException as error:
            return Response(str(error), 401)

    return app


@dataclass
class RunningPlatform:
    state: PlatformState
    url: str

    def scores(self, link_id: str) -> list[dict[str, Any]]:
        return list(self.state.lineitems.get(link_id, {}).get("scores", []))


@contextmanager
def run_platform(tool_url: str) -> Iterator[RunningPlatform]:
    """The platform on a free port of `localhost` (the tool is on 127.0.0.1: another
    site, so their cookies never meet), registered with the tool at `tool_url`."""
    state = PlatformState()
    app = make_platform(state)
    with serving(app, "localhost") as url:
        state.issuer = url
        state.tool_login_url = f"{tool_url}/lti/login"
        state.tool_launch_url = f"{tool_url}/lti/launch"
        state.tool_keyset_url = f"{tool_url}/.well-known/jwks.json"
        yield RunningPlatform(state, url)
