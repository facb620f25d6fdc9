// Renders Lark message cards (JSON 2.0, and the common 1.0 shapes) and Lark-flavoured markdown into DOM nodes.
// Interaction goes through ctx.onAction({ value, name, tag, formValue, option }) which returns a promise.

export function escapeHtml(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** A link the page may open: http(s) only (a message or card could carry javascript: or data: URLs). */
export function safeUrl(url) {
  try {
    const u = new URL(String(url ?? ''), window.location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** Lark markdown subset: bold, italic, strike, links, <at>, <font color>, code, headings, lists, line breaks. */
export function mdToHtml(text, userName = (id) => id) {
  let s = escapeHtml(text);
  s = s.replace(/&lt;at (?:id|user_id|open_id|email)=(?:&quot;|&#39;)?([^&\s]+?)(?:&quot;|&#39;)?&gt;(.*?)&lt;\/at&gt;/g, (_, id, name) =>
    `<span class="at">@${name || (id === 'all' ? '所有人' : escapeHtml(userName(id)))}</span>`);
  s = s.replace(/&lt;font color=(?:&quot;|&#39;)?([a-z-]+)(?:&quot;|&#39;)?&gt;(.*?)&lt;\/font&gt;/g, (_, c, t) => `<span style="color:${fontColor(c)}">${t}</span>`);
  s = s.replace(/&lt;text_tag color=(?:&quot;|&#39;)?([a-z-]+)(?:&quot;|&#39;)?&gt;(.*?)&lt;\/text_tag&gt;/g, (_, c, t) => `<span style="color:${fontColor(c)};border:1px solid;border-radius:3px;padding:0 4px;font-size:12px">${t}</span>`);
  s = s.replace(/`([^`]+)`/g, '<code>$1</code>');
  s = s.replace(/\*\*(.+?)\*\*/g, '<b>$1</b>');
  s = s.replace(/~~(.+?)~~/g, '<s>$1</s>');
  s = s.replace(/(^|[^*])\*([^*\n]+)\*/g, '$1<i>$2</i>');
  s = s.replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noreferrer">$1</a>');
  const lines = s.split('\n').map((line) => {
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) return `<b style="font-size:${18 - h[1].length}px">${h[2]}</b>`;
    if (/^\s*[-*]\s+/.test(line)) return `• ${line.replace(/^\s*[-*]\s+/, '')}`;
    return line;
  });
  return lines.join('<br>');
}

function fontColor(c) {
  const map = { red: '#f54a45', green: '#2ea121', grey: '#8f959e', gray: '#8f959e', blue: '#245bdb', orange: '#de7802', yellow: '#d4b106', purple: '#7f3bf5', violet: '#d136d1', indigo: '#4954e6', turquoise: '#14c0b4', carmine: '#d83931', wathet: '#4fc3f7' };
  return map[c] ?? c;
}

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'html') node.innerHTML = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of [].concat(children)) if (c) node.append(c);
  return node;
}

function textOf(t) {
  if (!t) return '';
  if (typeof t === 'string') return t;
  return t.content ?? t.i18n?.zh_cn ?? (t.i18n_content && (t.i18n_content.zh_cn ?? Object.values(t.i18n_content)[0])) ?? '';
}

function textNode(t, ctx) {
  if (!t) return null;
  const content = textOf(t);
  if (t.tag === 'lark_md' || t.tag === 'markdown') return el('div', { class: 'card-md', html: mdToHtml(content, ctx.userName) });
  return el('div', { text: content });
}

function callbackValue(b) {
  const cb = (b.behaviors ?? []).find((x) => x.type === 'callback');
  if (cb) return cb.value ?? {};
  if (b.value !== undefined) return b.value; // card 1.0
  return undefined;
}

function openUrl(b) {
  const o = (b.behaviors ?? []).find((x) => x.type === 'open_url');
  return safeUrl(o?.default_url ?? o?.pc_url ?? b.url ?? b.multi_url?.url);
}

/** Values of the named components inside a form, in Lark's form_value format. */
function collectForm(form) {
  const out = {};
  for (const field of form.querySelectorAll('[data-name]')) {
    const name = field.dataset.name;
    const kind = field.dataset.kind;
    if (kind === 'multi') out[name] = [...field.querySelectorAll('input:checked')].map((i) => i.value);
    else if (kind === 'checker') out[name] = field.checked;
    else if (kind === 'date') { if (field.value) out[name] = `${field.value} +0800`; }
    else if (kind === 'time') { if (field.value) out[name] = `${field.value} +0800`; }
    else if (kind === 'datetime') { if (field.value) out[name] = `${field.value.replace('T', ' ')} +0800`; }
    else if (field.value !== '') out[name] = field.value;
  }
  return out;
}

function missingRequired(form) {
  return [...form.querySelectorAll('[data-required="1"]')].filter((f) => {
    if (f.dataset.kind === 'multi') return f.querySelectorAll('input:checked').length === 0;
    if (f.dataset.kind === 'checker') return !f.checked;
    return !f.value;
  });
}

function labelled(label, control, required) {
  return el('label', { class: 'input-row' }, [label ? el('span', { class: required ? 'required' : '', text: label }) : null, control]);
}

function renderButton(b, ctx, form) {
  const type = b.type ?? 'default';
  const btn = el('button', { type: 'button', class: `btn ${type}`, disabled: b.disabled, text: textOf(b.text) || '按钮', 'data-name': b.name });
  btn.addEventListener('click', async () => {
    const confirm = b.confirm;
    if (confirm && !window.confirm(`${textOf(confirm.title)}\n${textOf(confirm.text)}`)) return;
    if (form && b.form_action_type === 'reset') { form.reset(); return; }
    const url = openUrl(b);
    const value = callbackValue(b);
    let formValue;
    if (form && b.form_action_type === 'submit') {
      const missing = missingRequired(form);
      const err = form.querySelector('.form-error');
      if (missing.length) { err.textContent = '请填写必填项'; missing[0].focus(); return; }
      err.textContent = '';
      formValue = collectForm(form);
    }
    if (url && value === undefined && !formValue) { window.open(url, '_blank'); return; }
    btn.disabled = true;
    try {
      await ctx.onAction({ value: value ?? {}, name: b.name, tag: 'button', formValue });
    } finally {
      btn.disabled = !!b.disabled;
    }
  });
  return btn;
}

function renderSelect(e, ctx, form) {
  const select = el('select', { 'data-name': form ? e.name : undefined, 'data-required': e.required ? '1' : undefined });
  select.append(el('option', { value: '', text: textOf(e.placeholder) || '请选择' }));
  for (const o of e.options ?? []) select.append(el('option', { value: o.value, text: textOf(o.text) || o.value, selected: o.value === e.initial_option }));
  if (!form) {
    select.addEventListener('change', () => ctx.onAction({ value: callbackValue(e) ?? {}, name: e.name, tag: e.tag, option: select.value }));
  }
  return labelled(textOf(e.label), select, e.required);
}

function renderMultiSelect(e, form) {
  const box = el('div', { 'data-name': e.name, 'data-kind': 'multi', 'data-required': e.required ? '1' : undefined });
  for (const o of e.options ?? []) {
    box.append(el('label', { style: 'display:inline-flex;gap:4px;margin-right:10px' }, [
      el('input', { type: 'checkbox', value: o.value, checked: (e.selected_values ?? []).includes(o.value) }),
      el('span', { text: textOf(o.text) || o.value }),
    ]));
  }
  void form;
  return labelled(textOf(e.label) || textOf(e.placeholder), box, e.required);
}

/**
 * A chart element, drawn as Lark draws it: the card's chart_spec handed to VChart (the page loads
 * its browser bundle as the global VChart). Without VChart, the data as a table.
 */
function renderChart(e) {
  const spec = e.chart_spec ?? {};
  const VC = globalThis.VChart?.default ?? globalThis.VChart?.VChart;
  if (VC) {
    const box = el('div', { class: 'card-chart' });
    box.style.width = '100%';
    box.style.height = '280px';
    // Draw once the element is in the page (VChart measures its container).
    requestAnimationFrame(() => {
      try {
        new VC(spec, { dom: box, animation: false }).renderSync();
      } catch (err) {
        box.replaceWith(chartTable(spec, `图表无法绘制（${err.message}），以表格显示数据`));
      }
    });
    return box;
  }
  return chartTable(spec, '以表格显示数据');
}

function chartTable(spec, note) {
  const data = Array.isArray(spec.data) ? spec.data.flatMap((d) => d.values ?? []) : spec.data?.values ?? [];
  const title = spec.title?.text ?? '图表';
  const wrap = el('div', {}, [el('div', { class: 'chart-title', text: `图表：${title}（${note}）` })]);
  if (!data.length) { wrap.append(el('div', { class: 'note', text: '（无数据）' })); return wrap; }
  const keys = [...new Set(data.flatMap((r) => Object.keys(r)))];
  wrap.append(el('table', {}, [
    el('tr', {}, keys.map((k) => el('th', { text: k }))),
    ...data.map((r) => el('tr', {}, keys.map((k) => el('td', { text: r[k] === undefined ? '' : String(r[k]) })))),
  ]));
  return wrap;
}

function renderTable(e) {
  const cols = e.columns ?? [];
  return el('table', {}, [
    el('tr', {}, cols.map((c) => el('th', { text: c.display_name ?? c.name }))),
    ...(e.rows ?? []).map((r) => el('tr', {}, cols.map((c) => {
      const v = r[c.name];
      const s = Array.isArray(v) ? v.map((x) => x.text ?? x).join('、') : typeof v === 'object' && v ? JSON.stringify(v) : v;
      return el('td', { text: s === undefined ? '' : String(s) });
    }))),
  ]);
}

function renderElements(list, ctx, form) {
  return (list ?? []).map((e) => renderElement(e, ctx, form)).filter(Boolean);
}

function renderElement(e, ctx, form) {
  if (!e || typeof e !== 'object') return null;
  switch (e.tag) {
    case 'markdown':
    case 'lark_md':
      return el('div', { class: 'card-md', style: e.text_align ? `text-align:${e.text_align}` : undefined, html: mdToHtml(e.content ?? textOf(e.text), ctx.userName) });
    case 'plain_text':
      return el('div', { text: textOf(e) });
    case 'div': {
      const node = el('div', {}, [textNode(e.text, ctx)]);
      if (e.fields?.length) node.append(el('div', { class: 'fields' }, e.fields.map((f) => el('div', { class: f.is_short ? '' : 'full' }, [textNode(f.text, ctx)]))));
      if (e.extra) node.append(renderElement(e.extra, ctx, form));
      return node;
    }
    case 'hr':
      return el('hr');
    case 'note':
      return el('div', { class: 'note' }, renderElements(e.elements, ctx, form));
    case 'column_set':
      return el('div', { class: 'cols' }, (e.columns ?? []).map((c) =>
        el('div', { class: 'col', style: `flex:${c.width === 'auto' ? '0 0 auto' : (c.weight ?? 1)}` }, renderElements(c.elements, ctx, form))));
    case 'action':
      return el('div', { class: 'actions' }, renderElements(e.actions, ctx, form));
    case 'button':
      return renderButton(e, ctx, form);
    case 'form': {
      const f = el('form', { class: 'card-form', 'data-form-name': e.name, onsubmit: (ev) => ev.preventDefault() });
      f.addEventListener('input', () => { const err = f.querySelector('.form-error'); if (err) err.textContent = ''; });
      f.append(...renderElements(e.elements, ctx, f), el('div', { class: 'form-error' }));
      return f;
    }
    case 'input': {
      const multiline = e.input_type === 'multiline_text';
      const control = el(multiline ? 'textarea' : 'input', {
        'data-name': e.name,
        'data-required': e.required ? '1' : undefined,
        placeholder: textOf(e.placeholder),
        type: multiline ? undefined : e.input_type === 'password' ? 'password' : 'text',
        maxlength: e.max_length,
        rows: multiline ? (e.rows ?? 3) : undefined,
      });
      if (e.default_value) control.value = e.default_value;
      return labelled(textOf(e.label), control, e.required);
    }
    case 'select_static':
    case 'select_person':
      return renderSelect(e, ctx, form);
    case 'multi_select_static':
    case 'multi_select_person':
      return renderMultiSelect(e, form);
    case 'date_picker':
      return labelled(textOf(e.placeholder) || '日期', el('input', { type: 'date', 'data-name': e.name, 'data-kind': 'date', 'data-required': e.required ? '1' : undefined, value: e.initial_date }), e.required);
    case 'picker_time':
      return labelled(textOf(e.placeholder) || '时间', el('input', { type: 'time', 'data-name': e.name, 'data-kind': 'time', 'data-required': e.required ? '1' : undefined, value: e.initial_time }), e.required);
    case 'picker_datetime':
      return labelled(textOf(e.placeholder) || '日期时间', el('input', { type: 'datetime-local', 'data-name': e.name, 'data-kind': 'datetime', 'data-required': e.required ? '1' : undefined, value: e.initial_datetime?.replace(' ', 'T') }), e.required);
    case 'checker': {
      const box = el('input', { type: 'checkbox', 'data-name': form ? e.name : undefined, 'data-kind': 'checker', checked: e.checked });
      if (!form) box.addEventListener('change', () => ctx.onAction({ value: callbackValue(e) ?? {}, name: e.name, tag: 'checker', checked: box.checked }));
      return el('label', { style: 'display:flex;gap:6px;align-items:center' }, [box, el('span', { text: textOf(e.text) })]);
    }
    case 'img':
    case 'image': {
      const key = e.img_key ?? e.image_key;
      return key ? el('img', { class: 'card-img', src: ctx.resourceUrl(key), alt: textOf(e.alt) || '图片' }) : el('div', { class: 'img-placeholder', text: '图片' });
    }
    case 'chart':
      return renderChart(e);
    case 'table':
      return renderTable(e);
    case 'person':
      return el('span', { class: 'at', text: `@${ctx.userName(e.user_id)}` });
    case 'collapsible_panel':
      return el('details', { open: e.expanded }, [el('summary', { text: textOf(e.header?.title) || '展开' }), ...renderElements(e.elements, ctx, form)]);
    case 'interactive_container': {
      const box = el('div', { class: 'clickable' }, renderElements(e.elements, ctx, form));
      const value = callbackValue(e);
      if (value !== undefined) box.addEventListener('click', () => ctx.onAction({ value, name: e.name, tag: 'interactive_container' }));
      return box;
    }
    default:
      return el('div', { class: 'unsupported', text: `[沙箱暂不渲染的组件：${e.tag}]` });
  }
}

export function renderCard(card, ctx) {
  const root = el('div', { class: 'card' });
  if (card?.type === 'template') {
    root.append(el('div', { class: 'card-body' }, [el('div', { class: 'note', text: `模板卡片 ${card.data?.template_id ?? ''}（沙箱无法渲染模板，请发送卡片 JSON）` })]));
    return root;
  }
  const h = card?.header;
  if (h && (h.title || h.subtitle)) {
    root.append(el('div', { class: `card-header t-${h.template ?? 'blue'}` }, [
      el('div', { text: textOf(h.title) }),
      h.subtitle ? el('div', { class: 'subtitle', text: textOf(h.subtitle) }) : null,
    ]));
  }
  const elements = card?.schema === '2.0' ? card.body?.elements : card?.elements ?? card?.i18n_elements?.zh_cn;
  root.append(el('div', { class: 'card-body' }, renderElements(elements, ctx, null)));
  return root;
}
