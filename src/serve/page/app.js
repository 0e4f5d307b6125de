// newsdex serve: the page. A client of the JSON API (/api/search, /api/article,
// /api/counts, /api/status). The URL holds the state (query, filters, sort, page,
// open article), so a search can be bookmarked and back/forward work. Every piece
// of article text is put in the page as text (textContent), never as HTML.
'use strict';

const PER_PAGE = 10;
const DEBOUNCE_MS = 250;
const $ = (id) => document.getElementById(id);

// The state the URL holds. Defaults are left out of the URL.
const DEFAULTS = { q: '', year: '', publisher: '', sort: 'relevance', any: false, page: 1, article: '', p: 0 };
let state = { ...DEFAULTS };

function fromUrl() {
  const u = new URLSearchParams(location.search);
  const page = parseInt(u.get('page') || '1', 10);
  return {
    q: u.get('q') || '',
    year: u.get('year') || '',
    publisher: u.get('publisher') || '',
    sort: ['relevance', 'newest', 'oldest'].includes(u.get('sort')) ? u.get('sort') : 'relevance',
    any: u.get('any') === '1',
    page: Number.isFinite(page) && page > 0 ? page : 1,
    article: u.get('article') || '',
    p: parseInt(u.get('p') || '0', 10) || 0,
  };
}

function toUrl(s) {
  const u = new URLSearchParams();
  for (const key of ['q', 'year', 'publisher', 'sort', 'page', 'article', 'p']) {
    if (s[key] !== DEFAULTS[key] && s[key] !== '') u.set(key, String(s[key]));
  }
  if (s.any) u.set('any', '1');
  const text = u.toString();
  return text ? '?' + text : location.pathname;
}

// Typing replaces the history entry it made itself; every other change adds one.
let typingEntry = false;
function go(changes, how) {
  state = { ...state, ...changes };
  const url = toUrl(state);
  if (how === 'type' && typingEntry) {
    history.replaceState(null, '', url);
  } else if (url !== location.search && !(url === location.pathname && !location.search)) {
    history.pushState(null, '', url);
  }
  typingEntry = how === 'type';
  render();
}

window.addEventListener('popstate', () => {
  typingEntry = false;
  state = fromUrl();
  render();
});

// ---- Talking to the API --------------------------------------------------

class ApiError extends Error {}

async function api(path, params, signal) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== '' && v !== false && v !== undefined && v !== null) query.set(k, v === true ? '1' : String(v));
  }
  const response = await fetch('/api/' + path + '?' + query, { signal });
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new ApiError(body.error || ('HTTP ' + response.status));
  return body;
}

// ---- Building the page from text ------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// `text` with the UTF-8 byte ranges `ranges` wrapped in <mark>, as DOM nodes.
function marked(text, ranges) {
  const fragment = document.createDocumentFragment();
  if (!ranges || ranges.length === 0) {
    fragment.append(document.createTextNode(text));
    return fragment;
  }
  const bytes = encoder.encode(text);
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end > bytes.length) continue;
    fragment.append(document.createTextNode(decoder.decode(bytes.subarray(at, start))));
    fragment.append(el('mark', {}, decoder.decode(bytes.subarray(start, end))));
    at = end;
  }
  fragment.append(document.createTextNode(decoder.decode(bytes.subarray(at))));
  return fragment;
}

function plural(n, noun) {
  return n.toLocaleString('en') + ' ' + noun + (n === 1 ? '' : 's');
}

function metaLine(article, extra) {
  const parts = [article.publisher, article.date || (article.year ? String(article.year) : null), article.path, extra];
  return parts.filter(Boolean).join(' · ');
}

function articleUrl(id, p) {
  return toUrl({ ...state, article: id, p: p || 0 });
}

// ---- Results ---------------------------------------------------------------

let generation = 0;
let controller = null;
let selected = -1;

function filters() {
  return { q: state.q.trim(), year: state.year, publisher: state.publisher, any: state.any };
}

function hasSearch() {
  return state.q.trim() !== '' || state.year !== '' || state.publisher !== '';
}

