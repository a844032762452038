/* SIPAS /entry: keyboard-first entry of paper sheets. Without this script the page is a plain
   form: Enter posts it, the server answers with the empty form or the problems beside the fields.
   With it: Enter on the sheet number and the date moves on, each answer takes one digit and moves
   to the next question, a wrong digit is refused at once (said by screen readers), questions the
   routing skips are hidden and disabled, and Enter saves without reloading the page. */
(function () {
  'use strict';
  var form = document.getElementById('entry-form');
  if (!form) return;
  var live = document.getElementById('entry-live');
  var countEl = document.getElementById('entry-count-n');
  var countInput = document.getElementById('count');
  var sheet = document.getElementById('sheet');
  var date = document.getElementById('survey_date');
  var questions = Array.prototype.slice.call(form.querySelectorAll('.entry-q'));
  var saving = false;

  function say(text) {
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 30);
  }
  function inputOf(q) { return q.querySelector('input'); }
  function fields() {
    return [sheet, date].concat(questions.map(inputOf)).filter(function (i) { return !i.disabled; });
  }
  function next(from) {
    var all = fields();
    var i = all.indexOf(from);
    var to = all[i + 1];
    if (to) { to.focus(); if (to.select) to.select(); }
  }
  function digitOf(code) {
    var i = document.getElementById(code);
    return i && !i.disabled ? i.value : '';
  }
  /* Routing: data-show-if="question=digit;…" on each question block. */
  function route() {
    questions.forEach(function (q) {
      var rule = q.getAttribute('data-show-if');
      if (!rule) return;
      var shown = rule.split(';').every(function (c) {
        var kv = c.split('=');
        return digitOf(kv[0]) === kv[1];
      });
      var input = inputOf(q);
      q.hidden = !shown;
      input.disabled = !shown;
      if (!shown) input.value = '';
    });
  }
  function clearProblems() {
    Array.prototype.forEach.call(form.querySelectorAll('.err'), function (e) { e.parentNode.removeChild(e); });
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid]'), function (e) {
      e.removeAttribute('aria-invalid');
      e.setAttribute('aria-describedby', e.id + '-hint');
    });
    Array.prototype.forEach.call(document.querySelectorAll('.error-summary, .notice'), function (e) { e.hidden = true; });
  }
  function problem(input, text) {
    var span = document.createElement('span');
    span.className = 'err';
    span.id = input.id + '-err';
    span.textContent = text;
    input.parentNode.insertBefore(span, input);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', input.id + '-hint ' + span.id);
  }
  function validDate(text) {
    var t = text.trim(), d, m, y, parts;
    if (/^\d{8}$/.test(t)) { d = +t.slice(0, 2); m = +t.slice(2, 4); y = +t.slice(4); }
    else if (/^\d{4}-\d{2}-\d{2}$/.test(t)) { parts = t.split('-'); y = +parts[0]; m = +parts[1]; d = +parts[2]; }
    else if (/^\d{1,2}[\/.\-]\d{1,2}[\/.\-]\d{4}$/.test(t)) { parts = t.split(/[\/.\-]/); d = +parts[0]; m = +parts[1]; y = +parts[2]; }
    else return false;
    var dt = new Date(y, m - 1, d);
    return dt.getFullYear() === y && dt.getMonth() === m - 1 && dt.getDate() === d;
  }

  sheet.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    if (/^\s*\S+-\d+\s*$/.test(sheet.value)) next(sheet);
    else say('Số phiếu chưa đúng dạng mã đơn vị-số thứ tự, ví dụ phuoc-son-000123.');
  });
  date.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    if (validDate(date.value)) next(date);
    else say('Ngày khảo sát chưa đúng: gõ 8 chữ số ngày tháng năm, ví dụ 02112026.');
  });
  date.addEventListener('input', function () {
    if (/^\d{8}$/.test(date.value)) {
      if (validDate(date.value)) next(date);
      else say('Ngày ' + date.value + ' không có thật. Xin gõ lại.');
    }
  });
  questions.forEach(function (q) {
    var input = inputOf(q);
    if (!input.classList.contains('digit')) {
      input.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter') { ev.preventDefault(); save(); }
      });
      return;
    }
    var max = +input.getAttribute('data-max');
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter') { ev.preventDefault(); save(); return; }
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.key.length !== 1) return;
      ev.preventDefault();
      var n = /^\d$/.test(ev.key) ? +ev.key : -1;
      if (n < 0 || n > max) {
        say('Câu ' + input.id + ': chỉ nhận số từ 1 đến ' + max + ', hoặc 0 nếu không trả lời.');
        return;
      }
      input.value = String(n);
      route();
      next(input);
    });
  });

  function save() {
    if (saving) return;
    route();
    saving = true;
    var body = new URLSearchParams(new FormData(form));
    var csrf = form.querySelector('input[name=csrf]').value;
    fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'X-CSRF-Token': csrf },
      body: body
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, body: j }; });
    }).then(function (res) {
      saving = false;
      clearProblems();
      if (res.ok) {
        var n = (+countInput.value || 0) + 1;
        countInput.value = String(n);
        countEl.textContent = String(n);
        form.reset();
        countInput.value = String(n);
        route();
        say('Đã lưu phiếu ' + res.body.sheet + '. Đã nhập ' + n + ' phiếu. Mời nhập phiếu tiếp theo.');
        sheet.focus();
        return;
      }
      var err = res.body.error || {};
      var first = null;
      (err.fields || []).forEach(function (f) {
        var input = document.getElementById(f.field);
        if (input) { problem(input, f.message); first = first || input; }
      });
      if (!first) { problem(sheet, err.message || 'Chưa lưu được phiếu.'); first = sheet; }
      var n = (err.fields || []).length;
      say('Chưa lưu được phiếu. ' + (n > 1 ? n + ' chỗ cần sửa. ' : '') + ((err.fields && err.fields[0]) ? err.fields[0].message : (err.message || '')));
      first.focus();
    }).catch(function () {
      saving = false;
      say('Không gửi được phiếu (mất kết nối?). Nhấn Enter để thử lại.');
    });
  }
  form.addEventListener('submit', function (ev) { ev.preventDefault(); save(); });
  route();
})();
