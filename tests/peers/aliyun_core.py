"""Drives aliyun-python-sdk-kms on aliyun-python-sdk-core (signature V1) against kms-console serve.

Usage: python aliyun_core.py ENDPOINT ACCESS_KEY_ID ACCESS_KEY_SECRET
Reads one JSON call per line on stdin: {"action", "params", optional "nonce", "timestamp",
"tamper": [name, value]}; writes one JSON line per call: {"ok": document} or
{"error": code, "status": http_status, "message": text}.
"""
import importlib
import json
import sys

from aliyunsdkcore import request as core_request
from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.utils import parameter_helper

REAL_NONCE = parameter_helper.get_uuid
REAL_DATE = parameter_helper.get_iso_8061_date
REAL_SIGNED_URL = core_request.rpc_signer.get_signed_url


def tweak(call):
    """Applies the test's changes to what the SDK sends (fixed nonce, old time, tampering)."""
    nonce, stamp, tamper = call.get("nonce"), call.get("timestamp"), call.get("tamper")
    parameter_helper.get_uuid = (lambda: nonce) if nonce else REAL_NONCE
    parameter_helper.get_iso_8061_date = (lambda: stamp) if stamp else REAL_DATE

    def signed_then_tampered(*args, **kwargs):
        url, string_to_sign = REAL_SIGNED_URL(*args, **kwargs)
        name, value = tamper
        head, _, rest = url.partition(name + "=")
        _, amp, tail = rest.partition("&")
        return head + name + "=" + value + amp + tail, string_to_sign

    core_request.rpc_signer.get_signed_url = signed_then_tampered if tamper else REAL_SIGNED_URL


def main():
    endpoint, access_key_id, secret = sys.argv[1:4]
    client = AcsClient(access_key_id, secret, "cn-hangzhou")
    for line in sys.stdin:
        call = json.loads(line)
        tweak(call)
        action = call["action"]
        module = importlib.import_module(f"aliyunsdkkms.request.v20160120.{action}Request")
        req = getattr(module, f"{action}Request")()
        req.set_endpoint(endpoint)
        req.set_protocol_type("http")
        for name, value in call.get("params", {}).items():
            getattr(req, "set_" + name)(value)
        try:
            out = {"ok": json.loads(client.do_action_with_exception(req))}
        except ServerException as e:
            out = {"error": e.get_error_code(), "status": e.get_http_status(), "message": e.get_error_msg()}
        except ClientException as e:
            out = {"error": e.get_error_code(), "status": 0, "message": e.get_error_msg()}
        print(json.dumps(out), flush=True)


main()