async function render() {
  syncControls();
  if (state.article) {
    $('results-view').hidden = true;
    $('article-view').hidden = false;
    return showArticle();
  }
  $('article-view').hidden = true;
  $('results-view').hidden = false;
  const mine = ++generation;
  if (controller) controller.abort();
  controller = new AbortController();
  const signal = controller.signal;
  $('hits').classList.add('loading');
  const f = filters();
  // Each facet counts with the other filters applied, so its own choices stay visible.
  const years = api('counts', { ...f, year: '', by: 'year' }, signal);
  const publishers = api('counts', { ...f, publisher: '', by: 'publisher' }, signal);
  const found = hasSearch()
    ? api('search', { ...f, sort: state.sort === 'relevance' ? '' : state.sort,
        offset: (state.page - 1) * PER_PAGE, limit: PER_PAGE }, signal)
    : Promise.resolve(null);
  try {
    const [results, yearCounts, publisherCounts] = await Promise.all([found, years, publishers]);
    if (mine !== generation) return;
    drawChart(yearCounts);
    drawFacet('facet-year', yearCounts, 'year', (a, b) => b.key.localeCompare(a.key));
    drawFacet('facet-publisher', publisherCounts, 'publisher',
      (a, b) => b.articles - a.articles || a.key.localeCompare(b.key));
    drawResults(results, yearCounts);
  } catch (err) {
    if (err.name === 'AbortError' || mine !== generation) return;
    showError(err);
  } finally {
    if (mine === generation) $('hits').classList.remove('loading');
  }
}

function showError(err) {
  const summary = $('summary');
  summary.textContent = err instanceof ApiError ? err.message : 'The server did not answer: ' + err.message;
  summary.classList.add('error');
  $('notes').replaceChildren();
  $('hits').replaceChildren();
  drawPager(null);
}

function syncControls() {
  const box = $('q');
  if (box.value !== state.q && document.activeElement !== box) box.value = state.q;
  $('any').checked = state.any;
  $('sort').value = state.sort;
  const chips = [];
  if (state.year) chips.push(chip('year ' + state.year, { year: '' }));
  if (state.publisher) chips.push(chip(state.publisher, { publisher: '' }));
  $('chips').replaceChildren(...chips);
  document.title = state.q ? state.q + ' · newsdex' : 'newsdex';
}

function chip(label, removal) {
  return el('button', { class: 'chip', type: 'button', title: 'Remove this filter',
    onclick: () => go({ ...removal, page: 1 }) }, label);
}

function drawChart(counts) {
  const chart = $('chart');
  const years = counts.buckets.filter((b) => b.key !== null);
  const most = Math.max(1, ...years.map((b) => b.articles));
  const columns = years.map((b) => {
    const column = el('button', {
      class: 'col' + (state.year === b.key ? ' on' : ''), type: 'button',
      title: b.key + ': ' + plural(b.articles, 'article'), 'aria-label': b.key + ': ' + plural(b.articles, 'article'),
      onclick: () => go({ year: state.year === b.key ? '' : b.key, page: 1 }),
    }, el('span'));
    column.firstChild.style.height = (b.articles === 0 ? 0 : Math.max(2, 100 * b.articles / most)) + '%';
    if (b.articles === 0) column.disabled = true;
    return column;
  });
  chart.replaceChildren(...columns);
  const axis = chart.nextElementSibling && chart.nextElementSibling.classList.contains('chart-axis')
    ? chart.nextElementSibling : chart.insertAdjacentElement('afterend', el('div', { class: 'chart-axis' }));
  axis.replaceChildren(el('span', {}, years.length ? years[0].key : ''),
    el('span', {}, years.length ? 'matching articles per year' : ''),
    el('span', {}, years.length > 1 ? years[years.length - 1].key : ''));
}

// A facet's buckets with articles in them, in `order`, as buttons that filter.
function drawFacet(id, counts, name, order) {
  const items = counts.buckets
    .filter((b) => b.key !== null && b.articles > 0)
    .sort(order)
    .slice(0, 40)
    .map((b) => el('li', {}, el('button', {
      type: 'button', class: state[name] === b.key ? 'on' : '',
      onclick: () => go({ [name]: state[name] === b.key ? '' : b.key, page: 1 }),
    }, el('span', {}, b.key), el('span', { class: 'n' }, b.articles.toLocaleString('en')))));
  $(id).replaceChildren(...items);
}

