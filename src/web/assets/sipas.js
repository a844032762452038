/* SIPAS citizen pages: progressive enhancement. Without this script the form posts as usual and
   the server answers with the thank-you page or the errors.
   With it, an answer goes to an outbox in localStorage first and is sent from there, again and
   again until the server has it (idempotent by client_id); kiosks reset for the next citizen. */
(function () {
  'use strict';
  var KEY = 'sipas-outbox';
  var MSG = {
    sending: 'Đang gửi…',
    saved: 'Cảm ơn ông/bà! Ý kiến đã được gửi.',
    failed: 'Không gửi được phiếu này.',
    offline: 'Chưa gửi được vì mất kết nối.',
    busy: 'Chưa gửi được vì hệ thống đang bận.',
    kept: ' Câu trả lời đã được lưu trên máy này và sẽ tự động gửi khi có mạng.',
    keptBusy: ' Câu trả lời đã được lưu trên máy này và sẽ tự động gửi lại sau.',
    page: ' Xin đừng đóng trang này: câu trả lời sẽ tự động gửi lại.'
  };
  var $ = function (sel) { return document.querySelector(sel); };
  var form = $('form[data-outbox]');
  var kiosk = !!form && form.classList.contains('kiosk');
  var idInput = form && form.querySelector('input[name=client_id]');
  var button = form && form.querySelector('button[type=submit]');
  var status = $('#outbox-status');
  var thanks = $('#thanks');
  var progressEl = $('#progress');
  var summary = $('.error-summary');
  var warning = $('#idle-warning');
  var count = $('#idle-count');
  var cont = $('#idle-continue');
  var heading = $('h1');
  var REVIEW = /^Cần xem lại – /;
  var baseTitle = document.title.replace(REVIEW, '');
  // Kiosk: one section per screen.
  var steps = kiosk ? Array.prototype.slice.call(form.querySelectorAll('section.step')) : [];
  var current = null;
  var submitter = null;
  var mem = null; // the outbox, when localStorage cannot be used
  var busy = false, again = false, retry = 0, attempt = 0;
  var state = ''; // of this page's answer: '', sending, saved, queued, failed
  var thanksTimer = 0, idleTimer = 0, tickTimer = 0, deadline = 0, touched = false, before = null;

  // ---- the outbox ---------------------------------------------------------------------------
  function load() {
    if (mem) return mem.slice();
    var raw;
    try { raw = localStorage.getItem(KEY); } catch (e) { mem = []; return []; }
    try { var list = JSON.parse(raw || '[]'); return Array.isArray(list) ? list : []; } catch (e) { return []; }
  }
  function save(list) {
    if (!mem) {
      try { localStorage.setItem(KEY, JSON.stringify(list)); return; } catch (e) { /* full or off */ }
    }
    mem = list.slice();
  }
  function without(list, id) { return list.filter(function (i) { return i.client_id !== id; }); }
  function put(item) { var list = without(load(), item.client_id); list.push(item); save(list); }
  function drop(id) { save(without(load(), id)); }
  function has(id) { return load().some(function (i) { return i.client_id === id; }); }

  function send(item) {
    var ctl = window.AbortController ? new AbortController() : null;
    var t = ctl && setTimeout(function () { ctl.abort(); }, 30000);
    var done = function () { clearTimeout(t); };
    return fetch(item.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/json' },
      body: item.body,
      credentials: 'same-origin',
      signal: ctl ? ctl.signal : undefined
    }).then(function (r) { done(); return r; }, function (e) { done(); throw e; });
  }

  function retryAfter(res) {
    var h = res.headers.get('Retry-After');
    if (!h) return 0;
    var ms = /^\d+$/.test(h.trim()) ? Number(h) * 1000 : Date.parse(h) - Date.now();
    return ms > 0 ? Math.min(ms, 3600000) : 0;
  }

  // Sends every item, oldest first; stops at the first that must wait.
  async function pass() {
    var tried = {};
    for (;;) {
      var item = load().filter(function (i) { return !tried[i.client_id]; })[0];
      if (!item) { attempt = 0; return; }
      tried[item.client_id] = true;
      var res, data = null;
      try { res = await send(item); } catch (e) { return later(0, 'offline'); }
      try { data = await res.json(); } catch (e) { /* not JSON */ }
      var s = res.status;
      // This page's answer? (A kiosk may have moved on to the next citizen meanwhile.)
      var mine = !!form && item.client_id === clientId();
      if ((s === 200 || s === 201) && data && data.id) {
        drop(item.client_id);
        if (mine) saved();
      } else if (s < 400) {
        // Not our server's answer (a captive portal, a proxy): keep it.
        return later(0, 'offline');
      } else if (s === 408 || s === 429 || s >= 500) {
        return later(retryAfter(res), 'busy');
      } else {
        drop(item.client_id);
        if (mine && s === 422) {
          // The server shows the errors beside the questions.
          HTMLFormElement.prototype.submit.call(form);
          return;
        }
        if (mine) failed(data && data.error && data.error.message);
      }
    }
  }

  function later(wait, reason) {
    var d = Math.min(60000, 2000 * Math.pow(2, Math.min(attempt++, 6)) * (0.75 + Math.random() * 0.5));
    clearTimeout(retry);
    retry = setTimeout(flush, Math.max(d, wait));
    if (form && (state === 'sending' || state === 'queued') && has(clientId())) queued(reason);
  }

  // One sender at a time: across tabs with Web Locks (secure contexts), else within the page.
  function flush() {
    if (busy) { again = true; return; }
    busy = true;
    clearTimeout(retry);
    var run = navigator.locks && navigator.locks.request
      ? navigator.locks.request(KEY, pass).catch(function () { return pass(); })
      : pass();
    Promise.resolve(run).catch(function () { later(0, 'offline'); }).then(function () {
      busy = false;
      if (again) { again = false; flush(); }
    });
  }

  // ---- this page's form ---------------------------------------------------------------------
  function seconds(name, d) {
    var n = Number(form.getAttribute('data-' + name + '-seconds'));
    return n > 0 ? n : d;
  }

  function clientId() { return idInput ? idInput.value : ''; }

  function setStatus(st, text) {
    if (!status) return;
    if (st) status.setAttribute('data-state', st); else status.removeAttribute('data-state');
    status.textContent = text;
  }

  function queued(reason) {
    state = 'queued';
    setStatus('queued', MSG[reason] + (mem ? MSG.page : reason === 'busy' ? MSG.keptBusy : MSG.kept));
    // The answer is safe on this kiosk: thank the citizen and make room for the next one.
    if (kiosk) showThanks();
  }

  function saved() {
    state = 'saved';
    setStatus('saved', MSG.saved);
    showThanks();
  }

  function failed(message) {
    state = 'failed';
    setStatus('failed', message || MSG.failed);
  }

  function showThanks() {
    if (!thanks || !thanks.hidden) return;
    document.title = 'Cảm ơn ông/bà – ' + baseTitle;
    form.hidden = true;
    if (summary) summary.hidden = true;
    thanks.hidden = false;
    window.scrollTo(0, 0);
    thanks.focus();
    if (kiosk) thanksTimer = setTimeout(reset, seconds('thanks', 8) * 1000);
  }

  function onSubmit(ev) {
    ev.preventDefault();
    if (state === 'sending' || state === 'queued' || state === 'saved') return;
    if (steps.length && !stepsComplete()) return;
    submitter = ev.submitter || button;
    var body = new URLSearchParams(new FormData(form)).toString();
    put({ client_id: clientId(), url: form.action, body: body, queued_at: new Date().toISOString() });
    state = 'sending';
    var focused = document.activeElement === submitter;
    if (submitter) submitter.disabled = true;
    setStatus('sending', MSG.sending);
    // The disabled button loses focus: keep it where the news is.
    if (focused && status) status.focus();
    attempt = 0;
    flush();
  }

  // "Đã trả lời 3/19 câu", counting only the questions shown (routing hides some), and the
  // legends renumbered the same way.
  function progress() {
    if (!progressEl || form.hidden) return;
    var shown = Array.prototype.filter.call(form.querySelectorAll('fieldset[id^="q-"]'), isShown);
    var done = 0;
    shown.forEach(function (f, i) {
      var n = f.querySelector('.qn');
      if (n) n.textContent = 'Câu ' + (i + 1) + '/' + shown.length;
      var link = summary && summary.querySelector('a[href="#' + f.id + '"]');
      if (link) link.textContent = link.textContent.replace(/^Câu \d+/, 'Câu ' + (i + 1));
      if (f.querySelector('input:checked')) done++;
    });
    progressEl.textContent = 'Đã trả lời ' + done + '/' + shown.length + ' câu';
    progressEl.hidden = false;
  }

  // A v4 UUID (crypto.randomUUID is missing on plain http).
  function uuid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // ---- kiosk: a fresh form for the next citizen ----------------------------------------------

  function reset() {
    if (state === 'sending') { arm(); return; }
    clearTimeout(thanksTimer);
    form.reset();
    Array.prototype.forEach.call(form.querySelectorAll('input[type=radio]'), function (r) {
      r.checked = false;
      r.defaultChecked = false;
    });
    Array.prototype.forEach.call(form.querySelectorAll('textarea'), function (t) {
      t.value = '';
      t.defaultValue = '';
    });
    Array.prototype.forEach.call(document.querySelectorAll('.error-summary, .err'), function (e) {
      e.parentNode.removeChild(e);
    });
    Array.prototype.forEach.call(form.querySelectorAll('.invalid'), function (f) {
      f.classList.remove('invalid');
      f.removeAttribute('aria-describedby');
    });
    Array.prototype.forEach.call(form.querySelectorAll('.step-error'), function (e) {
      e.parentNode.removeChild(e);
    });
    summary = null;
    document.title = baseTitle;
    if (idInput) idInput.value = uuid();
    state = '';
    setStatus('', '');
    if (button) button.disabled = false;
    if (submitter) submitter.disabled = false;
    if (thanks) thanks.hidden = true;
    form.hidden = false;
    hideWarning();
    touched = false;
    window.scrollTo(0, 0);
    if (steps.length) show(steps[0], false);
    if (heading) heading.focus();
    progress();
    arm();
  }

  function arm() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(warn, seconds('idle', 90) * 1000);
  }

  function warn() {
    // Nothing to clear (untouched, or the thank-you screen, which resets itself), or an answer
    // on its way: wait again.
    if (!touched || form.hidden || state === 'sending' || !warning) { arm(); return; }
    before = document.activeElement;
    warning.hidden = false;
    deadline = Date.now() + seconds('warning', 30) * 1000;
    tick();
    if (cont) cont.focus();
  }

  function tick() {
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    if (count) count.textContent = left;
    if (left > 0) { tickTimer = setTimeout(tick, 250); return; }
    if (state === 'sending') { hideWarning(); arm(); } else reset();
  }

  function hideWarning() {
    clearTimeout(tickTimer);
    if (warning) warning.hidden = true;
  }

  function activity() {
    if (warning && !warning.hidden) return; // only the button says "still here"
    touched = true;
    arm();
  }

  // ---- kiosk: one section per screen ----------------------------------------------------------

  // Routing as the script sees it: `data-when="question=option …"` on a section or a question.
  function holds(el) {
    return el.getAttribute('data-when').split(' ').every(function (c) {
      var i = c.indexOf('=');
      var r = form.querySelector('input[name="' + c.slice(0, i) + '"]:checked');
      return !!r && r.value === c.slice(i + 1);
    });
  }
  function routedAway(el) {
    for (var e = el; e && e !== form; e = e.parentElement) {
      if (e.hasAttribute('data-when') && !holds(e)) return true;
    }
    return false;
  }
  // A question counts when the routing shows it (on a kiosk also in the sections not on screen).
  function isShown(f) { return steps.length ? !routedAway(f) : f.getClientRects().length > 0; }
  function shownSteps() { return steps.filter(function (s) { return !routedAway(s); }); }

  function show(step, focus) {
    var list = shownSteps();
    if (!list.length) return;
    if (list.indexOf(step) < 0) step = list[0];
    current = step;
    var at = list.indexOf(step), last = at === list.length - 1;
    steps.forEach(function (s) {
      s.hidden = s !== step;
      var nav = s.querySelector('.step-nav'), next = nav && nav.querySelector('.step-next');
      if (!nav || !next) return;
      nav.hidden = s !== step;
      nav.querySelector('.step-back').hidden = s !== step || at === 0;
      var isLast = s === step && last;
      next.type = isLast ? 'submit' : 'button';
      next.textContent = isLast ? 'Gửi' : 'Tiếp';
    });
    list.forEach(function (s, i) {
      var n = s.querySelector('.step-n');
      if (n) n.textContent = 'Phần ' + (i + 1) + '/' + list.length;
    });
    var plain = form.querySelector('p.submit');
    if (plain) plain.hidden = true;
    // The form's introduction on the first section only: the others need the room.
    var intro = document.querySelector('p.intro');
    if (intro) intro.hidden = at !== 0;
    progress();
    if (focus) {
      window.scrollTo(0, 0);
      var h = step.querySelector('h2');
      if (h) h.focus();
    }
  }

  // The required questions of a section left unanswered.
  function missing(step) {
    return Array.prototype.filter.call(step.querySelectorAll('fieldset[data-required]'), function (f) {
      return !routedAway(f) && !f.querySelector('input:checked');
    });
  }

  // Says which required questions of the section are missing; false when there are some.
  function checkStep(step) {
    var gaps = missing(step);
    var msg = step.querySelector('.step-error');
    if (!gaps.length) { if (msg) msg.parentNode.removeChild(msg); return true; }
    if (!msg) {
      msg = document.createElement('p');
      msg.className = 'step-error err';
      msg.setAttribute('role', 'alert');
      msg.tabIndex = -1;
      var h = step.querySelector('h2');
      step.insertBefore(msg, h ? h.nextSibling : step.firstChild);
    }
    var names = gaps.map(function (f) {
      var n = f.querySelector('.qn');
      return n ? n.textContent.split('/')[0] : '';
    }).filter(Boolean);
    msg.textContent = 'Xin trả lời ' + (gaps.length > 1 ? gaps.length + ' câu bắt buộc' : 'câu bắt buộc') +
      (names.length ? ' (' + names.join(', ') + ')' : '') + ' trước khi sang phần tiếp theo.';
    gaps.forEach(function (f) { f.classList.add('invalid'); });
    msg.focus();
    return false;
  }

  // Before sending: every section shown is complete, else the first that is not comes back.
  function stepsComplete() {
    var list = shownSteps();
    for (var i = 0; i < list.length; i++) {
      if (missing(list[i]).length) {
        if (list[i] !== current) show(list[i], false);
        checkStep(list[i]);
        return false;
      }
    }
    return true;
  }

  function move(by) {
    var list = shownSteps(), at = list.indexOf(current);
    if (by > 0 && !checkStep(current)) return;
    var to = list[at + by];
    if (to) show(to, true);
  }

  function startSteps() {
    steps.forEach(function (s) {
      var back = s.querySelector('.step-back'), next = s.querySelector('.step-next');
      if (back) back.addEventListener('click', function () { move(-1); });
      if (next) next.addEventListener('click', function () { if (next.type !== 'submit') move(1); });
    });
    form.addEventListener('change', function (ev) {
      var f = ev.target.closest && ev.target.closest('fieldset');
      if (f && f.querySelector('input:checked') && !f.querySelector('.err')) f.classList.remove('invalid');
      var msg = current && current.querySelector('.step-error');
      if (msg && !missing(current).length) msg.parentNode.removeChild(msg);
      // An answer may bring in or take out a later section (routing): renumber.
      show(current, false);
    });
    // The error summary's links open the section of their question.
    document.addEventListener('click', function (ev) {
      var a = ev.target.closest && ev.target.closest('.error-summary a[href^="#"]');
      var target = a && document.getElementById(a.getAttribute('href').slice(1));
      var step = target && target.closest('section.step');
      if (step) show(step, false);
    });
    var invalid = form.querySelector('.invalid');
    show(invalid ? invalid.closest('section.step') : steps[0], false);
  }

  // ---- start ---------------------------------------------------------------------------------
  window.addEventListener('online', function () { attempt = 0; flush(); });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && load().length) flush();
  });
  if (summary) summary.focus();
  if (form) {
    form.addEventListener('submit', onSubmit);
    form.addEventListener('change', progress);
    if (steps.length) startSteps();
    progress();
  }
  if (kiosk) {
    ['pointerdown', 'keydown', 'input', 'change', 'touchstart', 'wheel'].forEach(function (t) {
      document.addEventListener(t, activity, { passive: true, capture: true });
    });
    if (cont) {
      cont.addEventListener('click', function () {
        hideWarning();
        arm();
        if (before && before.focus && document.contains(before)) before.focus();
      });
    }
    if (warning) {
      // A modal: focus stays on its one button; Escape means "more time".
      warning.addEventListener('keydown', function (ev) {
        if (ev.key === 'Tab') { ev.preventDefault(); if (cont) cont.focus(); }
        if (ev.key === 'Escape' && cont) cont.click();
      });
    }
    arm();
  }
  // Answers left by an earlier page are sent too.
  if (load().length) flush();
})();
