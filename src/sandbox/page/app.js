// The sandbox's web chat: pick a user, open the direct chat with the bot or a group, talk, click cards.
// Talks to /sandbox/api/* and listens to /sandbox/api/events (Server-Sent Events) for updates.
import { escapeHtml, mdToHtml, renderCard, safeUrl } from '/sandbox/card.js';

const $ = (id) => document.getElementById(id);
const state = {
  data: null, // /sandbox/api/state
  user: localStorage.getItem('sandbox.user') || '',
  chatId: '',
  shown: '', // the chat whose messages are on screen
  replyTo: null, // { messageId, preview }
  rendered: new Map(), // messageId → { key, node }
  messages: [],
};

async function api(path, body) {
  const res = await fetch(`/sandbox/api/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error || json.msg || `HTTP ${res.status}`);
  return json;
}

function toast(t) {
  const text = typeof t === 'string' ? t : (t.content ?? t.i18n?.zh_cn ?? JSON.stringify(t));
  const node = document.createElement('div');
  node.className = `toast ${t.type ?? ''}`;
  node.textContent = text;
  $('toasts').append(node);
  setTimeout(() => node.remove(), 3500);
}

const userName = (id) => {
  if (!state.data) return id;
  if (id === state.data.bot.openId || id === state.data.bot.appId) return state.data.bot.name;
  return state.data.users.find((u) => u.openId === id)?.name ?? id;
};

// ---------- sidebar ----------

async function loadState() {
  state.data = await api('state');
  const { users } = state.data;
  if (!users.some((u) => u.openId === state.user)) state.user = users[0]?.openId ?? '';
  const sel = $('user-select');
  sel.innerHTML = users
    .map((u) => `<option value="${escapeHtml(u.openId)}" ${u.openId === state.user ? 'selected' : ''}>${escapeHtml(u.name)}${u.status !== 'active' ? `（${u.status === 'resigned' ? '已离职' : '不在可见范围'}）` : ''}</option>`)
    .join('');
  $('group-members').innerHTML = users
    .map((u) => `<label><input type="checkbox" value="${escapeHtml(u.openId)}" ${u.openId === state.user ? 'checked' : ''}> ${escapeHtml(u.name)}</label>`)
    .join('');
  renderDelivery();
  renderChatList();
}

function renderDelivery() {
  const d = state.data.delivery;
  const box = $('delivery');
  let text;
  let ok = true;
  if (d.mode === 'ws') {
    ok = d.wsClients > 0;
    text = ok ? `长连接：${d.wsClients} 个机器人客户端在线` : '长连接：机器人未连接';
  } else if (d.mode === 'webhook') {
    text = `Webhook → ${d.url}`;
  } else {
    ok = false;
    text = '事件推送已关闭';
  }
  box.textContent = text;
  box.className = `delivery ${ok ? '' : 'warn'}`;
  const notice = $('notice');
  notice.hidden = ok;
  notice.textContent = d.mode === 'none'
    ? '事件推送已关闭：机器人收不到消息。'
    : '机器人未连接：消息会按飞书的重试节奏（15 秒、5 分钟、1 小时、6 小时）重新推送，机器人连上后即可收到。';
}

function chatsForUser() {
  const chats = state.data.chats;
  const p2p = chats.find((c) => c.type === 'p2p' && c.p2pUser === state.user);
  const groups = chats.filter((c) => c.type === 'group' && c.members.includes(state.user));
  return { p2p, groups };
}

function renderChatList() {
  const { p2p, groups } = chatsForUser();
  const items = [{ chatId: p2p?.chatId ?? `p2p:${state.user}`, label: `与 ${state.data.bot.name} 的单聊`, tag: '单聊' }]
    .concat(groups.map((g) => ({ chatId: g.chatId, label: g.name, tag: g.botIsMember ? `群 · ${g.members.length} 人` : '机器人不在群' })));
  if (!items.some((i) => i.chatId === state.chatId)) state.chatId = items[0].chatId;
  $('chat-list').innerHTML = items
    .map((i) => `<li data-chat="${escapeHtml(i.chatId)}" class="${i.chatId === state.chatId ? 'active' : ''}"><span>${escapeHtml(i.label)}</span><span class="tag">${escapeHtml(i.tag)}</span></li>`)
    .join('');
}

async function openChat(chatId) {
  if (chatId.startsWith('p2p:')) {
    chatId = (await api(`p2p?openId=${encodeURIComponent(state.user)}`)).chatId;
  }
  if (chatId !== state.shown) {
    state.shown = chatId;
    state.rendered.clear();
    state.messages = [];
    $('messages').innerHTML = '';
    setReply(null);
  }
  state.chatId = chatId;
  if (!state.data.chats.some((c) => c.chatId === chatId)) await loadState(); // a direct chat created just now
  else renderChatList();
  await loadChat();
}

// ---------- conversation ----------

async function loadChat() {
  if (!state.chatId || state.chatId.startsWith('p2p:')) return;
  const { chat, messages } = await api(`chat?chatId=${encodeURIComponent(state.chatId)}&viewer=${encodeURIComponent(state.user)}`);
  state.messages = messages;
  $('chat-header').innerHTML = `<div class="title">${escapeHtml(chat.type === 'p2p' ? `与 ${state.data.bot.name} 的单聊` : chat.name)}</div>
    <div class="members">${chat.type === 'group' ? `成员：${chat.members.map((m) => escapeHtml(m.name)).join('、')}${chat.botIsMember ? `、${escapeHtml(state.data.bot.name)}（机器人）` : '（机器人不在群内）'} · 群里需 @机器人，机器人才会收到` : '单聊中发送的每条消息机器人都会收到'}</div>`;
  $('mention-btn').hidden = chat.type !== 'group';
  renderMessages();
}

function renderMessages() {
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  const seen = new Set();
  if (state.messages.length === 0) box.innerHTML = '<div class="empty">还没有消息，发一条试试，例如“帮助”。</div>';
  else box.querySelector('.empty')?.remove();
  let prev = null;
  for (const m of state.messages) {
    seen.add(m.messageId);
    const key = `${m.updateTime}|${m.delivery}|${m.readBy.length}|${m.deleted}|${m.senderId === state.user}`;
    let entry = state.rendered.get(m.messageId);
    if (!entry || entry.key !== key) {
      const node = renderMessage(m);
      if (entry) entry.node.replaceWith(node);
      else if (prev) prev.after(node);
      else box.prepend(node);
      entry = { key, node };
      state.rendered.set(m.messageId, entry);
    }
    prev = entry.node;
  }
  for (const [id, entry] of state.rendered) if (!seen.has(id)) { entry.node.remove(); state.rendered.delete(id); }
  if (atBottom) box.scrollTop = box.scrollHeight;
}

const STATUS = {
  pending: '推送中…',
  acked: '机器人已收到',
  retrying: '机器人未确认，稍后重试',
  failed: '推送失败',
  not_delivered: '机器人不会收到（群聊需 @机器人）',
};

function preview(m) {
  const c = m.content;
  if (m.deleted) return '[已撤回]';
  if (m.msgType === 'text') return replaceMentions(c.text ?? '', m.mentions);
  if (m.msgType === 'post') return `[富文本] ${postBody(c).title ?? ''}`;
  if (m.msgType === 'interactive') return `[卡片] ${c?.header?.title?.content ?? ''}`;
  if (m.msgType === 'image') return '[图片]';
  if (m.msgType === 'file') return `[文件] ${c.file_name ?? ''}`;
  return `[${m.msgType}]`;
}

function replaceMentions(text, mentions) {
  let s = text;
  for (const mm of mentions ?? []) s = s.split(mm.key).join(`@${mm.name}`);
  return s;
}

function postBody(c) {
  if (c && Array.isArray(c.content)) return c;
  return c?.zh_cn ?? c?.en_us ?? Object.values(c ?? {})[0] ?? {};
}

function renderPost(c) {
  const post = postBody(c);
  const wrap = document.createElement('div');
  if (post.title) wrap.innerHTML = `<div class="post-title">${escapeHtml(post.title)}</div>`;
  for (const para of post.content ?? []) {
    const p = document.createElement('div');
    for (const node of para) {
      let html = '';
      if (node.tag === 'text') {
        html = escapeHtml(node.text);
        const st = node.style ?? [];
        if (st.includes('bold')) html = `<b>${html}</b>`;
        if (st.includes('italic')) html = `<i>${html}</i>`;
        if (st.includes('underline')) html = `<u>${html}</u>`;
        if (st.includes('lineThrough')) html = `<s>${html}</s>`;
      } else if (node.tag === 'a') {
        const href = safeUrl(node.href);
        html = href ? `<a href="${escapeHtml(href)}" target="_blank" rel="noreferrer">${escapeHtml(node.text)}</a>` : escapeHtml(node.text);
      }
      else if (node.tag === 'at') html = `<span class="at">@${escapeHtml(node.user_name ?? (node.user_id === 'all' ? '所有人' : userName(node.user_id)))}</span>`;
      else if (node.tag === 'img') html = `<img class="inline" src="/sandbox/api/resource/${encodeURIComponent(node.image_key)}" alt="图片">`;
      else if (node.tag === 'md') html = mdToHtml(node.text, userName);
      else if (node.tag === 'code_block') html = `<pre class="json">${escapeHtml(node.text)}</pre>`;
      else if (node.tag === 'hr') html = '<hr>';
      else if (node.tag === 'emotion') html = `[${escapeHtml(node.emoji_type)}]`;
      else html = `[${escapeHtml(node.tag)}]`;
      p.insertAdjacentHTML('beforeend', html);
    }
    wrap.append(p);
  }
  return wrap;
}

function renderBody(m) {
  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  const c = m.content;
  if (m.deleted) { bubble.textContent = '此消息已撤回'; return bubble; }
  switch (m.msgType) {
    case 'text':
      bubble.innerHTML = mdToHtml(replaceMentions(c.text ?? '', m.mentions), userName);
      break;
    case 'post':
      bubble.append(renderPost(c));
      break;
    case 'interactive':
      bubble.classList.add('card-bubble');
      bubble.append(renderCard(c, {
        userName,
        resourceUrl: (key) => `/sandbox/api/resource/${encodeURIComponent(key)}`,
        onAction: (a) => click(m.messageId, a),
      }));
      if (m.updateTime !== m.createTime) bubble.insertAdjacentHTML('beforeend', '<div class="card-updated">卡片已更新</div>');
      break;
    case 'image':
      bubble.innerHTML = `<img class="inline" src="/sandbox/api/resource/${encodeURIComponent(c.image_key)}" alt="图片">`;
      break;
    case 'file':
      bubble.innerHTML = `<a class="file" href="/sandbox/api/resource/${encodeURIComponent(c.file_key)}" download="${escapeHtml(c.file_name ?? 'file')}">[文件] ${escapeHtml(c.file_name ?? c.file_key)}</a>`;
      break;
    default:
      bubble.innerHTML = `<pre class="json">${escapeHtml(JSON.stringify(c, null, 2))}</pre>`;
  }
  return bubble;
}

function renderMessage(m) {
  const mine = m.senderType === 'user' && m.senderId === state.user;
  const bot = m.senderType === 'app';
  const row = document.createElement('div');
  row.className = `msg ${mine ? 'mine' : ''} ${bot ? 'bot' : ''}`;
  row.dataset.messageId = m.messageId;
  row.dataset.msgType = m.msgType;
  const name = m.senderName;
  const time = new Date(m.createTime).toLocaleTimeString('zh-CN', { hour12: false });
  const parent = m.parentId ? state.messages.find((x) => x.messageId === m.parentId) : null;
  let status = '';
  if (m.senderType === 'user' && m.delivery) status = `<span class="status ${m.delivery}">${STATUS[m.delivery] ?? m.delivery}</span>`;
  if (bot && m.readBy.length) status = `<span class="status">已读 ${m.readBy.length}</span>`;
  row.innerHTML = `<div class="avatar">${escapeHtml(name.slice(-2))}</div>
    <div class="msg-main">
      <div class="meta"><span>${escapeHtml(name)}${bot ? '（机器人）' : ''}</span><span>${time}</span>${status}<button type="button" class="link reply-link">回复</button></div>
      ${parent ? `<div class="quote">回复 ${escapeHtml(parent.senderName)}：${escapeHtml(preview(parent))}</div>` : ''}
    </div>`;
  row.querySelector('.msg-main').append(renderBody(m));
  row.querySelector('.reply-link').addEventListener('click', () => setReply({ messageId: m.messageId, preview: `${m.senderName}：${preview(m)}` }));
  return row;
}

function setReply(r) {
  state.replyTo = r;
  $('reply-bar').hidden = !r;
  $('reply-text').textContent = r ? `回复 ${r.preview}` : '';
  if (r) $('input').focus();
}

async function click(messageId, action) {
  try {
    const { answer } = await api('click', { from: state.user, messageId, ...action });
    // Toasts (including callback errors) arrive through the event stream; nothing else to do here.
    return answer;
  } catch (e) {
    toast({ type: 'error', content: `点击失败：${e.message}` });
  }
}

async function send(ev) {
  ev?.preventDefault();
  const input = $('input');
  const text = input.value.trim();
  if (!text || !state.chatId || state.chatId.startsWith('p2p:')) return;
  const chat = state.data.chats.find((c) => c.chatId === state.chatId);
  const mentionBot = chat?.type === 'group' && (text.includes('@机器人') || text.includes(`@${state.data.bot.name}`));
  input.value = '';
  try {
    await api('send', { from: state.user, chatId: state.chatId, text, mentionBot, parentId: state.replyTo?.messageId });
    setReply(null);
  } catch (e) {
    input.value = text;
    toast({ type: 'error', content: `发送失败：${e.message}` });
  }
}

/** Sends the chosen file into the open chat as the current user (read as base64 for the JSON API). */
async function sendFile(file) {
  if (!file || !state.chatId || state.chatId.startsWith('p2p:')) return;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    await api('send-file', { from: state.user, chatId: state.chatId, fileName: file.name, base64: btoa(binary) });
  } catch (e) {
    toast({ type: 'error', content: `发送文件失败：${e.message}` });
  }
}

// ---------- wiring ----------

let chatReload = null;
function scheduleChatReload() {
  clearTimeout(chatReload);
  chatReload = setTimeout(() => loadChat().catch(console.error), 50);
}

function listen() {
  const es = new EventSource('/sandbox/api/events');
  es.onmessage = (ev) => {
    const c = JSON.parse(ev.data);
    if (c.kind === 'chat' && c.chatId === state.chatId) scheduleChatReload();
    else if (c.kind === 'users') loadState().then(() => loadChat()).catch(console.error);
    else if (c.kind === 'toast' && c.openId === state.user) toast(c.toast);
  };
  es.onopen = () => loadState().then(() => loadChat()).catch(console.error); // after a reconnect, catch up
}

$('user-select').addEventListener('change', async (e) => {
  state.user = e.target.value;
  localStorage.setItem('sandbox.user', state.user);
  state.chatId = '';
  renderChatList();
  await openChat(state.chatId);
});
$('chat-list').addEventListener('click', (e) => {
  const li = e.target.closest('li[data-chat]');
  if (li) openChat(li.dataset.chat).catch((err) => toast({ type: 'error', content: err.message }));
});
$('composer').addEventListener('submit', send);
$('input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) send(e);
});
$('file-btn').addEventListener('click', () => $('file-input').click());
$('file-input').addEventListener('change', async (e) => {
  const file = e.target.files?.[0];
  e.target.value = '';
  await sendFile(file);
});
$('mention-btn').addEventListener('click', () => {
  const input = $('input');
  if (!input.value.includes('@机器人')) input.value = `@机器人 ${input.value}`;
  input.focus();
});
$('reply-cancel').addEventListener('click', () => setReply(null));
$('group-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const members = [...$('group-members').querySelectorAll('input:checked')].map((i) => i.value);
  try {
    const { chatId } = await api('group', { name: $('group-name').value.trim(), memberOpenIds: members });
    $('group-name').value = '';
    await loadState();
    if (members.includes(state.user)) await openChat(chatId);
  } catch (err) {
    toast({ type: 'error', content: err.message });
  }
});

$('user-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { openId } = await api('user', { name: $('user-name').value.trim(), mobile: $('user-mobile').value.trim(), email: $('user-email').value.trim() });
    for (const id of ['user-name', 'user-mobile', 'user-email']) $(id).value = '';
    toast({ type: 'success', content: `已添加用户，open_id：${openId}` });
    await loadState();
  } catch (err) {
    toast({ type: 'error', content: err.message });
  }
});

await loadState();
await openChat(state.chatId);
listen();
