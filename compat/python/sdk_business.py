"""Meta's Business SDK for Python (`facebook-business`) through its base URL: the session's
GRAPH attribute is the one thing changed; every call below is the SDK's own, on the Instagram
API with Facebook Login (graph.facebook.com's API), signed with appsecret_proof as the SDK
does when given the app secret.

Covers: the Page to its IG user, user and media reads, cursor paging (the SDK's Cursor),
publishing (image, carousel, reel), comments and moderation, batch and multi-id reads, errors
as FacebookRequestError with Meta's code, and webhooks checked by their signature."""

import time

from facebook_business.adobjects.application import Application
from facebook_business.adobjects.igcomment import IGComment
from facebook_business.adobjects.igmedia import IGMedia
from facebook_business.adobjects.iguser import IGUser
from facebook_business.adobjects.page import Page
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession

from world import BASE, Receiver, advance, check, control, jpeg, mp4, token, world

# The SDK's own field lists (IGUser.Field, IGMedia.Field), as an app reading "everything" sends
# them, less the fields that fail at Meta too: business_discovery and mentioned_* need their
# parameter (username, comment_id, media_id) and video_title is gone since v14.0.
NEEDS_A_PARAMETER_OR_REMOVED = {"business_discovery", "mentioned_comment", "mentioned_media",
                                "video_title"}


def sdk_fields(cls):
    return [value for name, value in vars(cls.Field).items()
            if not name.startswith("_") and isinstance(value, str)
            and value not in NEEDS_A_PARAMETER_OR_REMOVED]


USER_FIELDS = sdk_fields(IGUser)
MEDIA_FIELDS = sdk_fields(IGMedia)


def api_for(app, access_token):
    session = FacebookSession(app["id"], app["secret"], access_token)
    session.GRAPH = BASE  # the base URL: localgram instead of https://graph.facebook.com
    return FacebookAdsApi(session, api_version="v24.0")


def wait_finished(api, container):
    for _ in range(200):
        status = api.call("GET", (container,), {"fields": "status_code"}).json()["status_code"]
        if status == "FINISHED":
            return
        check(status == "IN_PROGRESS", status)
        advance(10)
        time.sleep(0.05)
    raise AssertionError(f"container {container} never finished")


def publish(api, user, **params):
    container = user.create_media(params=params)
    wait_finished(api, container["id"])
    return user.create_media_publish(params={"creation_id": container["id"]})["id"]


