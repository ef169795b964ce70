// The control API reference: renders /_localgram/openapi.json (generated from the code) as
// tags → operations → parameters, request body and answers with their schemas, each
// collapsible. Everything from the document is inserted as text, never parsed as HTML.
'use strict';

const TOKEN_KEY = 'localgram_token';

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function loadDocument() {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY) || new URLSearchParams(location.search).get(TOKEN_KEY);
  if (token) headers['X-Localgram-Token'] = token;
  const response = await fetch('/_localgram/openapi.json', { headers });
  const data = await response.json();
  if (!response.ok) throw new Error((data.error && data.error.message) || String(response.status));
  return data;
}

// Follows a local reference (#/components/...) → [its name, what it names].
function deref(doc, node) {
  if (!node || typeof node.$ref !== 'string') return [null, node];
  const parts = node.$ref.replace(/^#\//, '').split('/');
  let target = doc;
  for (const part of parts) target = target ? target[part] : undefined;
  return [parts[parts.length - 1], target || {}];
}

// A short type for a schema: string, integer (int64), array of X, one of [...], X | null.
function typeName(doc, schema) {
  const [name, s] = deref(doc, schema);
  if (name) return name;
  if (!s) return 'any';
  if (s.oneOf || s.anyOf) return (s.oneOf || s.anyOf).map((x) => typeName(doc, x)).join(' | ');
  let type = Array.isArray(s.type) ? s.type.join(' | ') : (s.type || (s.properties ? 'object' : 'any'));
  if (type === 'array' || (Array.isArray(s.type) && s.type.includes('array'))) {
    type = type.replace('array', 'array of ' + typeName(doc, s.items || {}));
  }
  if (s.format) type += ' (' + s.format + ')';
  return type;
}

// The properties of an object schema (through a reference or a nullable oneOf).
function objectOf(doc, schema) {
  let [, s] = deref(doc, schema);
  if (s && (s.oneOf || s.anyOf)) {
    const inner = (s.oneOf || s.anyOf).map((x) => deref(doc, x)[1]).find((x) => x && (x.properties || x.items));
    if (inner) s = inner;
  }
  if (s && s.items) return objectOf(doc, s.items);
  if (s && s.additionalProperties && typeof s.additionalProperties === 'object') return objectOf(doc, s.additionalProperties);
  return s && s.properties ? s : null;
}

function constraints(s) {
  const out = [];
  if (s.enum) out.push('one of: ' + s.enum.map((v) => JSON.stringify(v)).join(', '));
  if (s.minimum !== undefined) out.push('minimum ' + s.minimum);
  if (s.maximum !== undefined) out.push('maximum ' + s.maximum);
  return out;
}

// A schema as a list of its fields, nested objects collapsible (depth-limited: schemas may refer
// to themselves).
function schemaView(doc, schema, depth) {
  const object = objectOf(doc, schema);
  const [, top] = deref(doc, schema);
  if (!object) {
    return el('p', { class: 'muted' }, typeName(doc, schema), ' ', constraints(top || {}).join('; '),
      top && top.description ? ' — ' + top.description : '');
  }
  const required = new Set(object.required || []);
  const rows = Object.entries(object.properties).map(([name, field]) => {
    const [, resolved] = deref(doc, field);
    const nullable = resolved && (resolved.oneOf || resolved.anyOf);
    const inner = (nullable || [resolved]).map((x) => deref(doc, x)[1]).find((x) => x && x.enum) || resolved || {};
    const description = (resolved && resolved.description) || field.description || '';
    const nested = objectOf(doc, field);
    return el('li', { class: 'field', 'data-field': name },
      el('span', { class: 'mono' }, name), ' ',
      el('span', { class: 'muted' }, typeName(doc, field)),
      required.has(name) ? el('span', { class: 'badge warn' }, 'required') : null,
      constraints(inner).length ? el('span', { class: 'muted' }, ' · ' + constraints(inner).join('; ')) : null,
      description ? el('div', {}, description) : null,
      nested && depth < 6 ? el('details', {}, el('summary', {}, 'fields'), schemaView(doc, field, depth + 1)) : null);
  });
  return el('ul', { class: 'schema' }, rows);
}

function parametersView(doc, params) {
  if (!params || !params.length) return null;
  return el('div', { class: 'scroll' }, el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, 'Parameter'), el('th', {}, 'In'), el('th', {}, 'Type'), el('th', {}, 'Description'))),
    el('tbody', {}, params.map((p) => el('tr', { 'data-param': p.name },
      el('td', { class: 'mono' }, p.name, p.required ? el('span', { class: 'badge warn' }, 'required') : null),
      el('td', {}, p.in),
      el('td', {}, typeName(doc, p.schema || {}), ' ', constraints(deref(doc, p.schema || {})[1] || {}).join('; ')),
      el('td', {}, p.description || (p.schema && p.schema.description) || ''))))));
}

