// The `fb` npm package (node-facebook), which hard-codes https://graph.facebook.com, through
// the proxy with no setting but the environment `localgram env` prints: its HTTP client
// (`request`) reads HTTPS_PROXY and tunnels with CONNECT; Node reads NODE_EXTRA_CA_CERTS at
// start. It runs on the machine's own Node (20 here): a library with its own proxy support
// needs nothing from Node.
//
// Covers: Facebook Login reads (/me/accounts, the Page to its IG user, media), paging with
// the `after` cursor, publishing an image, comments and moderation, a batch request, a
// multi-id read, and errors as FacebookApiException with Meta's code.
'use strict';
const { Facebook, FacebookApiException } = require('fb');
const { control, world, token, jpeg, check } = require('./world');

async function main() {
  const { app, account, person } = await world('fb_shop');
  const FB = new Facebook({ version: 'v24.0', appSecret: app.secret }); // appsecret_proof on every call
  FB.setAccessToken(await token(app, account, 'facebook'));

  const pages = await FB.api('/me/accounts', { fields: 'id,name,access_token' });
  check(pages.data.some((p) => p.id === account.page_id), pages);
  const page = await FB.api(`/${account.page_id}`, { fields: 'instagram_business_account{id,username}' });
  check(page.instagram_business_account.id === account.id, page);
  check(page.instagram_business_account.username === account.username, page);

  // Publish one image, then read the media edge a page at a time.
  const container = await FB.api(`/${account.id}/media`, 'post', { image_url: await jpeg(), caption: 'From fb' });
  let status;
  for (let i = 0; i < 200 && status !== 'FINISHED'; i++) {
    status = (await FB.api(`/${container.id}`, { fields: 'status_code' })).status_code;
    if (status !== 'FINISHED') await new Promise((r) => setTimeout(r, 50));
  }
  check(status === 'FINISHED', status);
  const published = await FB.api(`/${account.id}/media_publish`, 'post', { creation_id: container.id });
  await control(`/accounts/${account.id}/media`, { caption: 'Older' });
  const seen = [];
  let page1 = await FB.api(`/${account.id}/media`, { fields: 'caption', limit: 1 });
  for (;;) {
    seen.push(...page1.data.map((m) => m.caption));
    if (!page1.paging || !page1.paging.next) break;
    page1 = await FB.api(`/${account.id}/media`, { fields: 'caption', limit: 1, after: page1.paging.cursors.after });
  }
  check(JSON.stringify(seen.sort()) === JSON.stringify(['From fb', 'Older']), seen);

  // Comments and moderation.
  const comment = (await control(`/people/${person.id}/comments`, { media_id: published.id, text: 'Where can I buy it?' })).id;
  const comments = await FB.api(`/${published.id}/comments`, { fields: 'id,text,username' });
  check(comments.data.length === 1 && comments.data[0].text === 'Where can I buy it?', comments);
  const reply = await FB.api(`/${comment}/replies`, 'post', { message: 'Link in bio' });
  check(Boolean(reply.id), reply);
  check((await FB.api(`/${comment}`, 'post', { hide: true })).success === true, 'hide');
  check((await FB.api(`/${reply.id}`, 'delete')).success === true, 'delete');

  // A batch and a multi-id read.
  const batch = await FB.api('', 'post', {
    batch: [
      { method: 'GET', relative_url: `${account.id}?fields=username` },
      { method: 'GET', relative_url: `${published.id}?fields=caption` },
    ],
  });
  check(batch.length === 2 && batch.every((r) => r.code === 200), batch);
  check(JSON.parse(batch[0].body).username === account.username, batch);
  check(JSON.parse(batch[1].body).caption === 'From fb', batch);
  const many = await FB.api('', { ids: `${account.id},${published.id}`, fields: 'id' });
  check(Object.keys(many).sort().join() === [account.id, published.id].sort().join(), many);

  // Errors reject with fb's own FacebookApiException carrying Meta's envelope.
  try {
    await FB.api(`/${account.id}`, { fields: 'no_such_field' });
    throw new Error('an unknown field was accepted');
  } catch (error) {
    check(error instanceof FacebookApiException && error.response.error.code === 100, `${error}`);
  }
  try {
    await FB.api('/me', { access_token: 'not-a-token' });
    throw new Error('a bad token was accepted');
  } catch (error) {
    check(error instanceof FacebookApiException && error.response.error.code === 190, `${error}`);
  }
  console.log('fb through the proxy: ok');
}

main().catch((error) => { console.error(error); process.exit(1); });