def main():
    app, account, person = world("pysdk_shop")
    # Reading every IGUser field includes shopping_product_tag_eligibility, which also needs
    # the product tagging permissions (ref 001 L5878-5881).
    api = api_for(app, token(app, account, "facebook", [
        "instagram_basic", "instagram_content_publish", "instagram_manage_comments",
        "instagram_manage_messages", "instagram_manage_insights", "pages_show_list",
        "pages_read_engagement", "pages_manage_metadata", "business_management",
        "catalog_management", "instagram_shopping_tag_products",
    ]))
    FacebookAdsApi.set_default_api(api)

    page = Page(account["page_id"]).api_get(fields=[Page.Field.instagram_business_account])
    check(page["instagram_business_account"]["id"] == account["id"], page)
    user = IGUser(account["id"])
    read = user.api_get(fields=USER_FIELDS)
    check(read["username"] == account["username"] and read["followers_count"] == 321, read)
    check(isinstance(read["ig_id"], int) and "owner_business" not in read, read)

    image = publish(api, user, image_url=jpeg(), caption="From the Python SDK")
    children = [user.create_media(params={"image_url": jpeg(), "is_carousel_item": True})["id"] for _ in range(2)]
    for child in children:
        wait_finished(api, child)
    carousel = publish(api, user, media_type="CAROUSEL", children=children, caption="Album")
    reel = publish(api, user, media_type="REELS", video_url=mp4(), caption="Reel")

    media = IGMedia(image).api_get(fields=MEDIA_FIELDS)
    check(media["caption"] == "From the Python SDK" and media["media_type"] == "IMAGE", media)
    check(media["owner"]["id"] == account["id"], media)
    check(media["has_poll"] is False and media["has_slider"] is False and media["ig_id"].isdigit(), media)
    check(media["boost_eligibility_info"]["eligible_to_boost"] is True, media)
    album = [c["id"] for c in IGMedia(carousel).get_children(fields=["id"])]
    check(len(album) == 2, album)

    # The SDK's Cursor pages with the `after` cursor, one item per request here.
    listed = [m["id"] for m in user.get_media(fields=[IGMedia.Field.caption], params={"limit": 1})]
    check(sorted(listed) == sorted([image, carousel, reel]), listed)

    # Webhooks for Facebook Login: the app (app token) configures, the Page subscribes.
    receiver = Receiver(app["secret"])
    app_api = api_for(app, app["app_token"])
    configured = Application(app["id"], api=app_api).create_subscription(params={
        "object": "instagram", "callback_url": receiver.url, "verify_token": receiver.verify_token,
        "fields": ["comments"]})
    # The SDK maps {"success": true} onto an object without the key; read the result back.
    check(configured is not None, configured)
    subscriptions = list(Application(app["id"], api=app_api).get_subscriptions())
    check([(s["object"], s["active"]) for s in subscriptions] == [("instagram", True)], subscriptions)
    # The SDK warns that "comments" is not in its enum of Page fields (its enum lists Page
    # webhook fields only); it sends it all the same, as Meta's Instagram docs ask.
    subscribed = Page(account["page_id"]).create_subscribed_app(params={"subscribed_fields": ["comments"]})
    check(subscribed is not None, subscribed)

    # Comments and moderation.
    comment = control(f"/people/{person['id']}/comments", {"media_id": image, "text": "Nice"})["id"]
    event = receiver.next("comments")
    # Facebook Login's comment payload names the comment `comment_id` (ref 004 L2111-2125).
    check(event["entry"][0]["changes"][0]["value"]["comment_id"] == comment, event)
    comments = list(IGMedia(image).get_comments(fields=[IGComment.Field.id, IGComment.Field.text,
                                                        IGComment.Field.username, IGComment.Field.hidden]))
    check([c["id"] for c in comments] == [comment] and comments[0]["text"] == "Nice", comments)
    reply = IGComment(comment).create_reply(params={"message": "Thank you"})
    check(reply["id"], reply)
    # Updates and deletes come back as SDK objects, not {"success": true}: read the effect.
    IGComment(comment).api_update(params={"hide": True})
    check(IGComment(comment).api_get(fields=["hidden"])["hidden"] is True, "hidden")
    IGComment(reply["id"]).api_delete()
    check(list(IGComment(comment).get_replies(fields=["id"])) == [], "reply deleted")
    receiver.close()

    # A batch through the SDK's batch helper, and a multi-id read.
    results = {}
    batch = api.new_batch()
    user.api_get(fields=[IGUser.Field.username], batch=batch,
                 success=lambda r: results.update(user=r.json()))
    IGMedia(reel).api_get(fields=[IGMedia.Field.media_product_type], batch=batch,
                          success=lambda r: results.update(reel=r.json()))
    check(batch.execute() is None, "every batch operation answered")
    check(results["user"]["username"] == account["username"], results)
    check(results["reel"]["media_product_type"] == "REELS", results)
    many = api.call("GET", ("",), {"ids": f"{image},{carousel}", "fields": "media_type"}).json()
    check(many[carousel]["media_type"] == "CAROUSEL_ALBUM" and many[image]["media_type"] == "IMAGE", many)

    # Errors surface as the SDK's own exception with Meta's code.
    try:
        user.api_get(fields=["no_such_field"])
        raise AssertionError("an unknown field was accepted")
    except FacebookRequestError as error:
        check(error.api_error_code() == 100 and error.http_status() == 400, error)
    try:
        IGUser(account["id"], api=api_for(app, "not-a-token")).api_get(fields=["id"])
        raise AssertionError("a bad token was accepted")
    except FacebookRequestError as error:
        check(error.api_error_code() == 190 and error.api_error_type() == "OAuthException", error)
    print("facebook-business (Python) through its base URL: ok")


if __name__ == "__main__":
    main()
