"""Python `requests` with Meta's URLs hard-coded, as an unmodified app has them. The only
settings are the environment `localgram env` prints (HTTPS_PROXY and the CA bundle in
REQUESTS_CA_BUNDLE); nothing here knows localgram's address except the control API (world.py).

Covers: the Instagram Login code flow as a browser-less app runs it (www.instagram.com dialog,
api.instagram.com code exchange, long-lived token, refresh), user and media reads, cursor
paging, publishing (image, carousel, reel), comments and moderation, messaging, multi-id
reads, errors with Meta's codes, and webhooks checked by their signature."""

import json
import time
import urllib.parse

import requests

from world import Receiver, advance, check, control, jpeg, mp4, world

IG = "https://graph.instagram.com"
V = "v24.0"
REDIRECT = "https://app.example/cb"

http = requests.Session()


def ig(method, path, token, **params):
    params["access_token"] = token
    if method == "GET":
        response = http.get(f"{IG}/{V}/{path}", params=params, timeout=30)
    else:
        response = http.request(method, f"{IG}/{V}/{path}", data=params, timeout=30)
    body = response.json()
    check(response.ok, f"{method} {path}: {response.status_code} {body}")
    return body


def login(app, account):
    """Instagram Login's code flow (ref 001 L8736-8825) through the proxy."""
    scopes = ["instagram_business_basic", "instagram_business_content_publish",
              "instagram_business_manage_comments", "instagram_business_manage_messages"]
    # The next dialog visit answers at once, as the person would (no browser here).
    control("/login/next", {"account_id": account["id"]})
    dialog = http.get("https://www.instagram.com/oauth/authorize", params={
        "client_id": app["instagram_app_id"], "redirect_uri": REDIRECT, "response_type": "code",
        "scope": ",".join(scopes), "state": "s1"}, allow_redirects=False, timeout=30)
    check(dialog.status_code == 302, f"dialog: {dialog.status_code} {dialog.text[:200]}")
    location = urllib.parse.urlsplit(dialog.headers["location"])
    check(location.geturl().startswith(REDIRECT), location.geturl())
    query = dict(urllib.parse.parse_qsl(location.query))
    check(query["state"] == "s1", query)
    code = query["code"].removesuffix("#_")
    exchange = http.post("https://api.instagram.com/oauth/access_token", data={
        "client_id": app["instagram_app_id"], "client_secret": app["instagram_app_secret"],
        "grant_type": "authorization_code", "redirect_uri": REDIRECT, "code": code}, timeout=30)
    short = exchange.json()
    check(exchange.ok, f"code exchange: {short}")
    # user_id is the app-scoped id (as /me's id); permissions come comma-separated.
    check(str(short["user_id"]).isdigit(), short)
    check(sorted(short["permissions"].split(",")) == sorted(scopes), short)
    long_lived = http.get(f"{IG}/access_token", params={
        "grant_type": "ig_exchange_token", "client_secret": app["instagram_app_secret"],
        "access_token": short["access_token"]}, timeout=30).json()
    check(long_lived["token_type"] == "bearer" and long_lived["expires_in"] > 5_000_000, long_lived)
    # A long-lived token can be refreshed once it is a day old (ref 001 L8826-8870).
    advance(86_400)
    refreshed = http.get(f"{IG}/refresh_access_token", params={
        "grant_type": "ig_refresh_token", "access_token": long_lived["access_token"]}, timeout=30).json()
    check(refreshed.get("token_type") == "bearer", refreshed)
    return refreshed["access_token"]


def wait_finished(container, token):
    for _ in range(200):
        status = ig("GET", container, token, fields="status_code")
        if status["status_code"] == "FINISHED":
            return
        check(status["status_code"] == "IN_PROGRESS", status)
        advance(10)  # videos process on the virtual clock
        time.sleep(0.05)
    raise AssertionError(f"container {container} never finished")


def publish(token, **params):
    container = ig("POST", "me/media", token, **params)["id"]
    wait_finished(container, token)
    return ig("POST", "me/media_publish", token, creation_id=container)["id"]


