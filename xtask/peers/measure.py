"""The providers' own Python SDKs against paykit's simulator: the SDK half of
`cargo xtask bench --peers`.

    python measure.py SIM.json [--millis MS]

SIM.json is the line `paykit-peers serve` prints: the simulator's announcement, the miaPOS
callback key, and per provider the ids of payments already created and paid, and the body of
one callback the simulator signed. The SDKs are driven as their READMEs show a merchant doing
it, and timed the way paykit-peers times paykit: a warm-up, then whole batches until the
budget is spent. Prints one JSON object of operation counts and nanoseconds per metric.

Every call is checked: a status call must return the payment asked for and a verification must
say the signature is good, so no number here times a failure path.
"""

import argparse
import json
import sys
import time
from importlib import metadata

from maib_ecommerce_sdk import MaibApi, MaibAuth, MaibSdk
from finergy_mia_pos_sdk import FinergyMiaPosSdk

# Same shape as paykit-peers (crates/peers/src/timing.rs).
WARM_UP = 20
BATCH = 16


class Broken(Exception):
    """An SDK call did not do what it was measured doing."""


def run_for(budget_ns, op):
    """Runs op(i) for budget_ns after a warm-up; returns {"ops", "elapsed_ns"}."""
    for i in range(WARM_UP):
        op(i)
    started = time.perf_counter_ns()
    ops = 0
    while True:
        for _ in range(BATCH):
            op(ops)
            ops += 1
        elapsed = time.perf_counter_ns() - started
        if elapsed >= budget_ns:
            return {"ops": ops, "elapsed_ns": elapsed}


def nth(ids, i):
    return ids[i % len(ids)]


def maib(sim, budget_ns):
    info = sim["announcement"]["maib"]
    ids = sim["maib"]["payment_ids"]
    # The SDK's clients talk to whatever base URL they are given; its factories
    # (MaibAuthRequest.create, MaibApiRequest.create) would pick production.
    client = MaibSdk(base_url=info["base_url"].rstrip("/") + "/v1/")
    token = MaibAuth(client).generate_token(info["project_id"], info["project_secret"])
    access_token = token["accessToken"]
    api = MaibApi(client)

    def status(i):
        pay_id = nth(ids, i)
        result = api.pay_info(pay_id, access_token)
        if result.get("payId") != pay_id:
            raise Broken(f"maib pay_info({pay_id}) answered {result}")

    body = sim["maib"]["callback"]
    key = info["signature_key"]
    parsed = json.loads(body)

    def verify_parsed(_):
        if MaibSdk.validate_callback_signature(parsed, key) is not True:
            raise Broken("maib validate_callback_signature refused a genuine callback")

    def verify_with_parse(_):
        if MaibSdk.validate_callback_signature(json.loads(body), key) is not True:
            raise Broken("maib validate_callback_signature refused a genuine callback")

    return {
        "status": run_for(budget_ns, status),
        # The SDK takes a dict: the body already parsed is its best case.
        "verify": run_for(budget_ns, verify_parsed),
        "verify_with_parse": run_for(budget_ns, verify_with_parse),
    }


def miapos(sim, budget_ns):
    info = sim["announcement"]["miapos"]
    ids = sim["miapos"]["payment_ids"]
    sdk = FinergyMiaPosSdk(info["base_url"], info["merchant_id"], info["secret_key"])

    def status(i):
        payment_id = nth(ids, i)
        result = sdk.get_payment_status(payment_id)
        if result.get("paymentId") != payment_id:
            raise Broken(f"miaPOS get_payment_status({payment_id}) answered {result}")

    callback = json.loads(sim["miapos"]["callback"])
    key = sim["miapos_public_key"]

    def verify_key_given(_):
        # The SDK's own steps with the key already in hand: its sign string, then its
        # verify, which loads the PEM on every call (the SDK keeps no parsed key).
        sign_string = FinergyMiaPosSdk.form_sign_string_by_result(callback["result"])
        if not FinergyMiaPosSdk._verify_result_signature(
            sign_string, callback["signature"], key
        ):
            raise Broken("miaPOS signature check refused a genuine callback")

    def verify_public_call(_):
        # What the SDK offers a merchant: it fetches the public key over HTTP every time.
        if sdk.validate_callback_signature(callback) is not True:
            raise Broken("miaPOS validate_callback_signature refused a genuine callback")

    return {
        "status": run_for(budget_ns, status),
        "verify": run_for(budget_ns, verify_key_given),
        "verify_public_call": run_for(budget_ns, verify_public_call),
    }


def versions():
    found = {}
    for package in ("maib-ecommerce-sdk", "finergy-mia-pos-sdk", "httpx", "cryptography"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sim", help="the JSON line `paykit-peers serve` printed, in a file")
    parser.add_argument("--millis", type=int, default=1500, help="budget per metric")
    args = parser.parse_args(argv)
    if args.millis <= 0:
        parser.error("--millis must be positive")
    with open(args.sim, encoding="utf-8") as f:
        sim = json.load(f)
    budget_ns = args.millis * 1_000_000
    try:
        numbers = {"maib": maib(sim, budget_ns), "miapos": miapos(sim, budget_ns)}
    except Broken as broken:
        print(f"measure.py: {broken}", file=sys.stderr)
        return 1
    numbers["python"] = sys.version.split()[0]
    numbers["versions"] = versions()
    numbers["notes"] = {
        "maib.verify": "validate_callback_signature on the already-parsed dict: the SDK's "
        "best case, no JSON parse (verify_with_parse includes json.loads of the body)",
        "miapos.verify": "form_sign_string_by_result + _verify_result_signature with the key "
        "string given: no key fetch, the PEM loaded per call as the SDK does",
        "miapos.verify_public_call": "validate_callback_signature: fetches the public key "
        "over HTTP on every call",
        "status": "one SDK call per status, as the SDKs do it: a new httpx.Client per request",
    }
    print(json.dumps(numbers))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
