// The localgram console: plain JavaScript over the control API (/_localgram/...), live through
// /_localgram/events. Everything taken from the state is inserted as text (text nodes and
// textContent); nothing is ever parsed as HTML.
'use strict';

// ----- control API ---------------------------------------------------------------------------

const TOKEN_KEY = 'localgram_token';
(function keepToken() {
  const given = new URLSearchParams(location.search).get(TOKEN_KEY);
  if (given) sessionStorage.setItem(TOKEN_KEY, given);
})();

function controlToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

async function api(method, path, body) {
  const headers = {};
  const token = controlToken();
  if (token) headers['X-Localgram-Token'] = token;
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch('/_localgram' + path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!response.ok) {
    const message = data && data.error && data.error.message;
    throw new Error(message || (response.status + ' ' + response.statusText));
  }
  return data;
}

const get = (path) => api('GET', path);
const post = (path, body) => api('POST', path, body || {});

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// ----- building the page (text only) -----------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      node.className = value;
    } else if (key === 'value') {
      node.value = value;
    } else if (key === 'checked') {
      node.checked = !!value;
    } else if (key === 'href' || key === 'src') {
      node.setAttribute(key, safeUrl(value));
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

// Links and images from the state: only http(s), relative, data images and our own routes.
function safeUrl(url) {
  const s = String(url);
  if (/^(https?:|#|\/|data:image\/)/i.test(s)) return s;
  return '#';
}

function replace(node, ...children) {
  while (node.firstChild) node.removeChild(node.firstChild);
  append(node, children);
}

function badge(text, kind) {
  return el('span', { class: 'badge' + (kind ? ' ' + kind : '') }, text);
}

function statusBadge(status) {
  const kinds = { delivered: 'good', FINISHED: 'good', PUBLISHED: 'good', valid: 'good',
    pending: 'warn', IN_PROGRESS: 'warn', failed: 'bad', ERROR: 'bad', EXPIRED: 'bad',
    skipped: '' };
  return badge(status, kinds[status] === undefined ? 'bad' : kinds[status]);
}

function showError(error) {
  const box = document.getElementById('error');
  box.textContent = error ? String(error.message || error) : '';
  box.hidden = !error;
}

// Runs an action from a button or form, showing its error, then refreshes the view.
function act(fn) {
  return async (event) => {
    if (event && event.preventDefault) event.preventDefault();
    try {
      showError(null);
      await fn(event);
      await refreshNow();
    } catch (error) {
      showError(error);
    }
  };
}

function pretty(value) {
  return el('pre', {}, JSON.stringify(value, null, 2));
}

function msTime(ms) {
  if (ms === null || ms === undefined) return '';
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function unixTime(s) {
  return s === null || s === undefined ? 'never' : msTime(s * 1000);
}

// ----- people and accounts, cached for the "act as" pickers ------------------------------------

let peopleCache = null;
async function people() {
  if (!peopleCache) peopleCache = (await get('/people')).data;
  return peopleCache;
}

let accountsCache = null;
async function accounts() {
  if (!accountsCache) accountsCache = (await get('/accounts')).data;
  return accountsCache;
}

function personPicker(id, list, extra) {
  return el('select', { id, 'aria-label': 'act as' },
    (extra || []).map((o) => el('option', { value: o.value }, o.label)),
    list.map((p) => el('option', { value: p.id }, '@' + p.username)));
}

// ----- the clock in the header -------------------------------------------------------------

let clockBase = null;
async function loadClock() {
  const clock = await get('/clock');
  clockBase = { ms: clock.now_unix_ms, at: Date.now(), frozen: clock.frozen };
  drawClock();
  return clock;
}

function drawClock() {
  if (!clockBase) return;
  const ms = clockBase.frozen ? clockBase.ms : clockBase.ms + (Date.now() - clockBase.at);
  document.getElementById('now').textContent =
    msTime(Math.floor(ms / 1000) * 1000) + (clockBase.frozen ? ' (frozen)' : '');
}
setInterval(drawClock, 1000);

// ----- charts: inline SVG, drawn from numbers only ------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A line (or bar) chart of `values` (numbers) labelled by `labels`, with its title, the
// highest value and the first and last labels.
function chart(title, values, labels, bars) {
  const [w, h, pad] = [320, 140, 24];
  const max = Math.max(1, ...values);
  const x = (i) => pad + (values.length > 1 ? i * (w - 2 * pad) / (values.length - 1) : 0);
  const y = (v) => h - pad - (v / max) * (h - 2 * pad);
  const step = (w - 2 * pad) / Math.max(1, values.length);
  const marks = bars
    ? values.map((v, i) => svg('rect', { class: 'bar', x: pad + i * step + 1, y: y(v),
      width: Math.max(1, step - 2), height: h - pad - y(v) }, svg('title', {}, labels[i] + ': ' + v)))
    : [svg('polyline', { class: 'line', points: values.map((v, i) => x(i) + ',' + y(v)).join(' ') })];
  return el('figure', { class: 'card', 'data-chart': title },
    el('figcaption', {}, el('strong', {}, title), ' ',
      el('span', { class: 'muted' }, (bars ? 'total ' + values.reduce((a, b) => a + b, 0)
        : 'now ' + (values.length ? values[values.length - 1] : 0)) + ' · max ' + max)),
    svg('svg', { class: 'chart', viewBox: '0 0 ' + w + ' ' + h, role: 'img', 'aria-label': title },
      svg('line', { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, stroke: '#bbb' }),
      svg('text', { x: 2, y: pad - 8 }, String(max)),
      svg('text', { x: pad, y: h - 6 }, labels.length ? labels[0].slice(0, 10) : ''),
      svg('text', { x: w - pad, y: h - 6, 'text-anchor': 'end' },
        labels.length ? labels[labels.length - 1].slice(0, 10) : ''),
      ...marks));
}

async function insightsView(main, id) {
  const header = el('div', {});
  const box = el('div', { class: 'charts', id: 'insights' });
  replace(main, header, accountTabs(id, 'Insights'),
    el('p', { class: 'muted' }, 'The last 30 days by 24 hours, from the model the Graph API\'s insights use.'),
    box);
  replace(header, await profileHeader(id));
  return async () => {
    const days = (await get('/accounts/' + encodeURIComponent(id) + '/insights')).data;
    const labels = days.map((d) => d.end_time);
    replace(box, days.length ? [
      chart('views', days.map((d) => d.views), labels, true),
      chart('reach', days.map((d) => d.reach), labels, true),
      chart('follower_count', days.map((d) => d.follower_count), labels, true),
      chart('followers', days.map((d) => d.followers), labels, false),
    ] : el('p', { class: 'muted' }, 'No insights for this account.'));
  };
}

// ----- views -----------------------------------------------------------------------------------

// A view builds its fixed parts (forms keep what is typed) and answers a refresh function that
// redraws the parts the state changes.

async function accountsView(main) {
  const accountsBox = el('div', { class: 'cards', id: 'accounts' });
  const peopleBox = el('div', { class: 'scroll', id: 'people' });
  const personName = el('input', { type: 'text', placeholder: 'username', id: 'new-person' });
  const accountName = el('input', { type: 'text', placeholder: 'username', id: 'new-account' });
  const accountType = el('select', {}, el('option', {}, 'BUSINESS'), el('option', {}, 'CREATOR'));
  replace(main,
    el('h1', {}, 'Accounts'),
    accountsBox,
    el('form', { class: 'inline', onsubmit: act(async () => {
      await post('/accounts', { username: accountName.value, account_type: accountType.value });
      accountName.value = '';
      accountsCache = null;
    }) }, accountName, accountType, el('button', { type: 'submit' }, 'Create account')),
    el('h2', {}, 'People'),
    peopleBox,
    el('form', { class: 'inline', onsubmit: act(async () => {
      await post('/people', { username: personName.value });
      personName.value = '';
      peopleCache = null;
    }) }, personName, el('button', { type: 'submit' }, 'Create person')));
  return async () => {
    accountsCache = null;
    peopleCache = null;
    const [list, folks] = await Promise.all([accounts(), people()]);
    replace(accountsBox, list.length ? list.map((a) => el('div', { class: 'card' },
      el('a', { href: '#/account/' + a.id }, el('strong', {}, '@' + a.username)),
      el('div', { class: 'muted' }, a.name || ''),
      el('div', {}, a.account_type, ' · ', String(a.followers_count), ' followers'),
      el('div', { class: 'row' },
        el('a', { href: '#/account/' + a.id + '/inbox' }, 'Inbox'),
        el('a', { href: '#/account/' + a.id + '/containers' }, 'Containers')),
      el('div', { class: 'mono muted' }, a.id))) : el('p', { class: 'muted' }, 'No accounts yet.'));
    replace(peopleBox, el('table', {},
      el('tr', {}, el('th', {}, 'Username'), el('th', {}, 'Name'), el('th', {}, 'Id')),
      folks.map((p) => el('tr', {}, el('td', {}, '@' + p.username), el('td', {}, p.name),
        el('td', { class: 'mono' }, p.id)))));
  };
}

function accountTabs(id, active) {
  const tab = (suffix, label) => el('a', { href: '#/account/' + id + suffix,
    class: active === label ? 'active' : '' }, label);
  return el('nav', { class: 'tabs' }, tab('', 'Posts'), tab('/inbox', 'Inbox'),
    tab('/containers', 'Containers'), tab('/insights', 'Insights'));
}

async function profileHeader(id) {
  const a = await get('/accounts/' + encodeURIComponent(id));
  return el('section', { class: 'profile' },
    a.profile_picture_url ? el('img', { class: 'avatar', src: a.profile_picture_url, alt: '' })
      : el('div', { class: 'avatar' }),
    el('div', {},
      el('h1', {}, '@' + a.username),
      el('div', {}, a.name || ''),
      a.biography ? el('div', { class: 'muted' }, a.biography) : null,
      el('div', { class: 'stats' },
        el('span', { id: 'media-count' }, ''),
        el('span', {}, String(a.followers_count), ' followers'),
        el('span', {}, String(a.follows_count), ' following'))));
}

function tile(m) {
  const picture = m.thumbnail_url || (m.media_type === 'IMAGE' ? m.media_url : null);
  return el('a', { class: 'tile', href: '#/media/' + m.id, 'data-media': m.id },
    picture ? el('img', { src: picture, alt: m.alt_text || '', loading: 'lazy' }) : null,
    el('span', { class: 'cap' }, (m.media_type === 'IMAGE' ? '' : m.media_product_type + ' · ') +
      (m.caption || '')));
}

async function accountView(main, id) {
  const header = el('div', {});
  const grid = el('div', { class: 'grid', id: 'grid' });
  const more = el('div', { class: 'row' });
  replace(main, header, accountTabs(id, 'Posts'), grid, more);
  replace(header, await profileHeader(id));
  let after = null;
  async function load(reset) {
    const page = await get('/accounts/' + encodeURIComponent(id) + '/media' +
      query({ after: reset ? null : after, limit: 60 }));
    if (reset) replace(grid);
    append(grid, page.data.map(tile));
    after = page.paging.after;
    const count = document.getElementById('media-count');
    if (count && page.media_count !== undefined) count.textContent = page.media_count + ' posts';
    replace(more, after ? el('button', { id: 'more', onclick: act(() => load(false)) }, 'Load more')
      : null);
  }
  return () => load(true);
}

// Who moderated a comment and when: an app through a token, or the author.
function moderationNote(m) {
  const who = '@' + (m.by.username || m.by.id) + ' (' + m.by.kind + ')';
  const how = m.via === 'graph_api'
    ? ' via the Graph API' + (m.app ? ', app ' + m.app.name + ' (' + m.app.id + ')' : '')
    : ' via the control API';
  return el('div', { class: 'muted moderation', 'data-moderation': m.action },
    m.action + ' by ' + who + how + ' at ' + m.at);
}

function commentNode(c, reply) {
  const marks = [];
  if (c.from.kind === 'account') marks.push(badge('account'));
  if (c.hidden) marks.push(badge('hidden', 'warn'));
  if (c.deleted) marks.push(badge('deleted', 'bad'));
  if (c.restricted) marks.push(badge('restricted', 'warn'));
  return el('div', { class: 'comment' + (c.hidden ? ' hidden' : '') + (c.deleted ? ' deleted' : ''),
    'data-comment': c.id },
  el('div', {}, el('strong', {}, '@' + (c.from.username || c.from.id)), ' ',
    el('span', { class: 'text' }, c.text), marks),
  c.moderation ? moderationNote(c.moderation) : null,
  c.deleted ? el('div', { class: 'muted' }, c.timestamp)
    : el('div', { class: 'muted' }, c.timestamp, ' · ', String(c.like_count), ' likes ',
      el('button', { class: 'link', type: 'button', onclick: reply.like(c) }, 'Like'),
      c.parent_id ? null
        : el('button', { class: 'link', type: 'button', onclick: () => reply.to(c) }, 'Reply')),
  c.replies && c.replies.length
    ? el('div', { class: 'replies' }, c.replies.map((r) => commentNode(r, reply))) : null);
}

async function mediaView(main, id) {
  const info = el('div', {});
  const thread = el('div', { id: 'thread' });
  const folks = await people();
  const as = personPicker('comment-as', folks);
  const text = el('input', { type: 'text', id: 'comment-text',
    placeholder: 'Add a comment… (@username mentions an account)' });
  const replyNote = el('span', { class: 'muted', id: 'reply-note' });
  let parent = null;
  let ownerAccount = null;
  const reply = {
    to(c) {
      parent = c.id;
      replace(replyNote, 'replying to @' + (c.from.username || c.from.id) + ' ',
        el('button', { class: 'link', type: 'button', onclick: () => {
          parent = null; replace(replyNote);
        } }, 'cancel'));
      text.focus();
    },
    like(c) {
      return act(async () => {
        if (as.value === 'account') throw new Error('likes come from people: pick a person');
        await post('/people/' + as.value + '/likes', { comment_id: c.id });
      });
    },
  };
  const form = el('form', { class: 'inline', id: 'comment-form', onsubmit: act(async () => {
    const body = { media_id: id, text: text.value };
    if (parent) body.parent_id = parent;
    if (as.value === 'account') await post('/accounts/' + ownerAccount + '/comments', body);
    else await post('/people/' + as.value + '/comments', body);
    text.value = '';
    parent = null;
    replace(replyNote);
  }) }, el('span', {}, 'as'), as, text,
  el('button', { type: 'submit', class: 'primary', id: 'comment-send' }, 'Post'));
  const metrics = el('div', { id: 'media-insights' });
  replace(main, el('div', { class: 'media' }, el('div', {}, info, metrics),
    el('div', {}, el('h2', {}, 'Comments'), thread, replyNote, form)));
  let first = true;
  return async () => {
    const m = await get('/media/' + encodeURIComponent(id));
    if (first && m.owner.kind === 'account') {
      ownerAccount = m.owner.id;
      as.insertBefore(el('option', { value: 'account' }, '@' + m.owner.username + ' (the account)'),
        as.firstChild);
      as.value = folks.length ? folks[0].id : 'account';
    }
    first = false;
    const picture = m.media_type === 'VIDEO'
      ? el('video', { src: m.media_url, controls: true, poster: m.thumbnail_url })
      : el('img', { src: m.media_url || m.thumbnail_url, alt: m.alt_text || '' });
    replace(info,
      el('div', {}, el('a', { href: m.owner.kind === 'account' ? '#/account/' + m.owner.id : '#/' },
        '@' + (m.owner.username || m.owner.id)), ' · ', m.media_product_type, ' · ', m.timestamp),
      picture,
      el('p', { id: 'caption' }, m.caption || ''),
      el('div', {}, String(m.like_count), ' likes · ', String(m.comments_count), ' comments ',
        el('button', { type: 'button', id: 'like-media', onclick: act(async () => {
          if (as.value === 'account') throw new Error('likes come from people: pick a person');
          await post('/people/' + as.value + '/likes', { media_id: id });
        }) }, 'Like as the chosen person')),
      el('div', { class: 'muted mono' }, m.permalink),
      m.is_comment_enabled ? null : el('p', {}, badge('comments disabled', 'warn')));
    replace(thread, m.comments.length ? m.comments.map((c) => commentNode(c, reply))
      : el('p', { class: 'muted' }, 'No comments yet.'));
    if (m.owner.kind === 'account') {
      const ins = await get('/media/' + encodeURIComponent(id) + '/insights');
      const labels = ins.data.map((d) => d.end_time);
      replace(metrics, ins.totals ? [el('h2', {}, 'Insights'),
        el('table', { id: 'media-totals' }, Object.entries(ins.totals).map(([k, v]) =>
          el('tr', {}, el('th', {}, k), el('td', {}, String(v))))),
        ins.data.length > 1 ? el('div', { class: 'charts' },
          chart('views', ins.data.map((d) => d.views), labels, false),
          chart('reach', ins.data.map((d) => d.reach), labels, false)) : null] : null);
    }
  };
}

function bubble(m, react) {
  const parts = [];
  if (m.is_deleted) parts.push(el('em', {}, 'unsent'));
  else if (m.text) parts.push(el('div', { class: 'text' }, m.text));
  for (const a of Array.isArray(m.attachments) ? m.attachments : []) {
    const url = a && (a.url || (a.payload && a.payload.url));
    if (a && a.type === 'image' && url) parts.push(el('img', { src: url, alt: 'image' }));
    else if (a) parts.push(el('div', { class: 'muted' }, '[' + (a.type || 'attachment') + '] ', url || ''));
  }
  if (m.template || m.quick_replies || m.attachment) {
    parts.push(el('pre', {}, JSON.stringify(m.template || m.attachment || m.quick_replies, null, 1)));
  }
  const reactions = (m.reactions || []).map((r) => r.emoji || r.reaction).join(' ');
  return el('div', { class: 'bubble' + (m.from === 'person' ? ' mine' : '') +
    (m.is_deleted ? ' deleted' : ''), 'data-mid': m.mid, 'data-from': m.from },
  parts,
  el('div', { class: 'meta' }, msTime(m.created_at_ms), m.tag ? ' · ' + m.tag : '',
    reactions ? ' · ' + reactions : '',
    m.from === 'account' && !m.is_deleted
      ? el('button', { class: 'link', type: 'button', onclick: react(m) }, '♥ react') : null));
}

async function inboxView(main, accountId, personId) {
  const list = el('div', { class: 'list card', id: 'conversations' });
  const pane = el('div', {});
  const header = el('div', {});
  replace(main, header, accountTabs(accountId, 'Inbox'), el('div', { class: 'split' }, list, pane));
  replace(header, await profileHeader(accountId));
  const folks = await people();
  // Starting a conversation: pick a person and write.
  if (!personId) {
    const who = personPicker('start-as', folks);
    const text = el('input', { type: 'text', id: 'start-text', placeholder: 'First message' });
    replace(pane, el('h2', {}, 'Write as a customer'),
      el('form', { class: 'inline', onsubmit: act(async () => {
        await post('/people/' + who.value + '/messages', { account_id: accountId, text: text.value });
        location.hash = '#/account/' + accountId + '/inbox/' + who.value;
      }) }, who, text, el('button', { type: 'submit', class: 'primary' }, 'Send')));
  }
  const thread = el('div', { class: 'thread', id: 'messages' });
  const windowNote = el('p', { id: 'window' });
  if (personId) {
    const text = el('input', { type: 'text', id: 'message-text', placeholder: 'Message…' });
    const image = el('input', { type: 'text', id: 'message-image', placeholder: 'Image URL' });
    const stories = el('select', { id: 'story' }, el('option', { value: '' }, 'story…'));
    const storyText = el('input', { type: 'text', id: 'story-text', placeholder: 'Reply to the story' });
    const payload = el('input', { type: 'text', id: 'postback-payload', placeholder: 'payload' });
    const title = el('input', { type: 'text', id: 'postback-title', placeholder: 'title (optional)' });
    const send = (body) => post('/people/' + personId + '/messages',
      Object.assign({ account_id: accountId }, body));
    get('/accounts/' + encodeURIComponent(accountId) + '/media?kind=stories&limit=20').then((page) => {
      append(stories, page.data.map((s) => el('option', { value: s.id }, s.id + ' ' + (s.caption || ''))));
    }).catch(showError);
    replace(pane, el('h2', { id: 'with' }, ''), windowNote, thread,
      el('form', { class: 'inline', id: 'message-form', onsubmit: act(async () => {
        await send({ text: text.value });
        text.value = '';
      }) }, text, el('button', { type: 'submit', class: 'primary', id: 'message-send' }, 'Send')),
      el('form', { class: 'inline', onsubmit: act(async () => {
        await send({ attachments: [{ type: 'image', url: image.value }] });
        image.value = '';
      }) }, image, el('button', { type: 'submit' }, 'Send image')),
      el('form', { class: 'inline', onsubmit: act(async () => {
        if (!stories.value) throw new Error('pick a story of the account');
        await send({ story_id: stories.value, text: storyText.value });
        storyText.value = '';
      }) }, stories, storyText, el('button', { type: 'submit' }, 'Reply to story')),
      el('form', { class: 'inline', onsubmit: act(async () => {
        const body = { account_id: accountId, payload: payload.value };
        if (title.value) body.title = title.value;
        await post('/people/' + personId + '/postbacks', body);
        payload.value = '';
        title.value = '';
      }) }, payload, title,
      el('button', { type: 'submit', id: 'postback-send' }, 'Tap ice breaker / button')));
  }
  const react = (m) => act(() => post('/people/' + personId + '/reactions',
    { account_id: accountId, mid: m.mid }));
  return async () => {
    const inbox = await get('/accounts/' + encodeURIComponent(accountId) + '/conversations');
    replace(list, inbox.data.length ? inbox.data.map((c) => el('a', {
      href: '#/account/' + accountId + '/inbox/' + c.person.id,
      class: c.person.id === personId ? 'active' : '' },
    el('strong', {}, '@' + (c.person.username || c.person.id)), ' ',
    badge(c.folder), c.window_open ? badge('window open', 'good') : badge('window closed'),
    el('div', { class: 'muted' }, c.last_message
      ? (c.last_message.from === 'account' ? 'You: ' : '') + (c.last_message.text || '[attachment]')
      : ''))) : el('p', { class: 'muted' }, 'No conversations yet.'));
    if (!personId) return;
    const current = inbox.data.find((c) => c.person.id === personId);
    const withNode = document.getElementById('with');
    if (withNode) withNode.textContent = 'Writing as @' + (current ? current.person.username : personId);
    replace(windowNote, current && current.window_open
      ? ['24-hour window open until ', current.window_closes_at]
      : ['24-hour window closed', current && current.window_closes_at
        ? ' since ' + current.window_closes_at : '']);
    windowNote.setAttribute('data-open', current && current.window_open ? 'true' : 'false');
    let convo;
    try {
      convo = await get('/people/' + encodeURIComponent(personId) + '/messages' +
        query({ account_id: accountId }));
    } catch (e) {
      replace(thread, el('p', { class: 'muted' }, 'No messages yet: write the first one.'));
      return;
    }
    replace(thread, convo.data.map((m) => bubble(m, react)));
  };
}

async function containersView(main, accountId) {
  const header = el('div', {});
  const table = el('div', { class: 'scroll', id: 'containers' });
  replace(main, header, accountTabs(accountId, 'Containers'), table);
  replace(header, await profileHeader(accountId));
  return async () => {
    const list = await get('/accounts/' + encodeURIComponent(accountId) + '/containers');
    replace(table, list.data.length ? el('table', {},
      el('tr', {}, ['Container', 'Type', 'Status', 'Created', 'Expires', 'Media']
        .map((h) => el('th', {}, h))),
      list.data.map((c) => el('tr', { 'data-container': c.id },
        el('td', { class: 'mono' }, c.id), el('td', {}, c.media_type),
        el('td', {}, statusBadge(c.status_code), ' ', el('span', { class: 'muted' }, c.status || '')),
        el('td', {}, c.created_at), el('td', {}, c.expires_at),
        el('td', {}, c.published_media_id
          ? el('a', { href: '#/media/' + c.published_media_id }, c.published_media_id) : ''))))
      : el('p', { class: 'muted' }, 'No containers: the app has not created any.'));
  };
}

const FIELDS = ['comments', 'live_comments', 'mentions', 'story_insights', 'messages',
  'message_echoes', 'message_reactions', 'messaging_postbacks', 'messaging_seen',
  'messaging_referral', 'messaging_optins', 'message_edit', 'standby', 'messaging_handover'];

async function appsView(main) {
  const box = el('div', { id: 'apps' });
  replace(main, el('h1', {}, 'Apps and webhooks'), box);
  return async () => {
    const apps = (await get('/apps')).data;
    const status = await get('/webhooks');
    const cards = [];
    for (const app of apps) {
      const hooks = await get('/apps/' + app.id + '/webhooks');
      const field = el('select', {}, FIELDS.map((f) => el('option', {}, f)));
      cards.push(el('div', { class: 'card', 'data-app': app.id },
        el('h2', {}, app.name, ' ', hooks.paused ? badge('paused', 'warn') : null),
        el('div', { class: 'mono muted' }, 'app ', app.id, ' · Instagram app ', app.instagram_app_id),
        el('div', {}, 'Access: ', app.access_level, ' · API ', app.api_version),
        hooks.subscriptions.length ? hooks.subscriptions.map((s) => el('div', {},
          el('div', {}, 'Callback ', el('span', { class: 'mono' }, s.callback_url), ' ',
            s.active ? badge('verified', 'good') : badge('not verified', 'bad')),
          s.verification_error ? el('div', { class: 'muted' }, s.verification_error) : null,
          el('div', {}, 'Fields: ', s.fields.map((f) => f.name + ' (' + f.version + ')').join(', ') || 'none'))
        ) : el('p', { class: 'muted' }, 'No webhooks configured.'),
        el('div', {}, 'Enabled by: ', hooks.accounts.map((a) => a.subject_id + ' [' + a.login + ': ' +
          (a.fields.join(', ') || 'no fields') + ']').join('; ') || 'no account'),
        el('div', { class: 'row' },
          el('button', { type: 'button', onclick: act(() => post('/webhooks/' +
            (hooks.paused ? 'resume' : 'pause'), { app_id: app.id })) },
          hooks.paused ? 'Resume delivery' : 'Pause delivery'),
          field,
          el('button', { type: 'button', onclick: act(() => post('/webhooks/test',
            { field: field.value, app_id: app.id })) }, 'Send test'))));
    }
    replace(box,
      el('p', {}, 'Delivery: ', status.paused ? badge('paused', 'warn') : badge('running', 'good'),
        ' · ', Object.entries(status.counts || {}).map(([k, v]) => k + ' ' + v).join(', ')),
      el('div', { class: 'cards' }, cards.length ? cards : el('p', { class: 'muted' }, 'No apps yet.')));
  };
}

function deliveryOutcome(d) {
  if (d.status === 'skipped') return d.reason || '';
  const last = d.attempts && d.attempts[d.attempts.length - 1];
  if (!last) return d.status === 'pending' ? 'waiting' : '';
  return (last.error ? last.error : 'HTTP ' + last.status) + ' in ' + Math.round(last.duration_ms) + ' ms';
}

async function deliveriesView(main, selected) {
  const status = el('select', { id: 'filter-status' }, ['', 'pending', 'delivered', 'failed', 'skipped']
    .map((s) => el('option', { value: s }, s || 'any status')));
  const field = el('input', { type: 'text', placeholder: 'field', id: 'filter-field' });
  const app = el('input', { type: 'text', placeholder: 'app id', id: 'filter-app' });
  const skipped = el('input', { type: 'checkbox', checked: true, id: 'filter-skipped' });
  const table = el('div', { class: 'scroll', id: 'deliveries' });
  const detail = el('div', { id: 'delivery' });
  let before = null;
  const filters = el('form', { class: 'inline', onsubmit: act(async () => { before = null; }) },
    status, field, app, el('label', {}, skipped, ' skipped events'),
    el('button', { type: 'submit' }, 'Filter'));
  replace(main, el('h1', {}, 'Webhook deliveries'), filters, table, detail);
  async function showDetail(id) {
    const d = await get('/webhooks/deliveries/' + id);
    const headers = d.headers || {};
    replace(detail, el('h2', {}, 'Delivery #' + d.id + ' ', statusBadge(d.status)),
      d.reason ? el('p', {}, 'Reason: ', d.reason) : null,
      el('div', {}, d.field, ' · app ', d.app_id || '—', ' · account ', d.account_id,
        ' · login ', d.login || '—', d.test ? ' · test' : ''),
      el('div', {}, 'Recorded ', msTime(d.created_at_ms), d.next_attempt_at_ms
        ? ' · next attempt ' + msTime(d.next_attempt_at_ms) : '',
      d.finished_at_ms ? ' · finished ' + msTime(d.finished_at_ms) : ''),
      d.url ? el('div', {}, 'To ', el('span', { class: 'mono' }, d.url)) : null,
      headers['x-hub-signature-256'] || headers['X-Hub-Signature-256']
        ? el('div', {}, 'Signature ', el('span', { class: 'mono', id: 'signature' },
          headers['x-hub-signature-256'] || headers['X-Hub-Signature-256'])) : null,
      el('div', { class: 'row' }, el('button', { type: 'button', id: 'replay', onclick: act(async () => {
        await post('/webhooks/deliveries/' + d.id + '/replay');
      }) }, 'Replay')),
      el('h2', {}, 'Attempts'),
      d.attempts.length ? el('table', {}, el('tr', {}, ['At', 'Answer', 'Time', 'Response']
        .map((h) => el('th', {}, h))),
      d.attempts.map((a) => el('tr', {}, el('td', {}, msTime(a.at_ms)),
        el('td', {}, a.error || String(a.status), a.replay ? ' (replay)' : ''),
        el('td', {}, Math.round(a.duration_ms) + ' ms'),
        el('td', { class: 'mono' }, a.response_body || ''))))
        : el('p', { class: 'muted' }, 'No attempt yet.'),
      el('h2', {}, 'Payload'), pretty(d.payload),
      el('h2', {}, 'Headers'), pretty(headers),
      d.body ? [el('h2', {}, 'Exact body'), el('pre', {}, d.body)] : null);
  }
  return async () => {
    const page = await get('/webhooks/deliveries' + query({ status: status.value, field: field.value,
      app_id: app.value, include: skipped.checked ? 'skipped' : null, before, limit: 50 }));
    replace(table, el('table', {},
      el('tr', {}, ['#', 'Recorded', 'Field', 'App', 'Account', 'Status', 'Attempts', 'Outcome']
        .map((h) => el('th', {}, h))),
      page.data.map((d) => el('tr', { class: 'clickable', 'data-delivery': d.id, 'data-field': d.field,
        onclick: () => { location.hash = '#/deliveries/' + d.id; } },
      el('td', {}, String(d.id)), el('td', {}, msTime(d.created_at_ms)), el('td', {}, d.field),
      el('td', { class: 'mono' }, d.app_id || '—'), el('td', { class: 'mono' }, d.account_id),
      el('td', {}, statusBadge(d.status)), el('td', {}, String(d.attempt_count)),
      el('td', {}, deliveryOutcome(d))))),
    el('div', { class: 'row' }, page.paging.before ? el('button', { type: 'button',
      onclick: act(async () => { before = page.paging.before; }) }, 'Older') : null,
    before ? el('button', { type: 'button', onclick: act(async () => { before = null; }) }, 'Newest')
      : null, el('span', { class: 'muted' }, Object.entries(page.counts || {})
      .map(([k, v]) => k + ' ' + v).join(' · '))));
    if (selected) await showDetail(selected);
  };
}

// A body as text: JSON shown indented, anything else as it came.
function bodyText(body) {
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch (e) { return body; }
}

function exchangeSide(title, side, first) {
  const note = side.body_omitted ? 'body not kept: ' + side.body_omitted
    : side.body_truncated ? 'body cut at 16 KiB of ' + side.body_size + ' bytes'
      : (side.body_size || 0) + ' bytes';
  return el('section', { class: 'side' }, el('h3', {}, title), el('div', { class: 'mono' }, first),
    el('table', { class: 'headers' }, Object.entries(side.headers).map(([k, v]) =>
      el('tr', {}, el('th', {}, k), el('td', { class: 'mono' }, v)))),
    side.headers_truncated ? el('p', { class: 'muted' }, 'headers past 8 KiB left out') : null,
    el('p', { class: 'muted' }, note),
    side.body ? el('pre', { class: 'body' }, bodyText(side.body)) : null);
}

async function requestsView(main, selected) {
  const path = el('input', { type: 'text', placeholder: 'path contains', id: 'filter-path' });
  const status = el('input', { type: 'text', placeholder: 'status (404, 4xx)', id: 'filter-status' });
  const method = el('input', { type: 'text', placeholder: 'method', size: 6 });
  const host = el('input', { type: 'text', placeholder: 'host' });
  const token = el('input', { type: 'text', placeholder: 'access token', id: 'filter-token' });
  const app = el('input', { type: 'text', placeholder: 'app id', id: 'filter-app' });
  const table = el('div', { class: 'scroll', id: 'requests' });
  const detail = el('div', { id: 'request' });
  replace(main, el('h1', {}, 'Request log'),
    el('form', { class: 'inline', onsubmit: act(async () => {}) }, path, status, method, host,
      token, app, el('button', { type: 'submit' }, 'Filter')), table, detail);
  async function showDetail(id) {
    let r;
    try {
      r = await get('/requests/' + encodeURIComponent(id));
    } catch (e) {
      replace(detail, el('p', { class: 'muted' }, String(e.message)));
      return;
    }
    replace(detail, el('h2', {}, 'Request #' + r.id + ' ',
      badge(String(r.status), r.status >= 400 ? 'bad' : 'good')),
    el('div', {}, r.time, ' · ', Math.round(r.duration_ms * 10) / 10 + ' ms', ' · trace ',
      el('span', { class: 'mono' }, r.fbtrace_id || ''),
      r.app_id ? [' · app ', el('span', { class: 'mono' }, r.app_id)] : null),
    r.token ? el('div', {}, 'Token ', el('span', { class: 'mono', id: 'request-token' },
      r.token)) : null,
    el('div', { class: 'exchange' },
      exchangeSide('Request', r.request, r.request.method + ' ' + r.request.url),
      exchangeSide('Response', r.response, 'HTTP ' + r.response.status)));
  }
  return async () => {
    const page = await get('/requests' + query({ path: path.value, status: status.value,
      method: method.value, host: host.value, token: token.value, app: app.value, limit: 200 }));
    replace(table, el('table', {},
      el('tr', {}, ['Time', 'Method', 'Host', 'Path', 'Status', 'ms', 'Error', 'App']
        .map((h) => el('th', {}, h))),
      page.data.map((r) => el('tr', { class: 'clickable', 'data-request': r.id,
        onclick: () => { location.hash = '#/requests/' + r.id; } },
      el('td', {}, r.time), el('td', {}, r.method), el('td', {}, r.host),
      el('td', { class: 'mono' }, r.path + (r.query ? '?' + r.query : '')),
      el('td', {}, String(r.status)), el('td', {}, String(Math.round(r.duration_ms * 10) / 10)),
      el('td', {}, r.error_code ? r.error_code + (r.error_subcode ? '/' + r.error_subcode : '') : ''),
      el('td', { class: 'mono' }, r.app_id || '')))));
    if (selected) await showDetail(selected);
  };
}

async function tokensView(main) {
  const [apps, list] = [(await get('/apps')).data, await accounts()];
  const app = el('select', { id: 'mint-app' }, apps.map((a) => el('option', { value: a.id }, a.name)));
  const account = el('select', { id: 'mint-account' }, list.map((a) => el('option', { value: a.id },
    '@' + a.username)));
  const login = el('select', { id: 'mint-login' }, el('option', {}, 'instagram'), el('option', {}, 'facebook'));
  const longLived = el('input', { type: 'checkbox' });
  const minted = el('div', { id: 'minted', class: 'mono' });
  const inspectInput = el('input', { type: 'text', placeholder: 'access token', id: 'inspect-token' });
  const inspected = el('div', { id: 'inspected' });
  const table = el('div', { class: 'scroll', id: 'tokens' });
  replace(main, el('h1', {}, 'Tokens'),
    el('form', { class: 'inline', onsubmit: act(async () => {
      const t = await post('/tokens', { app_id: app.value, account_id: account.value,
        login: login.value, long_lived: longLived.checked });
      minted.textContent = t.access_token;
    }) }, app, account, login, el('label', {}, longLived, ' long-lived'),
    el('button', { type: 'submit', class: 'primary' }, 'Mint')),
    minted,
    el('form', { class: 'inline', onsubmit: act(async () => {
      replace(inspected, pretty(await get('/tokens/inspect' + query({ access_token: inspectInput.value }))));
    }) }, inspectInput, el('button', { type: 'submit' }, 'Inspect')),
    inspected, el('h2', {}, 'Issued'), table);
  return async () => {
    const tokens = (await get('/tokens?limit=200')).data;
    replace(table, el('table', {},
      el('tr', {}, ['Token', 'Kind', 'Of', 'App', 'Status', 'Issued', 'Expires', ''].map((h) => el('th', {}, h))),
      tokens.map((t) => {
        const reason = el('select', {}, ['revoked', 'expired', 'logged_out', 'password_changed']
          .map((r) => el('option', {}, r)));
        return el('tr', {},
          el('td', { class: 'mono', title: t.access_token }, t.access_token.slice(0, 16) + '…'),
          el('td', {}, t.kind), el('td', { class: 'mono' }, t.subject_id), el('td', { class: 'mono' }, t.app_id),
          el('td', {}, statusBadge(t.status)), el('td', {}, unixTime(t.issued_at)),
          el('td', {}, unixTime(t.expires_at)),
          el('td', {}, t.is_valid ? [reason, el('button', { type: 'button', onclick: act(() =>
            post('/tokens/invalidate', { access_token: t.access_token, reason: reason.value })) },
          'Invalidate')] : (t.invalidated_at ? 'ended ' + unixTime(t.invalidated_at) : '')));
      })));
  };
}

// Faults (issue #14): each with how often it matched and fired; add one from a preset (or
// from scratch), remove one or all. Rate limits: the settings in force and the usage counted
// per app, user and account.
const PRESETS = ['outage', 'throttled', 'token_invalidated', 'media_unfetchable', 'container_stuck',
  'webhooks_paused'];

async function faultsView(main) {
  const preset = el('select', { id: 'fault-preset' }, el('option', { value: '' }, 'custom error'),
    PRESETS.map((p) => el('option', { value: p }, p)));
  const method = el('select', { id: 'fault-method' }, ['', 'GET', 'POST', 'DELETE']
    .map((m) => el('option', { value: m }, m || 'any method')));
  const path = el('input', { type: 'text', id: 'fault-path', placeholder: 'path (/{ig-user-id}/media)' });
  const app = el('input', { type: 'text', id: 'fault-app', placeholder: 'app id' });
  const account = el('input', { type: 'text', id: 'fault-account', placeholder: 'account id' });
  const times = el('input', { type: 'number', id: 'fault-times', placeholder: 'times', min: 1, size: 5 });
  const code = el('input', { type: 'number', id: 'fault-code', placeholder: 'code', size: 5 });
  const message = el('input', { type: 'text', id: 'fault-message', placeholder: 'message' });
  const table = el('div', { class: 'scroll', id: 'faults' });
  const limits = el('div', { id: 'limits' });
  const scale = el('input', { type: 'text', id: 'limits-scale', placeholder: 'scale (1, 0.01, off)', size: 10 });
  replace(main, el('h1', {}, 'Faults'),
    el('form', { class: 'inline', id: 'fault-form', onsubmit: act(async () => {
      const body = {};
      if (preset.value) body.preset = preset.value;
      if (method.value) body.method = method.value;
      if (path.value) body.path = path.value;
      if (app.value) body.app_id = app.value;
      if (account.value) body.account_id = account.value;
      if (times.value) body.times = Number(times.value);
      if (code.value) body.code = Number(code.value);
      if (message.value) body.message = message.value;
      await post('/faults', body);
    }) }, preset, method, path, app, account, times, code, message,
    el('button', { type: 'submit', class: 'primary', id: 'fault-add' }, 'Add fault'),
    el('button', { type: 'button', id: 'faults-clear', onclick: act(() => api('DELETE', '/faults')) },
      'Clear all')),
    table,
    el('h1', {}, 'Rate limits'),
    el('form', { class: 'inline', onsubmit: act(async () => {
      await post('/rate_limits', { scale: /^[0-9.]+$/.test(scale.value) ? Number(scale.value) : scale.value });
      scale.value = '';
    }) }, scale, el('button', { type: 'submit' }, 'Set scale'),
    el('button', { type: 'button', id: 'limits-reset', onclick: act(() => post('/rate_limits/reset')) },
      'Reset counters')),
    limits);
  return async () => {
    const [list, rl] = await Promise.all([get('/faults'), get('/rate_limits')]);
    replace(table, list.data.length ? el('table', {},
      el('tr', {}, ['#', 'Preset', 'Matches', 'Error', 'Matched', 'Fired', 'Left', 'Since', '']
        .map((h) => el('th', {}, h))),
      list.data.map((f) => el('tr', { 'data-fault': f.id },
        el('td', {}, f.id), el('td', {}, f.preset || 'custom'),
        el('td', { class: 'mono' }, [f.method || 'any', f.path || '', f.app_id ? 'app ' + f.app_id : '',
          f.account_id ? 'account ' + f.account_id : ''].filter(Boolean).join(' ')),
        el('td', {}, f.code ? f.status + ' #' + f.code + (f.subcode ? '/' + f.subcode : '') + ' ' : '',
          el('span', { class: 'fault-message' }, f.message || '')),
        el('td', { class: 'matched' }, String(f.matched)), el('td', { class: 'fired' }, String(f.fired)),
        el('td', {}, f.remaining === null || f.remaining === undefined ? '∞' : String(f.remaining)),
        el('td', {}, f.created_at),
        el('td', {}, el('button', { type: 'button', onclick: act(() => api('DELETE', '/faults/' + f.id)) },
          'Remove')))))
      : el('p', { class: 'muted' }, 'No faults: every call answers normally.'));
    replace(limits,
      el('p', {}, rl.enabled ? badge('enforced', 'good') : badge('off', 'warn'), ' scale ', String(rl.scale)),
      el('div', { class: 'scroll' }, el('table', { id: 'limits-table' },
        el('tr', {}, ['Limit', 'Per', 'Window', 'Limit now', 'Meta default', 'Error']
          .map((h) => el('th', {}, h))),
        rl.limits.map((l) => el('tr', {}, el('td', {}, l.name, l.overridden ? badge('override', 'warn') : null),
          el('td', {}, l.per), el('td', {}, l.window_seconds + ' s'),
          el('td', {}, l.limit === null ? 'off' : String(l.limit)),
          el('td', {}, l.meta_default === null ? '' : String(l.meta_default)),
          el('td', {}, '#' + l.error_code))))),
      el('h2', {}, 'Usage'),
      rl.usage.length ? el('div', { class: 'scroll' }, el('table', { id: 'usage' },
        el('tr', {}, ['Scope', 'Limit', 'Used', 'Max', ''].map((h) => el('th', {}, h))),
        rl.usage.map((u) => el('tr', {}, el('td', { class: 'mono' }, u.scope), el('td', {}, u.limit),
          el('td', {}, String(u.used)), el('td', {}, u.max === null ? '∞' : String(u.max)),
          el('td', {}, u.max ? el('meter', { min: 0, max: u.max, value: Math.min(u.used, u.max) }) : '')))))
        : el('p', { class: 'muted' }, 'No calls counted in the current windows.'));
  };
}

let changesSeen = [];
async function clockView(main) {
  const now = el('p', { id: 'clock-now' });
  const due = el('div', { id: 'fell-due' });
  const setInput = el('input', { type: 'text', placeholder: '2025-01-01T00:00:00Z' });
  async function move(body) {
    const before = (await get('/clock')).now_unix_ms;
    changesSeen = [];
    const after = await post('/clock', body);
    await loadClock();
    // What the move set off: deliveries recorded in the time passed, and what committed.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const page = await get('/webhooks/deliveries' + query({ include: 'skipped',
      since_ms: Math.min(before, after.now_unix_ms), limit: 100 }));
    const kinds = [...new Set(changesSeen.flatMap((c) => c.kinds))];
    const fell = after.now_unix_ms > before ? await get('/clock/due' +
      query({ from_ms: before, to_ms: after.now_unix_ms })) : null;
    const section = (title, id, rows, line) => el('div', { id },
      el('h3', {}, title, ' ', badge(String(rows.length))),
      rows.length ? el('ul', {}, rows.map((r) => el('li', {}, line(r))))
        : el('p', { class: 'muted' }, 'None.'));
    replace(due, el('h2', {}, 'What fell due'),
      el('p', {}, 'From ', msTime(before), ' to ', after.now), kinds.length
        ? el('p', {}, 'Changed: ', kinds.join(', ')) : el('p', { class: 'muted' }, 'Nothing changed.'),
      fell ? [
        section('Containers expired', 'due-containers', fell.containers_expired, (c) =>
          [el('a', { href: '#/account/' + c.account_id + '/containers' }, c.id), ' at ', c.at]),
        section('Messaging windows closed', 'due-windows', fell.windows_closed, (w) =>
          [el('a', { href: '#/account/' + w.account_id + '/inbox/' + w.person_id }, w.person_id),
            ' ', w.window === '24h' ? '24-hour window' : 'human agent (7 days)', ' at ', w.at]),
        section('Tokens expired', 'due-tokens', fell.tokens_expired, (t) =>
          [el('span', { class: 'mono' }, t.access_token.slice(0, 16) + '…'), ' of ', t.subject_id, ' at ', t.at]),
        section('Stories ended', 'due-stories', fell.stories_ended, (m) =>
          [el('a', { href: '#/media/' + m.id }, m.id), ' at ', m.at]),
      ] : null,
      el('h3', {}, 'Webhooks recorded or retried'),
      page.data.length ? el('ul', { id: 'due-deliveries' }, page.data.map((d) => el('li', {},
        el('a', { href: '#/deliveries/' + d.id }, '#' + d.id), ' ', d.field, ' ', statusBadge(d.status),
        ' ', String(d.attempt_count), ' attempts')))
        : el('p', { class: 'muted' }, 'No webhook recorded.'));
  }
  const button = (id, label, body) => el('button', { type: 'button', id, onclick: act(() => move(body)) }, label);
  replace(main, el('h1', {}, 'Virtual clock'), now,
    el('div', { class: 'row' }, button('advance-1h', '+1 hour', { advance_seconds: 3600 }),
      button('advance-1d', '+1 day', { advance_seconds: 86400 }),
      button('advance-1w', '+1 week', { advance_seconds: 604800 }),
      button('freeze', 'Freeze', { frozen: true }), button('unfreeze', 'Run', { frozen: false })),
    el('form', { class: 'inline', onsubmit: act(async () => move({ set: setInput.value })) }, setInput,
      el('button', { type: 'submit' }, 'Set')),
    due);
  return async () => {
    const clock = await loadClock();
    replace(now, clock.now, clock.frozen ? ' (frozen)' : ' (running)');
  };
}

// ----- routing and live updates ------------------------------------------------------------

const ROUTES = [
  [/^#?\/?$/, accountsView],
  [/^#\/account\/([^/]+)$/, accountView],
  [/^#\/account\/([^/]+)\/inbox$/, inboxView],
  [/^#\/account\/([^/]+)\/inbox\/([^/]+)$/, inboxView],
  [/^#\/account\/([^/]+)\/containers$/, containersView],
  [/^#\/account\/([^/]+)\/insights$/, insightsView],
  [/^#\/media\/([^/]+)$/, mediaView],
  [/^#\/apps$/, appsView],
  [/^#\/deliveries$/, deliveriesView],
  [/^#\/deliveries\/(\d+)$/, deliveriesView],
  [/^#\/requests$/, requestsView],
  [/^#\/requests\/(\d+)$/, requestsView],
  [/^#\/tokens$/, tokensView],
  [/^#\/clock$/, clockView],
  [/^#\/faults$/, faultsView],
];

let refresh = null;
let routeSerial = 0;

async function route() {
  const serial = ++routeSerial;
  const main = document.getElementById('main');
  showError(null);
  const hash = location.hash || '#/';
  const found = ROUTES.find(([pattern]) => pattern.test(hash));
  refresh = null;
  if (!found) {
    replace(main, el('h1', {}, 'Not found'), el('a', { href: '#/' }, 'Back to the accounts'));
    return;
  }
  const params = hash.match(found[0]).slice(1).map(decodeURIComponent);
  try {
    const redraw = await found[1](main, ...params);
    if (serial !== routeSerial) return;
    refresh = redraw;
    await refreshNow();
  } catch (error) {
    showError(error);
  }
}

let refreshing = null;
async function refreshNow() {
  if (!refresh) return;
  const current = refresh;
  try {
    refreshing = current();
    await refreshing;
  } catch (error) {
    showError(error);
  }
  document.body.setAttribute('data-refreshed', String(Date.now()));
}

let pending = null;
function scheduleRefresh() {
  if (pending) return;
  pending = setTimeout(() => { pending = null; refreshNow(); }, 120);
}

function connect() {
  const token = controlToken();
  const source = new EventSource('/_localgram/events' + (token ? query({ [TOKEN_KEY]: token }) : ''));
  const live = document.getElementById('live');
  source.addEventListener('ready', () => { live.textContent = 'live'; live.className = 'live on'; });
  source.addEventListener('change', (event) => {
    let change = {};
    try { change = JSON.parse(event.data); } catch (e) { change = {}; }
    changesSeen.push(change);
    const kinds = change.kinds || [];
    if (kinds.includes('people')) peopleCache = null;
    if (kinds.includes('accounts')) accountsCache = null;
    if (kinds.includes('settings') || kinds.length === 0) loadClock().catch(() => {});
    scheduleRefresh();
  });
  source.addEventListener('lagged', () => { peopleCache = null; accountsCache = null; scheduleRefresh(); });
  source.onerror = () => { live.textContent = 'offline'; live.className = 'live'; };
}

window.addEventListener('hashchange', route);
loadClock().catch(showError);
connect();
route();
