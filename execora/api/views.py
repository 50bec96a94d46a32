"""The API's own endpoints: token login and `me`."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from execora.api.exceptions import error_body
from execora.api.lockout import LoginLocked
from execora.api.schema import ERROR_RESPONSES
from execora.api.serializers import (
    ErrorSerializer,
    LoginSerializer,
    MeSerializer,
    TokenResponseSerializer,
)
from execora.tenancy import membership_for_request


class LoginThrottled(exceptions.Throttled):
    default_detail = "Too many failed login attempts."
    default_code = "login_locked"

    def __init__(self, locked: LoginLocked) -> None:
        super().__init__(wait=locked.retry_after, detail=locked.messages[0], code="login_locked")
        self.message_hi = locked.message_hi


class ObtainTokenView(APIView):
    """Trade a username and password for an API token."""

    # No session or token needed (and none checked: a stale cookie must not
    # demand a CSRF token from a mobile client logging in).
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        summary="Get an API token",
        description=(
            "Send the username and password of a shop member; use the token as "
            "`Authorization: Token <token>` on every other request. The same token is "
            "returned until it is revoked. After LOGIN_LOCKOUT_ATTEMPTS failures for a "
            "username (or more from one address) within the lockout window, attempts are "
            "refused with 429 and `Retry-After` without checking the password."
        ),
        request=LoginSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="Missing fields, or a wrong username or password.",
                examples=[
                    OpenApiExample(
                        "Wrong password",
                        value={
                            "detail": "Unable to log in with the username and password given.",
                            "code": "invalid_credentials",
                            "errors": {},
                        },
                        response_only=True,
                    )
                ],
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Locked out after repeated failures, or throttled.",
                examples=[
                    OpenApiExample(
                        "Locked out",
                        value={
                            "detail": "Too many failed login attempts. Try again in 15 minute(s).",
                            "detail_hi": "बहुत बार गलत पासवर्ड डाला गया। 15 मिनट बाद फिर कोशिश करें।",
                            "code": "login_locked",
                            "errors": {},
                        },
                        response_only=True,
                    ),
                    *ERROR_RESPONSES["429"].examples,
                ],
            ),
        },
        examples=[
            OpenApiExample(
                "Login",
                value={"username": "demo", "password": "execora-demo"},
                request_only=True,
            ),
            OpenApiExample(
                "Token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = authenticate(
                request._request,
                username=serializer.validated_data["username"],
                password=serializer.validated_data["password"],
            )
        except LoginLocked as locked:
            raise LoginThrottled(locked) from None
        if user is None or not user.is_active:
            return Response(
                error_body(
                    "Unable to log in with the username and password given.",
                    "invalid_credentials",
                    detail_hi="यूज़रनेम या पासवर्ड ग़लत है।",
                ),
                status=400,
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(APIView):
    """Who is calling, for which shop, in which role."""

    @extend_schema(
        operation_id="me_retrieve",
        tags=["auth"],
        summary="The caller, their shop and role",
        responses={200: MeSerializer},
        examples=[
            OpenApiExample(
                "Owner",
                value={
                    "user": {"id": 7, "username": "demo"},
                    "shop": {
                        "id": 1,
                        "name": "Sharma Kirana Store",
                        "gstin": "27AAPFU0939F1ZV",
                        "state_code": "27",
                    },
                    "role": "owner",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        membership = membership_for_request(request)
        data = {"user": request.user, "shop": membership.business, "role": membership.role}
        return Response(MeSerializer(data).data)