function drawResults(results, yearCounts) {
  const summary = $('summary');
  summary.classList.remove('error');
  const notes = [];
  if (!results) {
    summary.textContent = plural(yearCounts.total_articles, 'article') + ' in the archive. Type to search.';
    $('notes').replaceChildren();
    $('hits').replaceChildren();
    selected = -1;
    drawPager(null);
    return;
  }
  const first = results.offset + 1;
  const last = results.offset + results.hits.length;
  const matched = plural(results.total_hits, 'passage') + ' in ' + plural(results.total_articles, 'article');
  summary.textContent = results.hits.length
    ? results.understood + ': shown ' + first + '–' + last + ' of ' + matched
    : results.understood + ': ' + matched;
  if (results.relaxed) notes.push('No article has all the words; showing the best partial matches.');
  if (results.ignored.length) notes.push('Left out: ' + results.ignored.join(', ') + '.');
  if (results.expanded.length) notes.push('Also searched for: ' + results.expanded.join(', ') + '.');
  for (const note of results.notes) notes.push(note);
  $('notes').replaceChildren(...notes.map((n) => el('p', {}, n)));
  const hits = results.hits.map((hit, i) => drawHit(hit, i));
  if (!hits.length) {
    hits.push(el('li', { class: 'empty' }, results.total_hits
      ? 'No hits on this page: go back a page.'
      : 'Nothing matches. Try fewer words, “any of the words”, or remove a filter.'));
  }
  $('hits').replaceChildren(...hits);
  selected = -1;
  drawPager(results);
}

function drawHit(hit, i) {
  const a = hit.article;
  const href = articleUrl(a.id, hit.passage.ordinal);
  const open = (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button === 1) return;
    event.preventDefault();
    openArticle(a.id, hit.passage.ordinal);
  };
  const passage = el('p', { class: 'passage' }, marked(hit.passage.text, hit.passage.highlights));
  const before = hit.context_before.map((c) => el('p', { class: 'context' }, marked(c.text, c.highlights)));
  const after = hit.context_after.map((c) => el('p', { class: 'context' }, marked(c.text, c.highlights)));
  const copies = hit.also_in.length
    ? el('div', { class: 'copies', title: hit.also_in.map((c) => c.path).join('\n') },
      '+' + hit.also_in.length + (hit.also_in.length === 1 ? ' copy: ' : ' copies: ') +
      hit.also_in.slice(0, 3).map((c) => c.path).join(', ') + (hit.also_in.length > 3 ? ', …' : ''))
    : null;
  const item = el('li', { class: 'hit', 'data-index': String(i), 'data-id': a.id, onclick: open },
    el('h2', {}, el('a', { href, onclick: open }, marked(a.title || a.path, a.title ? a.title_highlights : []))),
    el('div', { class: 'meta' }, metaLine(a, '¶ ' + hit.passage.ordinal)),
    ...before, passage, ...after, copies);
  return item;
}

function drawPager(results) {
  const prev = $('prev');
  const next = $('next');
  if (!results || results.total_hits === 0) {
    prev.hidden = next.hidden = true;
    $('page').textContent = '';
    return;
  }
  prev.hidden = next.hidden = false;
  prev.disabled = state.page <= 1;
  next.disabled = results.hits.length < PER_PAGE || results.offset + results.hits.length >= results.total_hits;
  $('page').textContent = 'page ' + state.page;
}

// ---- The article -----------------------------------------------------------

function openArticle(id, p) {
  go({ article: id, p: p || 0 });
}

