// Meta's Business SDK for Node (`facebook-nodejs-business-sdk`) through its base URL: the SDK
// keeps it in the static getter FacebookAdsApi.GRAPH, the one thing redefined here; every
// call below is the SDK's own, on the Instagram API with Facebook Login.
//
// Covers: the Page to its IG user, user and media reads, the SDK's Cursor paging, publishing
// (image, carousel, reel), comments and moderation, webhooks checked by their signature, and
// errors as FacebookRequestError with Meta's code.
'use strict';
const bizSdk = require('facebook-nodejs-business-sdk');
const { BASE, control, world, token, jpeg, mp4, advance, check, Receiver } = require('./world');

const { FacebookAdsApi, IGUser, IGMedia, IGComment, Page, Application } = bizSdk;
Object.defineProperty(FacebookAdsApi, 'GRAPH', { get: () => BASE });

// The SDK's own field lists (IGUser.Fields, IGMedia.Fields), as an app reading "everything"
// sends them, less the fields that fail at Meta too: business_discovery and mentioned_* need
// their parameter (username, comment_id, media_id) and video_title is gone since v14.0.
const NEEDS_A_PARAMETER_OR_REMOVED = ['business_discovery', 'mentioned_comment', 'mentioned_media', 'video_title'];
const sdkFields = (cls) => Object.values(cls.Fields).filter((f) => !NEEDS_A_PARAMETER_OR_REMOVED.includes(f));
const USER_FIELDS = sdkFields(IGUser);
const MEDIA_FIELDS = sdkFields(IGMedia);

async function waitFinished(api, container) {
  for (let i = 0; i < 200; i++) {
    const { status_code: status } = await api.call('GET', [container], { fields: 'status_code' });
    if (status === 'FINISHED') return;
    check(status === 'IN_PROGRESS', status);
    await advance(10);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`container ${container} never finished`);
}

async function publish(api, user, params) {
  const container = await user.createMedia([], params);
  await waitFinished(api, container.id);
  return (await user.createMediaPublish([], { creation_id: container.id })).id;
}

async function main() {
  const { app, account, person } = await world('nodesdk_shop');
  // Reading every IGUser field includes shopping_product_tag_eligibility, which also needs
  // the product tagging permissions (ref 001 L5878-5881).
  const api = FacebookAdsApi.init(await token(app, account, 'facebook', [
    'instagram_basic', 'instagram_content_publish', 'instagram_manage_comments',
    'instagram_manage_messages', 'instagram_manage_insights', 'pages_show_list',
    'pages_read_engagement', 'pages_manage_metadata', 'business_management',
    'catalog_management', 'instagram_shopping_tag_products',
  ]));

  const page = await new Page(account.page_id).get(['instagram_business_account']);
  check(page.instagram_business_account.id === account.id, page._data);
  const user = await new IGUser(account.id).get(USER_FIELDS);
  check(user.username === account.username && user.followers_count === 321, user._data);
  check(Number.isInteger(user.ig_id) && user.owner_business === undefined, user._data);

  const image = await publish(api, user, { image_url: await jpeg(), caption: 'From the Node SDK' });
  const children = [];
  for (let i = 0; i < 2; i++) {
    children.push((await user.createMedia([], { image_url: await jpeg(), is_carousel_item: true })).id);
  }
  for (const child of children) await waitFinished(api, child);
  const carousel = await publish(api, user, { media_type: 'CAROUSEL', children, caption: 'Album' });
  const reel = await publish(api, user, { media_type: 'REELS', video_url: await mp4(), caption: 'Reel' });

  const media = await new IGMedia(image).get(MEDIA_FIELDS);
  check(media.caption === 'From the Node SDK' && media.media_type === 'IMAGE', media._data);
  check(media.owner.id === account.id, media._data);
  check(media.has_poll === false && media.has_slider === false && /^\d+$/.test(media.ig_id), media._data);
  check(media.boost_eligibility_info.eligible_to_boost === true, media._data);

  // The SDK's Cursor: one item per page, next() until hasNext() is false.
  const listed = [];
  const cursor = await user.getMedia(['caption'], { limit: 1 });
  listed.push(...cursor.map((m) => m.id));
  while (cursor.hasNext()) {
    await cursor.next();
    listed.push(...cursor.map((m) => m.id));
  }
  check(JSON.stringify(listed.sort()) === JSON.stringify([image, carousel, reel].sort()), listed);

  // Webhooks: the app token configures, the Page subscribes, a comment arrives signed.
  const receiver = await new Receiver(app.secret).listen();
  const appApi = new FacebookAdsApi(app.app_token);
  await new Application(app.id, {}, null, appApi).createSubscription([], {
    object: 'instagram', callback_url: receiver.url, verify_token: receiver.verifyToken, fields: ['comments'],
  });
  await new Page(account.page_id).createSubscribedApp([], { subscribed_fields: ['comments'] });
  const comment = (await control(`/people/${person.id}/comments`, { media_id: image, text: 'Nice' })).id;
  const event = await receiver.next('comments');
  check(event.entry[0].changes[0].value.comment_id === comment, event);

  const comments = await new IGMedia(image).getComments(['id', 'text', 'username', 'hidden']);
  check(comments.length === 1 && comments[0].id === comment && comments[0].text === 'Nice', comments.map((c) => c._data));
  const reply = await new IGComment(comment).createReply([], { message: 'Thank you' });
  check(Boolean(reply.id), reply._data);
  const hidden = await new IGComment(comment).update([], { hide: true });
  check(hidden.success === true, hidden);
  check((await new IGComment(comment).get(['hidden'])).hidden === true, 'hidden');
  const deleted = await new IGComment(reply.id).delete([]);
  check(deleted.success === true, deleted);
  receiver.close();

  // Errors surface as the SDK's FacebookRequestError with Meta's code.
  try {
    await new IGUser(account.id).get(['no_such_field']);
    throw new Error('an unknown field was accepted');
  } catch (error) {
    check(error.name === 'FacebookRequestError' && error.status === 400, `${error.name} ${error.status} ${error.message}`);
    check(error.response.code === 100, error.response); // the SDK keeps the envelope's `error` object
  }
  try {
    await new IGUser(account.id, {}, null, new FacebookAdsApi('not-a-token')).get(['id']);
    throw new Error('a bad token was accepted');
  } catch (error) {
    check(error.name === 'FacebookRequestError' && error.response.code === 190 && error.response.type === 'OAuthException', `${error.name} ${error.message}`);
  }
  console.log('facebook-nodejs-business-sdk through its base URL: ok');
}

main().catch((error) => { console.error(error); process.exit(1); });
