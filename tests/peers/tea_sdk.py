"""Drives alibabacloud_kms20160120 on alibabacloud_tea_openapi against kms-console serve, with its
default ACS3-HMAC-SHA256 signature or, given "v2", with signature_algorithm="v2" (V1).

Usage: python tea_sdk.py acs3|v2 ENDPOINT ACCESS_KEY_ID ACCESS_KEY_SECRET
Reads one JSON call per line on stdin: {"action", "params", optional "nonce", "timestamp"};
contexts are JSON text and passed to the SDK as dicts. Writes {"ok": document} or
{"error": code, "status": http_status, "message": text} per call.
"""
import json
import re
import sys

from alibabacloud_kms20160120 import models
from alibabacloud_kms20160120.client import Client
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.utils import Utils

CONTEXTS = ("EncryptionContext", "SourceEncryptionContext", "DestinationEncryptionContext")
REAL_NONCE = Utils.get_nonce
REAL_TIMESTAMP = Utils.get_timestamp


def tweak(call):
    """Applies the test's changes to what the SDK sends (fixed nonce, old time)."""
    nonce, stamp = call.get("nonce"), call.get("timestamp")
    Utils.get_nonce = staticmethod(lambda: nonce) if nonce else REAL_NONCE
    Utils.get_timestamp = staticmethod(lambda: stamp) if stamp else REAL_TIMESTAMP


def main():
    scheme, endpoint, access_key_id, secret = sys.argv[1:5]
    config = open_api_models.Config(
        access_key_id=access_key_id,
        access_key_secret=secret,
        endpoint=endpoint,
        protocol="http",
    )
    if scheme == "v2":
        config.signature_algorithm = "v2"
    client = Client(config)
    for line in sys.stdin:
        call = json.loads(line)
        tweak(call)
        action = call["action"]
        params = dict(call.get("params", {}))
        for name in CONTEXTS:
            if name in params:
                params[name] = json.loads(params[name])
        request = getattr(models, action + "Request")().from_map(params)
        method = re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()
        try:
            response = getattr(client, method)(request)
            out = {"ok": response.body.to_map()}
        except Exception as e:  # the SDK's ClientException / ServerException
            code = getattr(e, "code", None) or type(e).__name__
            out = {"error": code, "status": getattr(e, "status_code", 0) or 0, "message": str(e)}
        print(json.dumps(out), flush=True)


main()