async function showArticle() {
  const mine = ++generation;
  if (controller) controller.abort();
  controller = new AbortController();
  const view = $('article');
  try {
    const full = await api('article', { id: state.article, q: state.q.trim() }, controller.signal);
    if (mine !== generation) return;
    const a = full.article;
    const items = full.passages.map((p) => el('li', {
      id: 'p' + p.ordinal, class: p.kind + (p.ordinal === state.p ? ' target' : ''),
    }, el('span', { class: 'ord' }, String(p.ordinal)), el('p', {}, marked(p.text, p.highlights))));
    const parts = [
      el('h1', {}, marked(a.title || a.path, a.title ? a.title_highlights : [])),
      el('div', { class: 'meta' }, metaLine(a, 'id ' + a.id)),
    ];
    if (a.tags.length) parts.push(el('div', { class: 'tags' }, 'Tags: ' + a.tags.join(', ')));
    parts.push(el('ol', {}, ...items));
    view.replaceChildren(...parts);
    document.title = (a.title || a.path) + ' · newsdex';
    const target = state.p && document.getElementById('p' + state.p);
    if (target) target.scrollIntoView({ block: 'center' });
    else window.scrollTo(0, 0);
    $('back').focus({ preventScroll: true });
  } catch (err) {
    if (err.name === 'AbortError' || mine !== generation) return;
    view.replaceChildren(el('p', { class: 'summary error' }, err.message));
  }
}

function backToResults() {
  if (history.state === null && document.referrer === '' && history.length <= 1) {
    go({ article: '', p: 0 });
  } else {
    history.back();
  }
}

// ---- Controls and keys -----------------------------------------------------

let timer = null;
function searchNow(how) {
  clearTimeout(timer);
  const q = $('q').value;
  if (q === state.q && !state.article) return;
  go({ q, page: 1, article: '', p: 0 }, how);
}

function hitElements() {
  return Array.from(document.querySelectorAll('#hits .hit'));
}

function select(index) {
  const hits = hitElements();
  if (!hits.length) return;
  selected = Math.max(0, Math.min(hits.length - 1, index));
  hits.forEach((h, i) => h.classList.toggle('selected', i === selected));
  hits[selected].scrollIntoView({ block: 'nearest' });
}

document.addEventListener('DOMContentLoaded', () => {
  state = fromUrl();
  const box = $('q');
  box.value = state.q;
  box.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => searchNow('type'), DEBOUNCE_MS);
  });
  $('form').addEventListener('submit', (event) => {
    event.preventDefault();
    searchNow('enter');
  });
  $('any').addEventListener('change', (e) => go({ any: e.target.checked, page: 1 }));
  $('sort').addEventListener('change', (e) => go({ sort: e.target.value, page: 1 }));
  $('prev').addEventListener('click', () => { go({ page: Math.max(1, state.page - 1) }); window.scrollTo(0, 0); });
  $('next').addEventListener('click', () => { go({ page: state.page + 1 }); window.scrollTo(0, 0); });
  $('back').addEventListener('click', backToResults);
  $('home').addEventListener('click', (e) => { e.preventDefault(); go({ ...DEFAULTS }); });
  document.addEventListener('keydown', (event) => {
    const typing = event.target === box || event.target.tagName === 'SELECT';
    if (event.key === '/' && !typing) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (event.key === 'Escape') {
      if (state.article) backToResults();
      else if (event.target === box) box.blur();
    } else if (state.article || event.altKey || event.ctrlKey || event.metaKey) {
      // The article view scrolls with the usual keys.
    } else if (event.key === 'ArrowDown' || (event.key === 'j' && !typing)) {
      event.preventDefault();
      if (event.target === box) box.blur();
      select(selected + 1);
    } else if (event.key === 'ArrowUp' || (event.key === 'k' && !typing)) {
      event.preventDefault();
      if (selected <= 0 && event.key === 'ArrowUp') { selected = -1; box.focus(); hitElements().forEach((h) => h.classList.remove('selected')); return; }
      select(selected - 1);
    } else if (event.key === 'Enter' && !typing && selected >= 0) {
      const hit = hitElements()[selected];
      if (hit) hit.querySelector('h2 a').click();
    }
  });
  render();
  api('status', {}).then((s) => {
    $('status').textContent = plural(s.articles, 'article') + ', ' + plural(s.passages, 'passage') +
      ' · updated ' + (s.updated_at || 'never');
  }).catch(() => {});
});