def main():
    app, account, person = world("requests_shop")
    token = login(app, account)

    me = ig("GET", "me", token, fields="user_id,username,account_type,followers_count,media_count")
    check(me["user_id"] == account["id"] and me["username"] == account["username"], me)
    check(me["account_type"] == "BUSINESS" and me["followers_count"] == 321, me)

    # Publishing: an image, a carousel of two, a reel.
    image = publish(token, image_url=jpeg(), caption="Hello from requests")
    children = [ig("POST", "me/media", token, image_url=jpeg(), is_carousel_item="true")["id"] for _ in range(2)]
    for child in children:
        wait_finished(child, token)
    carousel = publish(token, media_type="CAROUSEL", children=",".join(children), caption="Two")
    reel = publish(token, media_type="REELS", video_url=mp4(), caption="A reel")

    media = ig("GET", f"{image}", token, fields="id,caption,media_type,media_product_type,permalink,timestamp,username")
    check(media["caption"] == "Hello from requests" and media["media_type"] == "IMAGE", media)
    check(ig("GET", carousel, token, fields="media_type")["media_type"] == "CAROUSEL_ALBUM", carousel)
    check(ig("GET", f"{carousel}/children", token, fields="id")["data"].__len__() == 2, carousel)
    check(ig("GET", reel, token, fields="media_product_type")["media_product_type"] == "REELS", reel)

    # Cursor paging: follow `paging.next` as given, one item a page.
    seen = []
    page = ig("GET", "me/media", token, fields="id", limit=1)
    while True:
        seen += [m["id"] for m in page["data"]]
        next_url = page.get("paging", {}).get("next")
        if not next_url:
            break
        check(next_url.startswith(f"{IG}/"), next_url)
        page = http.get(next_url, timeout=30).json()
    check(sorted(seen) == sorted([image, carousel, reel]), seen)

    # Multi-id read.
    many = ig("GET", "", token, ids=f"{image},{reel}", fields="caption")
    check(set(many) == {image, reel} and many[reel]["caption"] == "A reel", many)

    # Webhooks: the account's app subscribes; a comment arrives signed with the Instagram app
    # secret (Instagram Login apps sign with it).
    receiver = Receiver(app["instagram_app_secret"])
    configured = http.post(f"https://graph.facebook.com/{V}/{app['id']}/subscriptions", data={
        "object": "instagram", "callback_url": receiver.url, "verify_token": receiver.verify_token,
        "fields": "comments,messages", "access_token": app["app_token"]}, timeout=30)
    check(configured.ok and configured.json() == {"success": True}, configured.text)
    check(ig("POST", "me/subscribed_apps", token, subscribed_fields="comments,messages") == {"success": True}, "subscribed")

    # Comments and moderation.
    comment = control(f"/people/{person['id']}/comments", {"media_id": image, "text": "Love it"})["id"]
    event = receiver.next("comments")
    change = event["entry"][0]["changes"][0]
    check(change["field"] == "comments" and change["value"]["id"] == comment, event)
    check(change["value"]["text"] == "Love it", event)
    comments = ig("GET", f"{image}/comments", token, fields="id,text,username,hidden")
    check(comments["data"] == [{"id": comment, "text": "Love it", "username": person["username"], "hidden": False}], comments)
    reply = ig("POST", f"{comment}/replies", token, message="Thanks!")["id"]
    check(ig("GET", f"{comment}/replies", token, fields="text")["data"][0]["id"] == reply, reply)
    check(ig("POST", comment, token, hide="true") == {"success": True}, "hide")
    check(ig("GET", comment, token, fields="hidden")["hidden"] is True, "hidden")
    check(ig("DELETE", reply, token) == {"success": True}, "delete reply")

    # Messaging: the person writes, the app answers (the IGSID comes from the webhook).
    control(f"/people/{person['id']}/messages", {"account_id": account["id"], "text": "Is it in stock?"})
    message_event = receiver.next("messaging")
    messaging = message_event["entry"][0]["messaging"][0]
    check(messaging["message"]["text"] == "Is it in stock?", message_event)
    igsid = messaging["sender"]["id"]
    sent = http.post(f"{IG}/{V}/me/messages", json={
        "recipient": {"id": igsid}, "message": {"text": "Yes!"}},
        headers={"Authorization": f"Bearer {token}"}, timeout=30)
    check(sent.ok, sent.text)
    check(sent.json()["recipient_id"] == igsid and sent.json()["message_id"], sent.text)
    conversations = ig("GET", "me/conversations", token, platform="instagram", fields="messages{message}")
    texts = [m["message"] for m in conversations["data"][0]["messages"]["data"]]
    check(texts == ["Yes!", "Is it in stock?"], conversations)
    receiver.close()

    # Errors surface as Meta's envelope: an unknown field, a bad token.
    bad = http.get(f"{IG}/{V}/me", params={"fields": "no_such_field", "access_token": token}, timeout=30)
    check(bad.status_code == 400 and bad.json()["error"]["code"] == 100, bad.text)
    bad = http.get(f"{IG}/{V}/me", params={"access_token": "nope"}, timeout=30)
    check(bad.status_code == 400 and bad.json()["error"]["code"] == 190, bad.text)
    check(bad.json()["error"]["type"] == "OAuthException", bad.text)
    print("requests through the proxy: ok")


if __name__ == "__main__":
    main()
