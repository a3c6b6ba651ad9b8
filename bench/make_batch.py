#!/usr/bin/env python3
"""Bench input: writes one realistic {"events":[...]} batch (50 events, ~17 KB) for post_events.lua.

Deterministic (fixed seed) so runs on different days post byte-identical bodies.
Every event_id starts with ID_MARKER; post_events.lua replaces that marker with a
per-request counter of the same width, so ids stay unique while the size stays fixed.
"""
import argparse
import datetime as dt
import json
import random
import sys

# 12 hex digits: post_events.lua writes 4 for the wrk thread and 8 for its request counter.
ID_MARKER = "evt-000000000000-"

PAGES = [
    ("/", "Home | Shopfront"),
    ("/products", "All products | Shopfront"),
    ("/products/trail-runner-2", "Trail Runner 2 | Shopfront"),
    ("/products/merino-hoodie", "Merino Hoodie | Shopfront"),
    ("/cart", "Your cart | Shopfront"),
    ("/checkout", "Checkout | Shopfront"),
    ("/account/orders", "Your orders | Shopfront"),
    ("/search", "Search results | Shopfront"),
]
CLICKS = [
    ("AddToCartButton", "add_to_cart_clicked"),
    ("CheckoutButton", "checkout_started"),
    ("ProductCard", "product_card_clicked"),
    ("NavMenuItem", "nav_item_clicked"),
    ("SizeSelector", "size_selected"),
    ("ApplyCouponButton", "coupon_apply_clicked"),
]
INPUTS = [("SearchInput", "search_typed"), ("EmailField", "email_entered"),
          ("PostcodeField", "postcode_entered"), ("CouponField", "coupon_typed")]
APIS = [("/api/v2/products", 200), ("/api/v2/cart/items", 201), ("/api/v2/search", 200),
        ("/api/v2/checkout/session", 200), ("/api/v2/recommendations", 200),
        ("/api/v2/cart/items", 409), ("/api/v2/checkout/session", 502)]
ERRORS = [
    ("TypeError", "Cannot read properties of undefined (reading 'price')", "PriceTag"),
    ("ChunkLoadError", "Loading chunk 417 failed.", "CheckoutPage"),
    ("NetworkError", "Failed to fetch", "RecommendationsCarousel"),
]
CUSTOM = [
    ("coupon_applied", {"coupon": "SPRING24", "discount_pct": 15}),
    ("wishlist_added", {"sku": "TR2-BLU-42", "list": "default"}),
    ("newsletter_subscribed", {"source": "footer", "double_opt_in": True}),
]
# Weighted like a browser session: mostly views and clicks, some API and perf beacons.
TYPES = (["page.view"] * 8 + ["ui.click"] * 12 + ["ui.input"] * 6 + ["api.response"] * 10
         + ["error"] * 2 + ["performance"] * 5 + ["custom"] * 4)


def make_event(rng, etype, index, when, session, user, device):
    path, title = rng.choice(PAGES)
    event = {
        "event_id": f"{ID_MARKER}{index:02d}-{rng.getrandbits(32):08x}",
        "project_id": "proj_shop",
        "session.id": session,
        "event.type": etype,
        "event.timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
    }
    if user:
        event["user.id"] = user
    event["device.id"] = device
    event["page.path"] = path
    if etype == "page.view":
        # Title and URL ride only on the view, as browser SDKs send them.
        event.update({"event.name": "page_viewed", "page.title": title,
                      "page.url": f"https://shop.example.com{path}"})
        event["metadata"] = {"referrer": rng.choice(["https://www.google.com/", "direct",
                                                     "https://news.example.org/gear"]),
                             "utm_source": rng.choice(["google", "newsletter", "none"]),
                             "viewport": rng.choice(["1440x900", "390x844", "1920x1080"])}
    elif etype == "ui.click":
        component, name = rng.choice(CLICKS)
        event.update({"event.name": name, "ui.component.name": component, "ui.action": "click",
                      "metadata": {"sku": rng.choice(["TR2-BLU-42", "MH-GRY-M", "SK-BLK-OS"]),
                                   "position": rng.randint(1, 24)}})
    elif etype == "ui.input":
        component, name = rng.choice(INPUTS)
        event.update({"event.name": name, "ui.component.name": component, "ui.action": "input",
                      "metadata": {"length": rng.randint(1, 32)}})
    elif etype == "api.response":
        api_path, status = rng.choice(APIS)
        event.update({"api.status_code": status, "api.duration_ms": rng.randint(18, 900),
                      "metadata": {"endpoint": api_path, "cache": rng.choice(["hit", "miss"])}})
    elif etype == "error":
        kind, message, component = rng.choice(ERRORS)
        event.update({"event.name": "js_error", "ui.component.name": component,
                      "metadata": {"error_type": kind, "message": message,
                                   "release": "web@4.18.2"}})
    elif etype == "performance":
        event.update({"event.name": "web_vitals",
                      "performance.lcp_ms": round(rng.uniform(650.0, 4200.0), 1),
                      "metadata": {"connection": rng.choice(["4g", "wifi", "3g"])}})
    else:
        name, meta = rng.choice(CUSTOM)
        event.update({"event.name": name, "metadata": dict(meta)})
    return event


def make_batch(count, seed):
    rng = random.Random(seed)
    when = dt.datetime(2024, 1, 15, 10, 30, 0, 0, tzinfo=dt.timezone.utc)
    # A browser SDK flushes one tab's queue, so a batch spans few sessions.
    sessions = [(f"sess_{rng.getrandbits(48):012x}", user, f"dev_{rng.getrandbits(40):010x}")
                for user in ("user_48213", "user_10377", None)]
    # Every type at least once, so the daemon's per-type paths all run in the bench.
    types = sorted(set(TYPES))[:count] + [rng.choice(TYPES) for _ in range(count - len(set(TYPES)))]
    rng.shuffle(types)
    events = []
    for index, etype in enumerate(types):
        when += dt.timedelta(milliseconds=rng.randint(40, 4000))
        session, user, device = sessions[min(index * len(sessions) // count, len(sessions) - 1)]
        events.append(make_event(rng, etype, index, when, session, user, device))
    return {"events": events}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    parser.add_argument("-n", "--events", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20240115)
    args = parser.parse_args()
    if args.events > 99:
        parser.error("at most 99 events: the event_id index has two digits")
    body = json.dumps(make_batch(args.events, args.seed), separators=(",", ":"))
    if args.output == "-":
        sys.stdout.write(body)
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(body)
    print(f"{args.events} events, {len(body)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