function contentView(doc, content) {
  return Object.entries(content || {}).map(([type, media]) =>
    el('div', {}, el('div', { class: 'muted' }, type), media.schema ? schemaView(doc, media.schema, 0) : null));
}

function operationView(doc, path, method, op) {
  const body = op.requestBody ? deref(doc, op.requestBody)[1] : null;
  return el('details', { class: 'card op', id: 'op-' + op.operationId, 'data-operation': op.operationId },
    el('summary', {}, el('span', { class: 'badge method' }, method.toUpperCase()), ' ',
      el('span', { class: 'mono' }, path), ' ', el('span', {}, op.summary || '')),
    op.description ? el('p', {}, op.description) : null,
    parametersView(doc, op.parameters),
    body ? el('section', {}, el('h3', {}, 'Request body', body.required ? '' : ' (optional)'), contentView(doc, body.content)) : null,
    el('section', {}, el('h3', {}, 'Answers'),
      Object.entries(op.responses || {}).map(([status, answer]) => {
        const [name, response] = deref(doc, answer);
        return el('details', { class: 'answer', open: status === '200' },
          el('summary', {}, el('span', { class: 'badge' + (status === '200' ? ' good' : ' bad') }, status), ' ',
            response.description || '', name ? el('span', { class: 'muted' }, ' (' + name + ')') : null),
          contentView(doc, response.content));
      })));
}

function render(doc, main) {
  const operations = [];
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (method !== 'parameters') operations.push({ path, method, op });
    }
  }
  const tags = (doc.tags || []).map((t) => t.name);
  for (const { op } of operations) for (const t of op.tags || ['other']) if (!tags.includes(t)) tags.push(t);
  const describe = Object.fromEntries((doc.tags || []).map((t) => [t.name, t.description]));
  const filter = el('input', { type: 'text', id: 'filter', placeholder: 'Filter by path, method or summary', 'aria-label': 'filter' });
  const sections = tags.map((tag) => {
    const ops = operations.filter(({ op }) => (op.tags || ['other']).includes(tag));
    if (!ops.length) return null;
    return el('section', { class: 'tag', 'data-tag': tag },
      el('h2', {}, tag, ' ', el('span', { class: 'muted' }, describe[tag] || '')),
      ops.map(({ path, method, op }) => operationView(doc, path, method, op)));
  });
  filter.addEventListener('input', () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const node of main.querySelectorAll('details.op')) {
      const text = node.querySelector('summary').textContent.toLowerCase();
      node.hidden = !words.every((w) => text.includes(w));
    }
    for (const section of main.querySelectorAll('section.tag')) {
      section.hidden = !section.querySelector('details.op:not([hidden])');
    }
  });
  while (main.firstChild) main.removeChild(main.firstChild);
  main.append(
    el('h1', {}, (doc.info && doc.info.title) || 'Control API', ' ', el('span', { class: 'muted' }, 'version ', doc.info && doc.info.version)),
    el('p', {}, (doc.info && doc.info.description) || ''),
    el('p', { class: 'muted' }, operations.length + ' operations under ',
      el('span', { class: 'mono' }, (doc.servers && doc.servers[0] && doc.servers[0].url) || '/'), '. The document: ',
      el('a', { href: '/_localgram/openapi.json' }, 'openapi.json'), '.'),
    el('div', { class: 'row' }, filter),
    ...sections.filter(Boolean));
  document.body.setAttribute('data-operations', String(operations.length));
  const wanted = location.hash && document.getElementById(location.hash.slice(1));
  if (wanted && wanted.tagName === 'DETAILS') { wanted.open = true; wanted.scrollIntoView(); }
}

loadDocument()
  .then((doc) => render(doc, document.getElementById('main')))
  .catch((error) => {
    const box = document.getElementById('error');
    box.textContent = 'The OpenAPI document could not be loaded: ' + String(error.message || error);
    box.hidden = false;
  });
